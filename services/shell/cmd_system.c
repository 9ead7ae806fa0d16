/* System commands: version, uptime, date, reboot, poweroff. */
#include <stdio.h>
#include <string.h>
#include "services/shell/shell.h"
#include "kernel/bootargs.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/idle_tick.h"
#include "arch/riscv/sbi.h"
#include "platform/qemu-virt/platform.h"
#include "pus/version.h"

static int cmd_version(int argc, char **argv)
{
    kprintf("PusOS %s (riscv64, %u harts, built %s %s)\n", PUS_VERSION, cpu_count, __DATE__, __TIME__);
    return 0;
}
SHELL_COMMAND(version, "version", "show the kernel version", cmd_version);

static void format_duration(char *buf, size_t n, uint64_t ns)
{
    uint64_t s = ns / 1000000000ull;
    snprintf(buf, n, "%llud %02llu:%02llu:%02llu.%03llu",
             (unsigned long long)(s / 86400), (unsigned long long)(s / 3600 % 24),
             (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60),
             (unsigned long long)(ns / 1000000ull % 1000));
}

static int cmd_uptime(int argc, char **argv)
{
    char buf[64];
    uint64_t now = clock_now_ns();
    format_duration(buf, sizeof(buf), now);
    uint64_t idle = 0;
    for (unsigned i = 0; i < cpu_count; i++)
        idle += cpus[i].idle_ns;
    unsigned busy_pm = now ? (unsigned)(1000 - (idle * 1000) / (now * cpu_count)) : 0;
    kprintf("up %s, %u harts, load %u.%u%%\n", buf, cpu_count, busy_pm / 10, busy_pm % 10);
    if (idle_tick_period_us())
        kprintf("idle tick every %u us, %llu so far\n", idle_tick_period_us(),
                (unsigned long long)idle_tick_count());
    return 0;
}
SHELL_COMMAND(uptime, "uptime", "time since boot and average CPU use", cmd_uptime);

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static int cmd_date(int argc, char **argv)
{
    uint64_t ns = clock_wall_ns();
    if (!ns) {
        kprintf("error: date: no wall clock (no RTC found)\n");
        return SHELL_ERR_REPORTED;
    }
    uint64_t s = ns / 1000000000ull;
    int y;
    unsigned m, d;
    civil_from_days((int64_t)(s / 86400), &y, &m, &d);
    kprintf("%04d-%02u-%02u %02llu:%02llu:%02llu UTC\n", y, m, d,
            (unsigned long long)(s / 3600 % 24), (unsigned long long)(s / 60 % 60),
            (unsigned long long)(s % 60));
    return 0;
}
SHELL_COMMAND(date, "date", "show the wall-clock date and time (UTC)", cmd_date);

static int cmd_reboot(int argc, char **argv)
{
    kprintf("rebooting\n");
    console_flush(1000 * 1000000ll);   /* queued output would die with us */
    sbi_system_reset(SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE);
}
SHELL_COMMAND(reboot, "reboot", "restart the node", cmd_reboot);

static int cmd_poweroff(int argc, char **argv)
{
    kprintf("powering off\n");
    console_flush(1000 * 1000000ll);   /* queued output would die with us */
    sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE);
}
SHELL_COMMAND(poweroff, "poweroff", "stop the node", cmd_poweroff);

static int cmd_bootargs(int argc, char **argv)
{
    static char shown[512];
    bootargs_redacted(shown, sizeof(shown));
    kprintf("%s\n", shown);
    return 0;
}
SHELL_COMMAND(bootargs, "bootargs", "show the boot options", cmd_bootargs);
