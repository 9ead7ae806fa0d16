# services/apps: the app manager. WebAssembly apps run in kernel threads
# through lib/wasm + lib/wasi; the shell's `wasm` command drives them.
#
# The example apps (apps/, built by apps/module.mk) and the test apps here in
# testapps/ are embedded into the kernel image as built-in demos by demo_blobs.S,
# which .incbin's the .wasm files (stripped copies in build/demos/): the
# kernel therefore depends on building them with clang-14 (the prerequisites
# below make a clean `make` do that).
KERNEL_SRCS += $(wildcard services/apps/*.c) services/apps/demo_blobs.S

APPS_DEMO_NAMES := hello counter sieve matmul sha256 sort fib
APPS_TEST_NAMES := trap spin files
APPS_TEST_WASMS := $(patsubst %,$(BUILD)/testapps/%.wasm,$(APPS_TEST_NAMES))

$(BUILD)/testapps/%.wasm: services/apps/testapps/%.c sdk/include/pus.h
	@mkdir -p $(@D)
	@echo "  WASMCC  $<"
	$(Q)clang-14 --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Isdk/include -o $@ $<

# Embedded copies without the DWARF sections Debian's wasi-libc brings
# along (~100 KiB per app): code and its offsets are unchanged.
APPS_DEMO_WASMS := $(patsubst %,$(BUILD)/demos/%.wasm,$(APPS_DEMO_NAMES) $(APPS_TEST_NAMES))

$(BUILD)/demos/%.wasm: $(BUILD)/apps/%.wasm
	@mkdir -p $(@D)
	$(Q)llvm-strip-14 --strip-debug -o $@ $< 2>/dev/null || cp $< $@

$(BUILD)/demos/%.wasm: $(BUILD)/testapps/%.wasm
	@mkdir -p $(@D)
	$(Q)llvm-strip-14 --strip-debug -o $@ $< 2>/dev/null || cp $< $@

$(BUILD)/kernel/services/apps/demo_blobs.o: $(APPS_DEMO_WASMS)
$(BUILD)/kernel/services/apps/demo_blobs.o: KASFLAGS += -Wa,-I$(BUILD)/demos

# The native twins of the compute workloads (the benchmark's anchor) include
# the freestanding kernels of apps/kernels/. -fno-ipa-pure-const: with
# sibling calls off (mk/config.mk) gcc otherwise inlined fib_rec into itself
# and merged the repeated pure subcalls, doing ~200x less work than the app.
$(BUILD)/kernel/services/apps/nativebench.o: KCFLAGS += -Iapps -fno-ipa-pure-const

EXTRA_BUILD += $(APPS_TEST_WASMS)
