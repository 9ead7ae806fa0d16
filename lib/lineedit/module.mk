# lib/lineedit: terminal-independent line editor for the serial shell.
LIB_lineedit_SRCS := $(wildcard lib/lineedit/*.c)
KERNEL_LIBS += lineedit
