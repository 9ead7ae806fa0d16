/*
 * What the devicetree tells us about the machine: RAM, harts, timebase,
 * UART, PLIC, virtio-mmio slots, RTC and the bootargs. Written for QEMU's
 * virt machine but driven only by the devicetree, so a board with the same
 * devices at other addresses works too.
 */
#ifndef PLATFORM_QEMU_VIRT_PLATFORM_H
#define PLATFORM_QEMU_VIRT_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLATFORM_MAX_HARTS   8
#define PLATFORM_MAX_VIRTIO 16
#define PLATFORM_MAX_RESERVED 8

struct mmio_device {
    uintptr_t base;
    size_t size;
    uint32_t irq;         /* PLIC source, 0 if none */
};

struct platform_info {
    uintptr_t ram_base;
    size_t ram_size;
    unsigned hart_count;
    unsigned long hartids[PLATFORM_MAX_HARTS];
    uint64_t timebase_hz;
    bool has_sstc;                             /* stimecmp: timer without SBI calls */
    struct mmio_device uart;
    uint32_t uart_clock_hz;
    struct mmio_device plic;
    uint32_t plic_sources;                     /* riscv,ndev */
    int plic_s_context[PLATFORM_MAX_HARTS];    /* per hart index, -1 if none */
    struct mmio_device virtio[PLATFORM_MAX_VIRTIO];
    unsigned virtio_count;
    struct mmio_device rtc;
    struct mmio_device reserved[PLATFORM_MAX_RESERVED];
    unsigned reserved_count;
    char bootargs[512];
    uintptr_t dtb;
    size_t dtb_size;
};

/* Parse the devicetree; returns 0 or a negative status with *why set. */
int platform_parse(const void *dtb, struct platform_info *out, const char **why);

extern struct platform_info platform;

#endif
