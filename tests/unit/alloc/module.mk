# Unit tests for lib/alloc.
$(eval $(call unit_test,heap_test,tests/unit/alloc/test_heap.c,alloc util))
