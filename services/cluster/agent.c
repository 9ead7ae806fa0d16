/* The heartbeat sender (see agent.h). */
#include <string.h>
#include "services/cluster/agent.h"
#include "services/net/ksock.h"
#include "services/net/netsvc.h"
#include "services/shell/shell.h"
#include "cluster/bootargs.h"
#include "kernel/bootargs.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/heap.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/page.h"
#include "kernel/random.h"
#include "kernel/thread.h"
#include "pus/err.h"

static struct {
    bool running;
    struct cluster_bootargs cfg;
    uint64_t boot_id;
    struct cluster_netconf_result net;
    uint64_t seq;
    uint64_t sent, send_errors;
    int last_error;
} agent;

__attribute__((weak)) void cluster_app_summary(struct heartbeat *hb)
{
    hb->app_count = 0;
    hb->app_listed = 0;
}

unsigned cluster_cpu_load(struct cpu_load_state *st)
{
    uint64_t now = clock_now_ns();
    uint64_t idle = 0;
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        idle += c->idle_ns;
        /* An idle hart has not been charged for its current idle stretch. */
        struct thread *cur = c->current;
        if (cur && cur == c->idle && now > cur->last_switch_in)
            idle += now - cur->last_switch_in;
    }
    uint64_t span = (now - st->last_now) * cpu_count;
    uint64_t idle_span = idle > st->last_idle ? idle - st->last_idle : 0;
    st->last_now = now;
    st->last_idle = idle;
    if (span == 0 || idle_span >= span)
        return 0;
    return (unsigned)(1000 - idle_span * 1000 / span);
}

static uint32_t free_kib(void)
{
    struct page_stats ps;
    struct heap_stats hs;
    page_get_stats(&ps);
    kheap_get_stats(&hs);
    return (uint32_t)((ps.free * PAGE_SIZE + hs.free) >> 10);
}

static int agent_thread(void *arg)
{
    struct hb_key key;
    if (hb_key_init(&key, agent.cfg.key, agent.cfg.key_len) < 0) {
        log_error("cluster: the key is unusable");
        return ERR_INVALID_ARGS;
    }
    struct ksock *s;
    int r = ksock_socket(KSOCK_UDP, &s);
    if (r == 0)
        r = ksock_connect(s, agent.cfg.controller_ip, agent.cfg.controller_port, 0);
    if (r < 0) {
        log_error("cluster: cannot open the heartbeat socket: %s", err_str(r));
        return r;
    }
    struct cpu_load_state load = { clock_now_ns(), 0 };
    cluster_cpu_load(&load);
    uint64_t period = (uint64_t)agent.cfg.hb_ms * 1000000ull;
    uint64_t next = clock_now_ns();
    static uint8_t buf[HB_MAX_SIZE];
    agent.running = true;
    log_info("cluster: node %u heartbeats to %u.%u.%u.%u:%u every %u ms (boot id %016llx)",
             agent.cfg.node, agent.cfg.controller_ip >> 24, (agent.cfg.controller_ip >> 16) & 255,
             (agent.cfg.controller_ip >> 8) & 255, agent.cfg.controller_ip & 255,
             agent.cfg.controller_port, agent.cfg.hb_ms, (unsigned long long)agent.boot_id);
    for (;;) {
        struct heartbeat hb;
        memset(&hb, 0, sizeof(hb));
        hb.node_id = agent.cfg.node;
        hb.boot_id = agent.boot_id;
        hb.seq = ++agent.seq;
        hb.uptime_ms = clock_now_ns() / 1000000ull;
        hb.wall_ms = clock_wall_ns() / 1000000ull;
        hb.cpu_load = (uint16_t)cluster_cpu_load(&load);
        hb.mem_free_kib = free_kib();
        cluster_app_summary(&hb);
        int n = hb_encode(&hb, &key, buf, sizeof(buf));
        if (n > 0)
            n = ksock_send(s, buf, (size_t)n, 0);
        if (n < 0) {
            /* Keep going: ARP may still be resolving, or the link is down. */
            agent.send_errors++;
            agent.last_error = n;
        } else {
            agent.sent++;
        }
        /* Fixed-rate schedule; after a long stall, skip the missed beats. */
        next += period;
        uint64_t now = clock_now_ns();
        if (next <= now)
            next = now + period;
        thread_sleep_ns(next - now);
    }
    return 0;
}

static int cluster_agent_init(void)
{
    const char *line = bootargs_line();
    if (!bootarg_has("controller")) {
        log_debug("cluster: no controller= in bootargs, agent off");
        return 0;
    }
    int r = cluster_bootargs_parse(line, strlen(line), &agent.cfg);
    if (r < 0) {
        log_error("cluster: bad cluster bootargs (%s); agent off", err_str(r));
        return r;
    }
    /* Addresses by MAC before the first heartbeat; on failure the agent still
       runs (the controller may be reachable anyway) and says why in the log. */
    cluster_netconf(&agent.cfg, &agent.net);
    do {
        agent.boot_id = random_u64();
    } while (agent.boot_id == 0);
    if (!thread_spawn("cluster-agent", agent_thread, NULL, THREAD_PRIORITY_HIGH, 16 * 1024))
        return ERR_NO_MEMORY;
    return 0;
}
INIT_HOOK(cluster_agent, INIT_LEVEL_SERVICES, cluster_agent_init);

static int cmd_cluster(int argc, char **argv)
{
    if (!agent.running) {
        kprintf("cluster agent: off (no controller= in bootargs)\n");
        return 0;
    }
    uint32_t ip = agent.cfg.controller_ip;
    kprintf("node %u, boot id %016llx, controller %u.%u.%u.%u:%u, every %u ms\n", agent.cfg.node,
            (unsigned long long)agent.boot_id, ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
            ip & 255, agent.cfg.controller_port, agent.cfg.hb_ms);
    if (agent.net.segment >= 0 && agent.net.uplink >= 0)
        kprintf("segment eth%d, uplink eth%d\n", agent.net.segment, agent.net.uplink);
    else if (agent.net.segment >= 0)
        kprintf("segment eth%d\n", agent.net.segment);
    kprintf("heartbeats sent %llu, send errors %llu%s%s\n", (unsigned long long)agent.sent,
            (unsigned long long)agent.send_errors, agent.send_errors ? ", last: " : "",
            agent.send_errors ? err_str(agent.last_error) : "");
    return 0;
}
SHELL_COMMAND(cluster, "cluster", "cluster agent status: node id, controller, heartbeats", cmd_cluster);
