# tools/pusvm: run wasm apps with WASI on the host; run spec-test files.
$(eval $(call host_tool,pusvm,$(wildcard tools/pusvm/*.c),wasm wasi util))
