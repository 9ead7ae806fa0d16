# apps: example PusOS apps, C built for wasm32-wasi with Debian's clang-14
# (which finds Debian's wasi-libc sysroot by itself), into build/apps/NAME.wasm.
# The compute workloads (sieve matmul sha256 sort fib) are also built natively
# by bench/wasm/run and, as bare kernels, by the differential tests.
WASM_CC     := clang-14
WASM_CFLAGS := --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Isdk/include -Iapps
APPS        := $(patsubst apps/%.c,%,$(wildcard apps/*.c))
APP_WASMS   := $(patsubst %,$(BUILD)/apps/%.wasm,$(APPS))

$(BUILD)/apps/%.wasm: apps/%.c $(wildcard apps/kernels/*.h) sdk/include/pus.h
	@mkdir -p $(@D)
	@echo "  WASMCC  $<"
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -o $@ $<

apps: $(APP_WASMS)
.PHONY: apps
EXTRA_BUILD += $(APP_WASMS)
