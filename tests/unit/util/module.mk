# Unit tests for lib/util: err_str, ring, options.
$(eval $(call unit_test,util_test,tests/unit/util/test_util.c,util,-lpthread))
$(eval $(call unit_test,memops_test,tests/unit/util/test_memops.c,util))
