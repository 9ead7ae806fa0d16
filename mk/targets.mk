# User-facing targets. See the top of the Makefile.

DEPS_STAMP := $(BUILD)/.deps-ok

# Installs missing Debian packages (once per change of the list).
$(DEPS_STAMP): scripts/install-deps.sh
	$(Q)scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@
deps: $(DEPS_STAMP)

$(BUILD)/unit-tests.list: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' $(UNIT_TESTS) > $@.tmp && mv $@.tmp $@
$(BUILD)/fuzz-targets.list: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' $(FUZZ_TARGETS) > $@.tmp && mv $@.tmp $@

# The build itself runs one job per core unless JOBS says otherwise.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
all: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) build-all
build-all: $(BUILD)/pusos.elf $(HOST_TOOLS) $(HOST_PROGS) $(UNIT_TESTS) $(FUZZ_TARGETS) \
           $(EXTRA_BUILD) $(BUILD)/unit-tests.list $(BUILD)/fuzz-targets.list

# Everything that runs on the host, without the kernel.
host: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) build-host
build-host: $(HOST_TOOLS) $(HOST_PROGS) $(UNIT_TESTS) $(FUZZ_TARGETS) \
            $(BUILD)/unit-tests.list $(BUILD)/fuzz-targets.list

# Boot one node on the console. DISK is created with pusfs when missing.
run: all
	$(Q)scripts/run-node.sh --smp $(SMP) --mem $(MEM) --append "$(BOOTARGS)"

gdb: all
	$(Q)scripts/run-node.sh --smp $(SMP) --mem $(MEM) --append "$(BOOTARGS)" --gdb

# PYTEST_ARGS narrows a run, e.g. make test PYTEST_ARGS="-k boot".
test: all
	$(Q)$(PYTHON) -m pytest -c tests/pytest.ini tests $(PYTEST_ARGS)

FUZZ_SECONDS ?= 300
fuzz: all
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) $(PYTHON) -m pytest -c tests/pytest.ini tests/test_fuzz.py

# BENCH=name runs one benchmark folder.
bench: all
	$(Q)scripts/run-benchmarks.sh $(BENCH)

clean:
	rm -rf $(BUILD)

FORCE:
.PHONY: all build-all host build-host run gdb test fuzz bench clean deps FORCE
