# lib/wasm: the WebAssembly runtime (decoder, validating compiler, interpreter).
LIB_wasm_SRCS := $(wildcard lib/wasm/*.c)
KERNEL_LIBS += wasm
