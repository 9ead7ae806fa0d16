/* Devicetree walk for QEMU virt (see platform.h). */
#include <string.h>
#include "platform/qemu-virt/platform.h"
#include "fdt/fdt.h"
#include "pus/err.h"

struct platform_info platform;

static void take_device(const struct fdt *fdt, int node, struct mmio_device *d)
{
    uint64_t addr = 0, size = 0;
    uint32_t irq = 0;
    if (fdt_reg(fdt, node, 0, &addr, &size) == 0) {
        d->base = (uintptr_t)addr;
        d->size = (size_t)size;
    }
    if (fdt_prop_u32(fdt, node, "interrupts", &irq) == 0)
        d->irq = irq;
}

static int parse_memory(const struct fdt *fdt, struct platform_info *p)
{
    /* The first memory node; QEMU virt has exactly one. */
    for (int n = fdt_first_child(fdt, fdt_root(fdt)); n >= 0; n = fdt_next_sibling(fdt, n)) {
        const char *type = fdt_prop_str(fdt, n, "device_type");
        if (type && strcmp(type, "memory") == 0) {
            uint64_t base, size;
            if (fdt_reg(fdt, n, 0, &base, &size) == 0 && size > 0) {
                p->ram_base = (uintptr_t)base;
                p->ram_size = (size_t)size;
                return 0;
            }
        }
    }
    return ERR_NOT_FOUND;
}

/* Multi-letter extensions follow '_' in the ISA string (rv64imafdc_zicsr_sstc). */
static bool has_isa_extension(const char *isa, const char *ext)
{
    size_t n = strlen(ext);
    for (const char *p = strchr(isa, '_'); p; p = strchr(p + 1, '_'))
        if (strncmp(p + 1, ext, n) == 0 && (p[1 + n] == '_' || p[1 + n] == '\0'))
            return true;
    return false;
}

static int parse_cpus(const struct fdt *fdt, struct platform_info *p)
{
    int cpus = fdt_path(fdt, "/cpus");
    if (cpus < 0)
        return cpus;
    uint32_t tb32;
    uint64_t tb;
    if (fdt_prop_u64(fdt, cpus, "timebase-frequency", &tb) == 0)
        p->timebase_hz = tb;
    else if (fdt_prop_u32(fdt, cpus, "timebase-frequency", &tb32) == 0)
        p->timebase_hz = tb32;
    for (int n = fdt_first_child(fdt, cpus); n >= 0; n = fdt_next_sibling(fdt, n)) {
        const char *type = fdt_prop_str(fdt, n, "device_type");
        const char *status = fdt_prop_str(fdt, n, "status");
        if (!type || strcmp(type, "cpu") != 0)
            continue;
        if (status && strcmp(status, "okay") != 0 && strcmp(status, "ok") != 0)
            continue;
        uint64_t hartid, size;
        if (fdt_reg(fdt, n, 0, &hartid, &size) < 0)
            continue;
        /* Sstc only if every hart has it: one timer path for all. */
        const char *isa = fdt_prop_str(fdt, n, "riscv,isa");
        bool sstc = isa && has_isa_extension(isa, "sstc");
        p->has_sstc = p->hart_count == 0 ? sstc : (p->has_sstc && sstc);
        if (p->hart_count < PLATFORM_MAX_HARTS)
            p->hartids[p->hart_count++] = (unsigned long)hartid;
    }
    return p->hart_count ? 0 : ERR_NOT_FOUND;
}

static int hart_index(const struct platform_info *p, unsigned long hartid)
{
    for (unsigned i = 0; i < p->hart_count; i++)
        if (p->hartids[i] == hartid)
            return (int)i;
    return -1;
}

/*
 * The PLIC's interrupts-extended lists one (interrupt-controller phandle,
 * cause) pair per PLIC context. The pairs with cause 9 (supervisor external)
 * tell which context belongs to S-mode on which hart.
 */
