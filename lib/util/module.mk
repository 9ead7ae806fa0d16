# lib/util: small portable helpers shared by everything (status names, ...).
LIB_util_SRCS := $(wildcard lib/util/*.c)
KERNEL_LIBS += util
