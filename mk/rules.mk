# Compile rules for the four flavours, and the macros module.mk files use.
#
#   build/kernel/  RISC-V objects for build/pusos.elf
#   build/host/    optimised host objects (tools, benchmarks)
#   build/san/     host objects with ASan+UBSan (unit tests)
#   build/fuzz/    clang objects for libFuzzer targets

# Each flavour's compiler and flags are kept in build/FLAVOUR/.flags, which
# is rewritten only when they change: every object depends on it, so a new
# flag (in mk/config.mk or on the command line) rebuilds that flavour.
# Expanded now (:=), so a target-specific addition such as demo_blobs.o's
# -Wa,-I does not leak into the snapshot of whichever target builds first.
FLAVOUR_FLAGS_kernel := $(KCC) $(KASFLAGS)   # KASFLAGS holds KCFLAGS
FLAVOUR_FLAGS_host   := $(HCC) $(HCFLAGS)
FLAVOUR_FLAGS_san    := $(HCC) $(SCFLAGS)
FLAVOUR_FLAGS_fuzz   := $(FCC) $(FCFLAGS)

# Precious: make would otherwise delete it as an intermediate file.
.PRECIOUS: $(BUILD)/%/.flags
$(BUILD)/%/.flags: FORCE   # FORCE: mk/targets.mk
	@mkdir -p $(@D)
	@if [ "$$(cat $@ 2>/dev/null)" != "$(FLAVOUR_FLAGS_$*)" ]; then \
	    echo "$(FLAVOUR_FLAGS_$*)" > $@; fi

$(BUILD)/kernel/%.o: %.c $(BUILD)/kernel/.flags
	@mkdir -p $(@D)
	@echo "  KCC     $<"
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: %.S $(BUILD)/kernel/.flags
	@mkdir -p $(@D)
	@echo "  KAS     $<"
	$(Q)$(KCC) $(KASFLAGS) -c $< -o $@

$(BUILD)/host/%.o: %.c $(BUILD)/host/.flags
	@mkdir -p $(@D)
	@echo "  HCC     $<"
	$(Q)$(HCC) $(HCFLAGS) $(HOST_EXTRA_CFLAGS_$(subst /,_,$(dir $<))) -c $< -o $@

$(BUILD)/san/%.o: %.c $(BUILD)/san/.flags
	@mkdir -p $(@D)
	@echo "  SCC     $<"
	$(Q)$(HCC) $(SCFLAGS) $(HOST_EXTRA_CFLAGS_$(subst /,_,$(dir $<))) -c $< -o $@

$(BUILD)/fuzz/%.o: %.c $(BUILD)/fuzz/.flags
	@mkdir -p $(@D)
	@echo "  FCC     $<"
	$(Q)$(FCC) $(FCFLAGS) -c $< -o $@

# Objects of a list of sources in one flavour.
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

# Sources of a list of portable libraries (each lib/NAME/module.mk sets
# LIB_NAME_SRCS). Order does not matter: we link objects, not archives.
lib_srcs = $(foreach l,$(1),$(LIB_$(l)_SRCS))

# $(call unit_test,NAME,SOURCES,LIBS[,LDLIBS])
# A host unit test built with ASan+UBSan as build/test/NAME. It is run by
# tests/test_unit.py and must exit 0 on success. cmocka is linked in.
define unit_test
UNIT_TESTS += $(BUILD)/test/$(1)
$(BUILD)/test/$(1): $(call objs,san,$(2) $(call lib_srcs,$(3)))
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(HCC) $(SLDFLAGS) -o $$@ $$^ -lcmocka -lm $(4)
endef

# $(call host_tool,NAME,SOURCES,LIBS[,LDLIBS]) -> build/bin/NAME (optimised)
define host_tool
HOST_TOOLS += $(BUILD)/bin/$(1)
$(BUILD)/bin/$(1): $(call objs,host,$(2) $(call lib_srcs,$(3)))
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(HCC) -o $$@ $$^ -lm $(4)
endef

# $(call host_prog,PATH,SOURCES,LIBS[,LDLIBS]) -> build/PATH (optimised),
# for benchmark drivers and test helpers that are not user-facing tools.
define host_prog
HOST_PROGS += $(BUILD)/$(1)
$(BUILD)/$(1): $(call objs,host,$(2) $(call lib_srcs,$(3)))
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(HCC) -o $$@ $$^ -lm $(4)
endef

# $(call fuzz_target,NAME,SOURCES,LIBS) -> build/fuzz/bin/NAME
# SOURCES defines LLVMFuzzerTestOneInput. tests/test_fuzz.py runs each one
# for a bounded time; `make fuzz` runs them longer. A seed corpus may live in
# tests/fuzz/corpus/NAME/.
define fuzz_target
FUZZ_TARGETS += $(BUILD)/fuzz/bin/$(1)
$(BUILD)/fuzz/bin/$(1): $(call objs,fuzz,$(2) $(call lib_srcs,$(3)))
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(FCC) $(FLDFLAGS) -o $$@ $$^ -lm
endef
