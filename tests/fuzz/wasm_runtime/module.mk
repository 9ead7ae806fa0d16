# libFuzzer targets for the wasm runtime.
$(eval $(call fuzz_target,wasm_load,tests/fuzz/wasm_runtime/wasm_load_fuzz.c,wasm util))
$(eval $(call fuzz_target,wasm_exec,tests/fuzz/wasm_runtime/wasm_exec_fuzz.c,wasm util))
