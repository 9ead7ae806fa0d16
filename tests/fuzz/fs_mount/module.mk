# tests/fuzz/fs_mount: libFuzzer target mounting and walking mutated images.
$(eval $(call fuzz_target,fs_mount,tests/fuzz/fs_mount/fuzz_fs_mount.c,fs blockdev util))
