/*
 * Bringing dead nodes back. The ladder, per attempt:
 *   QEMU process gone                  → relaunch it
 *   process alive, QMP up, attempt ≤ 2 → QMP system_reset (a hung guest)
 *                                        and cont; no RESET event from QEMU
 *                                        within 1 s → next step at once
 *   otherwise                          → SIGKILL the process and relaunch
 *   no VM (a node pusctl did not start, e.g. a simulated one)
 *                                      → run --restart-hook, if any
 * After each attempt the node is "recovering" until it heartbeats again;
 * if it stays silent, the next attempt waits 1, 2, 4 ... 60 s so a node
 * that cannot come up does not flood the host or the event log.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "launcher.h"
#include "qmp.h"
#include "runfiles.h"
#include "util.h"
#include "pus/err.h"

static uint64_t backoff_ms(uint32_t attempt)
{
    if (attempt <= 1)
        return 0;
    uint64_t ms = 1000ull << (attempt - 2 < 6 ? attempt - 2 : 6);
    return ms > 60000 ? 60000 : ms;
}

static int run_hook(struct daemon *d, struct node *n)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char id[16];
        snprintf(id, sizeof(id), "%u", n->id);
        setenv("PUS_NODE", id, 1);
        setenv("PUS_RUN_DIR", d->cfg.run_dir, 1);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execl("/bin/sh", "sh", "-c", d->cfg.restart_hook, (char *)NULL);
        _exit(127);
    }
    return (int)pid;
}

/* Kills n's QEMU and waits (briefly) until it is gone. */
static void kill_vm(struct daemon *d, struct node *n)
{
    if (n->pid <= 0)
        return;
    kill(n->pid, SIGKILL);
    for (int i = 0; i < 200 && kill(n->pid, 0) == 0; i++) {
        if (waitpid(n->pid, NULL, WNOHANG) == n->pid)
            break;
        usleep(10000);
    }
    if (n->pidfd >= 0) {
        close(n->pidfd);    /* also leaves the epoll set */
        n->pidfd = -1;
    }
    if (n->qmp)
        qmp_disconnect(n->qmp);
    n->pid = 0;
    n->dirty = true;
}

#define MAX_HOOKS 16   /* restart hooks running at once; more wait a tick */

int recover_node(struct daemon *d, struct node *n, const char *why)
{
    uint64_t now = mono_ms();
    if (!n->managed && d->cfg.restart_hook[0] && d->hooks_running >= MAX_HOOKS)
        return ERR_BUSY;          /* still dead; the detector's next tick retries */
    n->attempt++;
    n->restarts++;
    n->next_action_mono = now + backoff_ms(n->attempt + 1);
    n->boot_id_at_restart = n->hb.boot_id;
    n->dirty = true;

    if (!n->managed) {
        if (d->cfg.restart_hook[0]) {
            int pid = run_hook(d, n);
            if (pid > 0)
                d->hooks_running++;
            event_add(d, n->id, "restarted", "%s; attempt %u: no VM, ran restart hook (pid %d)",
                      why, n->attempt, pid);
        } else {
            event_add(d, n->id, "restarted", "%s; attempt %u: no VM and no restart hook; "
                      "waiting for the node to return", why, n->attempt);
        }
        node_set_state(d, n, NODE_RECOVERING, "restart hook");
        return 0;
    }

    char how[160];
    int old_pid = n->pid;
    n->reset_sent_mono = 0;
    if (n->pid > 0 && kill(n->pid, 0) == 0 && n->qmp && qmp_ready(n->qmp) && n->attempt <= 2 &&
        !n->qmp_stuck) {
        /* cont as well: a guest frozen by QMP stop stays paused through a
           reset otherwise (and cont on a running guest does nothing). */
        if (qmp_execute(n->qmp, "system_reset") == 0 && qmp_execute(n->qmp, "cont") == 0) {
            snprintf(how, sizeof(how), "VM alive but silent: QMP system_reset (pid %d)", old_pid);
            event_add(d, n->id, "restarted", "%s; attempt %u: %s", why, n->attempt, how);
            node_set_state(d, n, NODE_RECOVERING, "system_reset");
            /* A QEMU that is itself stuck (stopped by a signal, wedged) takes
               the command into its socket buffer and never acts on it: the
               detector relaunches it when no RESET event follows soon. */
            n->reset_sent_mono = now;
            return 0;
        }
    }
    n->qmp_stuck = false;
    if (n->pid > 0) {
        kill_vm(d, n);
        snprintf(how, sizeof(how), "killed QEMU pid %d and relaunched", old_pid);
    } else {
        snprintf(how, sizeof(how), "QEMU not running: relaunched");
    }
    if (launch_node(d, n) != 0) {
        event_add(d, n->id, "restart_failed", "%s; attempt %u: could not start QEMU (see %s/node%u.qemu.log)",
                  why, n->attempt, d->cfg.run_dir, n->id);
        node_set_state(d, n, NODE_DEAD, "launch failed");
        return -1;
    }
    event_add(d, n->id, "restarted", "%s; attempt %u: %s (new pid %d)", why, n->attempt, how,
              (int)n->pid);
    node_set_state(d, n, NODE_RECOVERING, "relaunched");
    return 0;
}

void recover_on_exit(struct daemon *d, struct node *n)
{
    if (n->state == NODE_DEAD)
        return;      /* already counted; the tick relaunches it */
    uint64_t now = mono_ms();
    node_set_state(d, n, NODE_DEAD, "QEMU exited");
    n->dead_since_mono = now;
    event_add(d, n->id, "dead", "its QEMU process exited");
    /* Nothing to wait for: relaunch now, unless the backoff of a node that
     * keeps failing says later (the detector's tick does it then). */
    if (!d->cfg.no_recover && now >= n->next_action_mono)
        recover_node(d, n, "QEMU exited");
}

int node_kill(struct daemon *d, struct node *n)
{
    if (!n->managed || n->pid <= 0)
        return -1;
    /* Only a hard kill here: the exit shows up through the pidfd like any
     * crash, and recovery takes over. */
    event_add(d, n->id, "killed", "SIGKILL to QEMU pid %d by request", (int)n->pid);
    return kill(n->pid, SIGKILL);
}

/* Connects QMP sockets that are not connected yet (a VM just launched
 * creates its socket a moment later). */
void recover_poll_qmp(struct daemon *d, uint64_t now)
{
    for (size_t i = 0; i < d->node_count; i++) {
        struct node *n = d->nodes[i];
        if (!n->managed || !n->qmp || n->pid <= 0 || qmp_connected(n->qmp))
            continue;
        int fd = qmp_try_connect(n->qmp, now);
        if (fd >= 0)
            daemon_qmp_watch(d, n, fd);
    }
}