static void parse_plic_contexts(const struct fdt *fdt, int plic, struct platform_info *p)
{
    int len = 0;
    const uint8_t *cells = fdt_prop(fdt, plic, "interrupts-extended", &len);
    for (unsigned i = 0; i < PLATFORM_MAX_HARTS; i++)
        p->plic_s_context[i] = -1;
    if (!cells)
        return;
    for (int ctx = 0; (ctx + 1) * 8 <= len; ctx++) {
        const uint8_t *c = cells + ctx * 8;
        uint32_t phandle = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
        uint32_t cause = (uint32_t)c[4] << 24 | (uint32_t)c[5] << 16 | (uint32_t)c[6] << 8 | c[7];
        if (cause != 9)
            continue;
        int intc = fdt_node_by_phandle(fdt, phandle);
        int cpu = intc >= 0 ? fdt_parent(fdt, intc) : -1;
        uint64_t hartid, size;
        if (cpu < 0 || fdt_reg(fdt, cpu, 0, &hartid, &size) < 0)
            continue;
        int idx = hart_index(p, (unsigned long)hartid);
        if (idx >= 0)
            p->plic_s_context[idx] = ctx;
    }
}

static void parse_reserved(const struct fdt *fdt, struct platform_info *p)
{
    int rm = fdt_path(fdt, "/reserved-memory");
    if (rm < 0)
        return;
    for (int n = fdt_first_child(fdt, rm); n >= 0; n = fdt_next_sibling(fdt, n)) {
        uint64_t base, size;
        if (fdt_reg(fdt, n, 0, &base, &size) == 0 && p->reserved_count < PLATFORM_MAX_RESERVED) {
            p->reserved[p->reserved_count].base = (uintptr_t)base;
            p->reserved[p->reserved_count].size = (size_t)size;
            p->reserved_count++;
        }
    }
}

int platform_parse(const void *dtb, struct platform_info *p, const char **why)
{
    struct fdt fdt;
    memset(p, 0, sizeof(*p));
    /* We do not know the blob's size before reading its header: allow the
       architectural maximum and let fdt_init check its own totalsize. */
    int r = fdt_init(&fdt, dtb, 2 * 1024 * 1024);
    if (r < 0) {
        *why = "devicetree header is invalid";
        return r;
    }
    p->dtb = (uintptr_t)dtb;
    p->dtb_size = fdt.totalsize;
    if ((r = parse_memory(&fdt, p)) < 0) {
        *why = "no memory node in the devicetree";
        return r;
    }
    if ((r = parse_cpus(&fdt, p)) < 0) {
        *why = "no usable cpu in the devicetree";
        return r;
    }
    parse_reserved(&fdt, p);

    int n = fdt_next_compatible(&fdt, -1, "ns16550a");
    if (n >= 0) {
        take_device(&fdt, n, &p->uart);
        fdt_prop_u32(&fdt, n, "clock-frequency", &p->uart_clock_hz);
    }
    n = fdt_next_compatible(&fdt, -1, "riscv,plic0");
    if (n < 0)
        n = fdt_next_compatible(&fdt, -1, "sifive,plic-1.0.0");
    if (n >= 0) {
        take_device(&fdt, n, &p->plic);
        fdt_prop_u32(&fdt, n, "riscv,ndev", &p->plic_sources);
        parse_plic_contexts(&fdt, n, p);
    }
    n = fdt_next_compatible(&fdt, -1, "google,goldfish-rtc");
    if (n >= 0)
        take_device(&fdt, n, &p->rtc);
    for (n = fdt_next_compatible(&fdt, -1, "virtio,mmio");
         n >= 0 && p->virtio_count < PLATFORM_MAX_VIRTIO;
         n = fdt_next_compatible(&fdt, n, "virtio,mmio"))
        take_device(&fdt, n, &p->virtio[p->virtio_count++]);

    int chosen = fdt_path(&fdt, "/chosen");
    const char *args = chosen >= 0 ? fdt_prop_str(&fdt, chosen, "bootargs") : NULL;
    if (args) {
        strncpy(p->bootargs, args, sizeof(p->bootargs) - 1);
    }
    if (!p->uart.base) {
        *why = "no ns16550a UART in the devicetree";
        return ERR_NOT_FOUND;
    }
    if (!p->plic.base) {
        *why = "no PLIC in the devicetree";
        return ERR_NOT_FOUND;
    }
    return 0;
}
