# Unit tests for lib/fdt: real QEMU blobs (dumped at test time) and
# hand-made hostile ones.
FDT_TEST_HELPERS := tests/unit/fdt/fdt_exercise.c
$(eval $(call unit_test,fdt_qemu_test,tests/unit/fdt/test_fdt_qemu.c $(FDT_TEST_HELPERS),fdt util))
$(eval $(call unit_test,fdt_hostile_test,tests/unit/fdt/test_fdt_hostile.c tests/unit/fdt/dtb_builder.c $(FDT_TEST_HELPERS),fdt util))
