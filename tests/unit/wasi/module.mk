# Unit tests of lib/wasi (ASan+UBSan, cmocka).
$(eval $(call unit_test,wasi_readdir,tests/unit/wasi/test_readdir.c,wasi wasm util))
