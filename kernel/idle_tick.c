/*
 * idle_tick_us=N: a timer on the boot hart (where device interrupts
 * arrive) that fires every N microseconds and does nothing else.
 *
 * Why it exists: under QEMU's software emulation a node that sleeps
 * between packets answers slower than one that was just awake, because
 * the emulator's threads and the host CPU go cold while the guest idles
 * (a ping 20 ms after the last one takes ~0.35 ms, 2 ms after ~0.15). A
 * tick keeps the vCPU thread and QEMU's timer path running: with 1 ms,
 * pings 20 ms apart answered in 0.284 ms median instead of 0.361 in the
 * same minutes. It costs host CPU on an otherwise idle node (measured:
 * 7% of a host CPU at 1 ms, 5% at 5 ms, 0% tickless) and wakes real
 * hardware for nothing, so it is off unless asked for. See
 * docs/net-service.md, "Ping, fourth look".
 */
#include "kernel/idle_tick.h"
#include "kernel/bootargs.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "kernel/timer.h"

#define IDLE_TICK_MIN_US 100        /* more often is all overhead */
#define IDLE_TICK_MAX_US 100000     /* rarer does nothing for latency */

static struct timer tick;
static unsigned period_us;
static uint64_t fired;

unsigned idle_tick_period_us(void) { return period_us; }
uint64_t idle_tick_count(void) { return __atomic_load_n(&fired, __ATOMIC_RELAXED); }

static void tick_fired(struct timer *t, uint64_t now_ns, void *arg)
{
    (void)t;
    (void)now_ns;
    (void)arg;
    __atomic_fetch_add(&fired, 1, __ATOMIC_RELAXED);
}

/* A timer fires on the hart that armed it: this runs pinned to the boot
   hart, arms the tick and exits. */
static int arm_on_boot_hart(void *arg)
{
    (void)arg;
    timer_init(&tick);
    timer_set_periodic(&tick, (uint64_t)period_us * 1000, tick_fired, NULL);
    return 0;
}

static int idle_tick_init(void)
{
    if (!bootarg_has("idle_tick_us"))
        return 0;
    long us = bootarg_long("idle_tick_us", 0);
    if (us == 0)
        return 0;
    if (us < IDLE_TICK_MIN_US || us > IDLE_TICK_MAX_US) {
        log_warn("idle_tick_us=%ld: out of range (%d to %d, or 0 for none); no idle tick",
                 us, IDLE_TICK_MIN_US, IDLE_TICK_MAX_US);
        return 0;
    }
    period_us = (unsigned)us;
    struct thread *t = thread_create("idle-tick", arm_on_boot_hart, NULL, THREAD_PRIORITY_DEFAULT, 0);
    if (!t) {
        period_us = 0;
        log_warn("idle tick: no memory for its thread; no idle tick");
        return 0;
    }
    thread_pin(t, 0);
    thread_start(t);
    thread_detach(t);   /* after starting: a suspended thread detached is dropped */
    log_info("idle tick: every %u us on the boot hart", period_us);
    return 0;
}
INIT_HOOK(idle_tick, INIT_LEVEL_PLATFORM, idle_tick_init);
