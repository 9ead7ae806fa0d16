/* Replay filter: see replay.h for the rules and why they are enough. */
#include <stdlib.h>
#include <string.h>

#include "cluster/replay.h"
#include "pus/err.h"

int hb_replay_init(struct hb_replay *r, const struct hb_replay_config *cfg)
{
    memset(r, 0, sizeof(*r));
    r->cfg.max_skew_ms = cfg && cfg->max_skew_ms ? cfg->max_skew_ms : 10000;
    r->cfg.reboot_slack_ms = cfg && cfg->reboot_slack_ms ? cfg->reboot_slack_ms : 1000;
    r->cfg.max_nodes = cfg && cfg->max_nodes ? cfg->max_nodes : 4096;
    r->capacity = 64;
    r->slots = calloc(r->capacity, sizeof(*r->slots));
    return r->slots ? 0 : ERR_NO_MEMORY;
}

void hb_replay_free(struct hb_replay *r)
{
    free(r->slots);
    memset(r, 0, sizeof(*r));
}

static size_t slot_of(size_t capacity, uint32_t id)
{
    /* Fibonacci hashing spreads consecutive node ids. */
    return (size_t)((id * 2654435769u) & (capacity - 1));
}

static struct hb_replay_node *find(const struct hb_replay *r, uint32_t id)
{
    for (size_t i = slot_of(r->capacity, id);; i = (i + 1) & (r->capacity - 1)) {
        if (r->slots[i].node_id == id)
            return &r->slots[i];
        if (r->slots[i].node_id == 0)
            return NULL;
    }
}

static struct hb_replay_node *place(struct hb_replay_node *slots, size_t capacity,
                                    uint32_t id)
{
    size_t i = slot_of(capacity, id);
    while (slots[i].node_id != 0)
        i = (i + 1) & (capacity - 1);
    return &slots[i];
}

/* Keeps the table at most half full so probes stay short. */
static int make_room(struct hb_replay *r)
{
    if (r->used + 1 <= r->capacity / 2)
        return 0;
    size_t capacity = r->capacity * 2;
    struct hb_replay_node *slots = calloc(capacity, sizeof(*slots));
    if (!slots)
        return ERR_NO_MEMORY;
    for (size_t i = 0; i < r->capacity; i++)
        if (r->slots[i].node_id != 0)
            *place(slots, capacity, r->slots[i].node_id) = r->slots[i];
    free(r->slots);
    r->slots = slots;
    r->capacity = capacity;
    return 0;
}

static bool seen_boot(const struct hb_replay_node *n, uint64_t boot_id)
{
    for (int i = 0; i < n->old_count; i++)
        if (n->old_boots[i] == boot_id)
            return true;
    return false;
}

int hb_replay_check(struct hb_replay *r, const struct heartbeat *hb,
                    uint64_t now_wall_ms, enum hb_verdict *verdict)
{
    uint64_t skew = hb->wall_ms > now_wall_ms ? hb->wall_ms - now_wall_ms
                                              : now_wall_ms - hb->wall_ms;
    if (skew > r->cfg.max_skew_ms) {
        *verdict = HB_REJECT_CLOCK;
        return ERR_RANGE;
    }

    struct hb_replay_node *n = find(r, hb->node_id);
    if (!n) {
        if (r->used >= r->cfg.max_nodes) {
            *verdict = HB_REJECT_FULL;
            return ERR_NO_SPACE;
        }
        int err = make_room(r);
        if (err < 0) {
            *verdict = HB_REJECT_FULL;
            return err;
        }
        n = place(r->slots, r->capacity, hb->node_id);
        memset(n, 0, sizeof(*n));
        n->node_id = hb->node_id;
        n->boot_id = hb->boot_id;
        n->seq = hb->seq;
        n->last_wall_ms = hb->wall_ms;
        r->used++;
        *verdict = HB_ACCEPT_FIRST;
        return 0;
    }

    if (hb->boot_id == n->boot_id) {
        if (hb->seq <= n->seq) {
            *verdict = HB_REJECT_REPLAY;
            return ERR_ALREADY;
        }
        n->seq = hb->seq;
        if (hb->wall_ms > n->last_wall_ms)
            n->last_wall_ms = hb->wall_ms;
        *verdict = HB_ACCEPT;
        return 0;
    }

    /* A different boot: only a newer one may take over. */
    uint64_t started = hb->wall_ms > hb->uptime_ms ? hb->wall_ms - hb->uptime_ms : 0;
    if (seen_boot(n, hb->boot_id) ||
        started + r->cfg.reboot_slack_ms < n->last_wall_ms) {
        *verdict = HB_REJECT_OLD_BOOT;
        return ERR_ALREADY;
    }
    n->old_boots[n->old_next] = n->boot_id;
    n->old_next = (uint8_t)((n->old_next + 1) % HB_REPLAY_OLD_BOOTS);
    if (n->old_count < HB_REPLAY_OLD_BOOTS)
        n->old_count++;
    n->boot_id = hb->boot_id;
    n->seq = hb->seq;
    n->last_wall_ms = hb->wall_ms;
    *verdict = HB_ACCEPT_NEW_BOOT;
    return 0;
}

const struct hb_replay_node *hb_replay_lookup(const struct hb_replay *r, uint32_t node_id)
{
    if (node_id == 0)
        return NULL;
    return find(r, node_id);
}

int hb_replay_restore(struct hb_replay *r, const struct hb_replay_node *node)
{
    if (node->node_id == 0 || node->old_count > HB_REPLAY_OLD_BOOTS ||
        node->old_next >= HB_REPLAY_OLD_BOOTS)
        return ERR_INVALID_ARGS;
    struct hb_replay_node *n = find(r, node->node_id);
    if (!n) {
        if (r->used >= r->cfg.max_nodes)
            return ERR_NO_SPACE;
        int err = make_room(r);
        if (err < 0)
            return err;
        n = place(r->slots, r->capacity, node->node_id);
        r->used++;
    }
    *n = *node;
    return 0;
}

const char *hb_verdict_name(enum hb_verdict v)
{
    switch (v) {
    case HB_ACCEPT_FIRST:    return "first";
    case HB_ACCEPT:          return "accepted";
    case HB_ACCEPT_NEW_BOOT: return "new boot";
    case HB_REJECT_CLOCK:    return "clock skew";
    case HB_REJECT_REPLAY:   return "replayed";
    case HB_REJECT_OLD_BOOT: return "old boot";
    case HB_REJECT_FULL:     return "too many nodes";
    }
    return "unknown";
}
