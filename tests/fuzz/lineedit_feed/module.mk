# libFuzzer target for lib/lineedit.
$(eval $(call fuzz_target,lineedit_feed,tests/fuzz/lineedit_feed/lineedit_feed.c,lineedit))
