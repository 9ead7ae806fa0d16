# libFuzzer target for lib/fdt: hostile blobs through the whole reader.
$(eval $(call fuzz_target,fdt_walk,tests/fuzz/fdt_walk/fdt_walk.c tests/unit/fdt/fdt_exercise.c,fdt))
