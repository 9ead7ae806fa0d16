# Unit tests for lib/lineedit.
$(eval $(call unit_test,lineedit_test,tests/unit/lineedit/test_lineedit.c,lineedit))
