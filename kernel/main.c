/*
 * Boot. OpenSBI → _start (arch/riscv/start.S) → kmain on the boot hart:
 * devicetree, clock, pages, heap, MMU, console, scheduler, interrupts, the
 * other harts, then the init thread runs the init hooks (drivers, file
 * system, network, services), prints the ready line and starts the shell.
 */
#include <string.h>
#include "kernel/bootargs.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/heap.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/page.h"
#include "kernel/panic.h"
#include "kernel/thread.h"
#include "kernel/timer.h"
#include "kernel/kernel.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/sbi.h"
#include "platform/qemu-virt/platform.h"
#include "drivers/uart/ns16550.h"
#include "drivers/plic/plic.h"
#include "pus/err.h"
#include "pus/version.h"

extern char __kernel_start[], __kernel_end[];
extern char boot_stack_top[];
extern void secondary_start(void);

uint64_t boot_started_ns;
static volatile unsigned harts_online;

static void early_puts(const char *s)
{
    while (*s)
        sbi_console_putchar(*s++);
}

static void setup_memory(void)
{
    uintptr_t kend = ((uintptr_t)__kernel_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    size_t bitmap_bytes;
    page_init(platform.ram_base, platform.ram_size, (void *)kend, &bitmap_bytes);
    /* Firmware, kernel image and the bitmap itself. */
    page_reserve(platform.ram_base, kend + bitmap_bytes - platform.ram_base);
    page_reserve(platform.dtb, platform.dtb_size);
    for (unsigned i = 0; i < platform.reserved_count; i++)
        page_reserve(platform.reserved[i].base, platform.reserved[i].size);
    kheap_init();
    if (mmu_init(platform.ram_base, platform.ram_size) < 0)
        panic("cannot build the kernel page table");
    const struct mmio_device *devs[] = { &platform.uart, &platform.plic, &platform.rtc };
    for (unsigned i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
        if (devs[i]->base && mmu_map_device(devs[i]->base, devs[i]->size) < 0)
            panic("cannot map device at %lx", (unsigned long)devs[i]->base);
    for (unsigned i = 0; i < platform.virtio_count; i++)
        if (mmu_map_device(platform.virtio[i].base, platform.virtio[i].size) < 0)
            panic("cannot map virtio slot %u", i);
    mmu_enable();
}

static void apply_bootargs(void)
{
    int r = bootargs_init(platform.bootargs);
    if (r < 0)
        log_warn("bootargs: cannot parse them: %s", err_str(r));
    const char *p = bootarg("panic");
    if (p && strcmp(p, "halt") == 0)
        panic_set_policy(PANIC_HALT);
    else if (p && strcmp(p, "reboot") != 0)
        log_warn("bootargs: unknown panic policy '%s', using reboot", p);
    const char *lvl = bootarg("loglevel");
    if (lvl) {
        int l = log_level_from_name(lvl);
        if (l >= 0)
            log_set_console_level((enum log_level)l);
        else
            log_warn("bootargs: unknown loglevel '%s'", lvl);
    }
}

static void enable_local_interrupts(void)
{
    csr_set(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
}

/* Other harts arrive here from secondary_start with the MMU still off. */
void secondary_main(unsigned long hartid, struct cpu *c);
void secondary_main(unsigned long hartid, struct cpu *c)
{
    csr_write(sscratch, (uintptr_t)c);
    c->stack_limit = (uintptr_t)c->boot_stack;
    c->stack_top = (uintptr_t)c->boot_stack + CPU_BOOT_STACK_SIZE;
    mmu_enable();
    plic_init_hart(c->index, hartid);
    thread_init_idle(c, "idle");
    enable_local_interrupts();
    __atomic_add_fetch(&harts_online, 1, __ATOMIC_SEQ_CST);
    log_debug("smp: hart %lu online", hartid);
    arch_irq_enable();
    sched_idle_loop();
}

static void start_secondary_harts(unsigned long boot_hartid)
{
    unsigned index = 1;
    for (unsigned i = 0; i < platform.hart_count && index < MAX_CPUS; i++) {
        unsigned long hartid = platform.hartids[i];
        if (hartid == boot_hartid)
            continue;
        struct cpu *c = &cpus[index];
        c->index = index;
        c->hartid = hartid;
        c->emergency_top = (uintptr_t)(c->emergency_stack + EMERGENCY_STACK_SIZE);
        c->boot_sp = (uintptr_t)(c->boot_stack + CPU_BOOT_STACK_SIZE);
        spin_init(&c->timer_lock);
        list_init(&c->timers);
        c->programmed_deadline = UINT64_MAX;
        c->preempt_deadline = UINT64_MAX;
        cpu_count = index + 1;
        fence();
        int r = sbi_hart_start(hartid, (unsigned long)secondary_start, (unsigned long)c);
        if (r < 0) {
            log_warn("smp: cannot start hart %lu (SBI error %d)", hartid, r);
            cpu_count = index;
            continue;
        }
        index++;
    }
    /* Wait (bounded) until they are all scheduling. On a badly overloaded
       host a virtual hart can take seconds to get CPU time. */
    uint64_t deadline = clock_now_ns() + 10000000000ull;
    while (harts_online + 1 < cpu_count && clock_now_ns() < deadline)
        cpu_relax();
    if (harts_online + 1 < cpu_count)
        log_warn("smp: only %u of %u harts came online", harts_online + 1, cpu_count);
}

static int init_thread(void *arg)
{
    init_run_hooks();
    struct page_stats ps;
    page_get_stats(&ps);
    uint64_t ms = (clock_now_ns() - boot_started_ns) / 1000000ull;
    kprintf("pusos: ready (version %s, %u harts, %zu MiB RAM, %zu MiB free, boot %llu ms)\n",
            PUS_VERSION, cpu_count, platform.ram_size >> 20,
            (ps.free * PAGE_SIZE) >> 20, (unsigned long long)ms);
    kernel_start_shell();
    return 0;
}

void kmain(unsigned long hartid, const void *dtb);
void kmain(unsigned long hartid, const void *dtb)
{
    struct cpu *c = &cpus[0];
    cpu_bind(c, hartid, 0);
    cpu_count = 1;
    c->stack_top = (uintptr_t)boot_stack_top;
    c->stack_limit = (uintptr_t)boot_stack_top - 16384;

    const char *why = "?";
    if (platform_parse(dtb, &platform, &why) < 0) {
        early_puts("pusos: cannot boot: ");
        early_puts(why);
        early_puts("\n");
        sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
    }
    clock_init(platform.timebase_hz);
    timer_use_sstc(platform.has_sstc);
    boot_started_ns = 0;
    setup_memory();
    uart_init_early(&platform.uart, platform.uart_clock_hz);
    apply_bootargs();
    log_info("PusOS %s on hart %lu: %zu MiB RAM at %#lx, %u harts, timebase %llu Hz%s",
             PUS_VERSION, hartid, platform.ram_size >> 20, (unsigned long)platform.ram_base,
             platform.hart_count, (unsigned long long)platform.timebase_hz,
             platform.has_sstc ? ", sstc" : "");
    if (platform.bootargs[0]) {
        static char shown[sizeof(platform.bootargs)];
        bootargs_redacted(shown, sizeof(shown));
        log_info("bootargs: %s", shown);
    }

    sched_init_early();
    thread_init_idle(c, "idle");
    plic_init(&platform.plic, platform.plic_sources, platform.hartids, platform.plic_s_context,
              platform.hart_count);
    plic_init_hart(0, hartid);
    enable_local_interrupts();
    start_secondary_harts(hartid);

    struct thread *t = thread_create("init", init_thread, NULL, THREAD_PRIORITY_DEFAULT, 32 * 1024);
    if (!t || thread_start(t) < 0)
        panic("cannot start the init thread");
    thread_detach(t);
    arch_irq_enable();
    sched_idle_loop();
}
