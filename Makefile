# PusOS top-level Makefile.
#
#   make            kernel (build/pusos.elf), host tools (build/bin/), tests
#   make run        install missing Debian packages, build, boot one node
#   make test       build everything and run every test; ends in one summary line
#   make bench      run the benchmarks; each prints its figure beside its target
#   make fuzz       run every libFuzzer target for longer (FUZZ_SECONDS each)
#   make gdb        boot halted with a gdb stub and attach gdb-multiarch
#
# Every folder describes itself in a module.mk that this file includes; the
# macros those fragments use are in mk/rules.mk. See docs/build.md.

.DEFAULT_GOAL := all
SHELL := /bin/bash

include mk/config.mk
include mk/rules.mk
# Libraries first: the other fragments name library sources in their rules.
include $(sort $(wildcard lib/*/module.mk))
include $(sort $(wildcard arch/*/module.mk platform/*/module.mk kernel/module.mk \
                 drivers/*/module.mk services/*/module.mk \
                 tools/*/module.mk tests/unit/*/module.mk tests/fuzz/*/module.mk \
                 apps/module.mk bench/*/module.mk))
include mk/kernel.mk
include mk/targets.mk

-include $(shell find build -name '*.d' 2>/dev/null)
