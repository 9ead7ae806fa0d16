# Linking build/pusos.elf.
#
# arch/, platform/, kernel/, drivers/ and services/ add their sources to
# KERNEL_SRCS; portable libraries the kernel uses are named in KERNEL_LIBS.
#
# The kernel is linked twice so that a panic can print function names: the
# first link finds the addresses of all functions, scripts/gen-ksyms.sh turns
# them into a sorted table, and the second link places that table at the end
# of .rodata, after all code, so no function moves between the two links.

KERNEL_OBJS := $(call objs,kernel,$(filter %.c,$(sort $(KERNEL_SRCS)) $(call lib_srcs,$(sort $(KERNEL_LIBS))))) \
               $(patsubst %.S,$(BUILD)/kernel/%.o,$(filter %.S,$(KERNEL_SRCS)))
KERNEL_LDS  := arch/riscv/kernel.ld
KLDFLAGS    := -nostartfiles -T $(KERNEL_LDS) -Wl,--gc-sections \
               -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments \
               $(KCFLAGS)

$(BUILD)/kernel/ksyms0.S:
	@mkdir -p $(@D)
	$(Q)scripts/gen-ksyms.sh /dev/null > $@

$(BUILD)/kernel/pusos.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel/ksyms0.o $(KERNEL_LDS)
	@echo "  LD      $@"
	$(Q)$(KCC) $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms0.o -lc -lgcc

$(BUILD)/kernel/ksyms.S: $(BUILD)/kernel/pusos.pass1.elf scripts/gen-ksyms.sh
	$(Q)$(KNM) -n $< | scripts/gen-ksyms.sh - > $@

$(BUILD)/kernel/ksyms0.o: $(BUILD)/kernel/ksyms0.S
	$(Q)$(KCC) $(KASFLAGS) -c $< -o $@
$(BUILD)/kernel/ksyms.o: $(BUILD)/kernel/ksyms.S
	$(Q)$(KCC) $(KASFLAGS) -c $< -o $@

$(BUILD)/pusos.elf: $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.o $(KERNEL_LDS)
	@echo "  LD      $@"
	$(Q)$(KCC) $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.o -lc -lgcc
	$(Q)$(KSIZE) $@ | tail -1 | awk '{printf "  SIZE    text %s data %s bss %s\n", $$1, $$2, $$3}'

kernel: $(BUILD)/pusos.elf
.PHONY: kernel
