# Unit tests of the wasm runtime (ASan+UBSan, cmocka).
$(eval $(call unit_test,wasm_runtime,tests/unit/wasm/test_runtime.c,wasm util,-lpthread))
