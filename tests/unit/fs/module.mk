# tests/unit/fs: lib/fs unit tests (API semantics, power loss, wear).
FS_TEST_UTIL := tests/unit/fs/fsutil.c
$(eval $(call unit_test,fs_api,tests/unit/fs/test_api.c $(FS_TEST_UTIL),fs blockdev util))
$(eval $(call unit_test,fs_powerloss,tests/unit/fs/test_powerloss.c $(FS_TEST_UTIL),fs blockdev util))
$(eval $(call unit_test,fs_wear,tests/unit/fs/test_wear.c $(FS_TEST_UTIL),fs blockdev util))
$(eval $(call unit_test,fs_blockdev,tests/unit/fs/test_blockdev.c $(FS_TEST_UTIL),fs blockdev util))
$(eval $(call unit_test,fs_alloc,tests/unit/fs/test_alloc.c $(FS_TEST_UTIL),fs blockdev util))
$(eval $(call unit_test,fs_cursor,tests/unit/fs/test_cursor.c $(FS_TEST_UTIL),fs blockdev util))
