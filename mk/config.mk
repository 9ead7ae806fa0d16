# Knobs a user may set on the command line: make run SMP=4 MEM=64M

SMP      ?= 2
MEM      ?= 128M
BOOTARGS ?=
V        ?= 0

BUILD    := build
CROSS    ?= riscv64-unknown-elf-
PYTHON   := /usr/bin/python3
QEMU     := qemu-system-riscv64

ifeq ($(V),0)
Q := @
else
Q :=
endif

# Common warnings for every flavour of C we build.
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes \
        -Wmissing-prototypes -Wpointer-arith -Wno-sign-compare

# Portable libraries see only include/ and lib/: a library that tries to
# include a kernel header fails to build on the host, which keeps the
# dependency arrows pointing down.
LIB_INCLUDES := -Iinclude -Ilib

# Kernel: rv64gc, lp64d. The kernel uses the FPU (the wasm interpreter needs
# it); FP registers are saved lazily on context switch (see kernel/thread.c).
# -fbuiltin after -ffreestanding: freestanding alone implies -fno-builtin,
# which turns every small fixed-size memcpy (unaligned loads in the wasm
# interpreter and the checksum, float bit casts) into a real call. The
# kernel provides memcpy/memset/memmove (kernel/string.c), so GCC may
# expand them inline as in hosted code: wasm matmul in the node ran 4x
# faster. Alignment stays strict, for boards that trap on misaligned access.
KCC      := $(CROSS)gcc
KOBJCOPY := $(CROSS)objcopy
KNM      := $(CROSS)nm
KSIZE    := $(CROSS)size
# Extra -D flags for a variant kernel built into its own BUILD directory
# (bench/netnode's anchor: make BUILD=build/reflect KERNEL_DEFINES=...).
KERNEL_DEFINES ?=
KCFLAGS  := -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -g -std=gnu11 \
            -ffreestanding -fbuiltin -fno-common -fno-omit-frame-pointer \
            -fno-optimize-sibling-calls -fno-stack-protector \
            -ffunction-sections -fdata-sections \
            --specs=picolibc.specs $(WARN) -Werror \
            $(LIB_INCLUDES) -I. -DPUS_KERNEL=1 $(KERNEL_DEFINES) -MMD -MP
KASFLAGS := $(KCFLAGS) -D__ASSEMBLY__

# Host, optimised: tools (pusfs, pusvm, pusctl) and benchmarks.
HCC      := gcc
HCFLAGS  := -O2 -g -std=gnu11 -fno-omit-frame-pointer $(WARN) -Werror \
            $(LIB_INCLUDES) -MMD -MP -D_GNU_SOURCE
# Host, sanitised: unit tests run under AddressSanitizer and UBSan.
SCFLAGS  := -O1 -g -std=gnu11 -fno-omit-frame-pointer \
            -fsanitize=address,undefined -fno-sanitize-recover=undefined \
            $(WARN) -Werror $(LIB_INCLUDES) -MMD -MP -D_GNU_SOURCE
SLDFLAGS := -fsanitize=address,undefined
# libFuzzer targets: clang with the fuzzer, ASan and UBSan.
FCC      := clang-14
FCFLAGS  := -O1 -g -std=gnu11 -fno-omit-frame-pointer \
            -fsanitize=fuzzer-no-link,address,undefined \
            $(LIB_INCLUDES) -MMD -MP -D_GNU_SOURCE -DPUS_FUZZ=1
FLDFLAGS := -fsanitize=fuzzer,address,undefined
