# services/shell: the console shell and the system commands.
KERNEL_SRCS += $(wildcard services/shell/*.c)
KERNEL_LIBS += lineedit
