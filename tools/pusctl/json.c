/* The controller's JSON documents, shared by the REST API. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "daemon.h"
#include "json.h"
#include "util.h"

cJSON *node_json(struct daemon *d, const struct node *n, uint64_t now_mono)
{
    cJSON *o = cJSON_CreateObject();
    char hex[17];
    cJSON_AddNumberToObject(o, "id", n->id);
    cJSON_AddStringToObject(o, "address", n->address);
    cJSON_AddStringToObject(o, "state", node_state_name(n->state));
    cJSON_AddNumberToObject(o, "state_since_ms", (double)n->state_since_wall);
    cJSON_AddBoolToObject(o, "managed", n->managed);
    if (n->managed) {
        cJSON_AddNumberToObject(o, "pid", n->pid);
        cJSON_AddNumberToObject(o, "api_port", n->api_port);
    }
    cJSON_AddNumberToObject(o, "boot_count", (double)n->boot_count);
    if (n->have_hb) {
        snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)n->hb.boot_id);
        cJSON_AddStringToObject(o, "boot_id", hex);
        cJSON_AddNumberToObject(o, "seq", (double)n->hb.seq);
        cJSON_AddNumberToObject(o, "uptime_ms", (double)n->hb.uptime_ms);
        cJSON_AddNumberToObject(o, "cpu_load", n->hb.cpu_load / 1000.0);
        cJSON_AddNumberToObject(o, "mem_free_kib", n->hb.mem_free_kib);
        cJSON_AddNumberToObject(o, "app_count", n->hb.app_count);
        cJSON *apps = cJSON_AddArrayToObject(o, "apps");
        for (int i = 0; i < n->hb.app_listed; i++) {
            cJSON *a = cJSON_CreateObject();
            cJSON_AddStringToObject(a, "name", n->hb.apps[i].name);
            cJSON_AddStringToObject(a, "state", hb_app_state_name(n->hb.apps[i].state));
            cJSON_AddItemToArray(apps, a);
        }
        cJSON_AddNumberToObject(o, "last_heartbeat_ms", (double)n->last_hb_wall);
        cJSON_AddNumberToObject(o, "last_heartbeat_age_ms",
                                (double)(now_mono > n->last_hb_mono ? now_mono - n->last_hb_mono : 0));
    } else {
        cJSON_AddNullToObject(o, "boot_id");
        cJSON_AddNullToObject(o, "uptime_ms");
        cJSON_AddNullToObject(o, "cpu_load");
        cJSON_AddNullToObject(o, "mem_free_kib");
        cJSON_AddNumberToObject(o, "app_count", 0);
        cJSON_AddArrayToObject(o, "apps");
        cJSON_AddNullToObject(o, "last_heartbeat_ms");
        cJSON_AddNullToObject(o, "last_heartbeat_age_ms");
    }
    cJSON_AddNumberToObject(o, "heartbeats", (double)n->hb_count);
    cJSON *rej = cJSON_AddObjectToObject(o, "rejected");
    cJSON_AddNumberToObject(rej, "replay", (double)n->rejected_replay);
    cJSON_AddNumberToObject(rej, "old_boot", (double)n->rejected_old_boot);
    cJSON_AddNumberToObject(rej, "clock", (double)n->rejected_clock);
    cJSON_AddNumberToObject(o, "restarts", n->restarts);
    return o;
}

cJSON *nodes_json(struct daemon *d)
{
    uint64_t now = mono_ms();
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "nodes");
    for (size_t i = 0; i < d->node_count; i++)
        cJSON_AddItemToArray(arr, node_json(d, d->nodes[i], now));
    return o;
}

cJSON *stats_json(struct daemon *d)
{
    const struct stats *s = &d->stats;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "received", (double)s->received);
    cJSON_AddNumberToObject(o, "accepted", (double)s->accepted);
    cJSON *r = cJSON_AddObjectToObject(o, "rejected");
    uint64_t total = s->bad_format + s->auth + s->too_big + s->version + s->replay +
                     s->old_boot + s->clock + s->full;
    cJSON_AddNumberToObject(r, "total", (double)total);
    cJSON_AddNumberToObject(r, "bad_format", (double)s->bad_format);
    cJSON_AddNumberToObject(r, "auth", (double)s->auth);
    cJSON_AddNumberToObject(r, "too_big", (double)s->too_big);
    cJSON_AddNumberToObject(r, "version", (double)s->version);
    cJSON_AddNumberToObject(r, "replay", (double)s->replay);
    cJSON_AddNumberToObject(r, "old_boot", (double)s->old_boot);
    cJSON_AddNumberToObject(r, "clock", (double)s->clock);
    cJSON_AddNumberToObject(r, "too_many_nodes", (double)s->full);
    cJSON_AddNumberToObject(o, "nodes", (double)d->node_count);
    cJSON *by = cJSON_AddObjectToObject(o, "by_state");
    size_t count[NODE_STATE_COUNT] = { 0 };
    for (size_t i = 0; i < d->node_count; i++)
        count[d->nodes[i]->state]++;
    for (int st = 0; st < NODE_STATE_COUNT; st++)
        cJSON_AddNumberToObject(by, node_state_name((enum node_state)st), (double)count[st]);
    cJSON_AddNumberToObject(o, "started_ms", (double)d->started_wall);
    cJSON *cfg = cJSON_AddObjectToObject(o, "config");
    cJSON_AddStringToObject(cfg, "run_dir", d->cfg.run_dir);
    cJSON_AddStringToObject(cfg, "net", d->cfg.net);
    cJSON_AddNumberToObject(cfg, "hb_port", d->cfg.hb_port);
    cJSON_AddNumberToObject(cfg, "suspect_ms", d->cfg.suspect_ms);
    cJSON_AddNumberToObject(cfg, "dead_ms", d->cfg.dead_ms);
    cJSON_AddNumberToObject(cfg, "boot_timeout_ms", d->cfg.boot_timeout_ms);
    cJSON_AddNumberToObject(cfg, "recover_timeout_ms", d->cfg.recover_timeout_ms);
    cJSON_AddBoolToObject(cfg, "recover", !d->cfg.no_recover);
    return o;
}

cJSON *events_json(struct daemon *d, long since, long node, long limit)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "events");
    sqlite3_stmt *st;
    const char *sql = "SELECT id,time_ms,node,type,detail FROM events "
                      "WHERE id > ? AND (? < 0 OR node = ?) ORDER BY id LIMIT ?";
    if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
        return o;
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, node);
    sqlite3_bind_int64(st, 3, node);
    sqlite3_bind_int64(st, 4, limit);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddNumberToObject(e, "time_ms", (double)sqlite3_column_int64(st, 1));
        cJSON_AddNumberToObject(e, "node", (double)sqlite3_column_int64(st, 2));
        cJSON_AddStringToObject(e, "type", (const char *)sqlite3_column_text(st, 3));
        cJSON_AddStringToObject(e, "detail", (const char *)sqlite3_column_text(st, 4));
        cJSON_AddItemToArray(arr, e);
    }
    sqlite3_finalize(st);
    return o;
}
