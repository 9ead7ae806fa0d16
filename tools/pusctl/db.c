/*
 * The daemon's state in SQLite (RUN/state.db), so a restarted daemon picks
 * up the cluster where the last one left it: nodes with their VMs, replay
 * filter state, counters and the event log.
 *
 * Events are written at once. Node rows change with every heartbeat, so
 * they are marked dirty and written in one transaction at most once a
 * second (db_flush) — at 1,000 nodes × 10 Hz a write per heartbeat would
 * be the controller's main cost. What can be lost in a crash is under a
 * second of counters; states and events are never lost.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "daemon.h"
#include "util.h"

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS config(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS stats(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL,"
    "  node INTEGER NOT NULL, type TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS nodes("
    "  id INTEGER PRIMARY KEY, state TEXT NOT NULL, state_since INTEGER NOT NULL,"
    "  address TEXT NOT NULL, managed INTEGER NOT NULL, pid INTEGER NOT NULL,"
    "  api_port INTEGER NOT NULL, argv TEXT,"
    "  have_hb INTEGER NOT NULL, boot_id INTEGER, seq INTEGER, uptime_ms INTEGER,"
    "  wall_ms INTEGER, cpu_load INTEGER, mem_free_kib INTEGER, app_count INTEGER,"
    "  apps TEXT, last_hb_wall INTEGER, boot_count INTEGER, hb_count INTEGER,"
    "  restarts INTEGER, attempt INTEGER, rej_replay INTEGER, rej_old_boot INTEGER,"
    "  rej_clock INTEGER, replay_boot INTEGER, replay_seq INTEGER,"
    "  replay_wall INTEGER, old_boots TEXT, old_next INTEGER);";

int db_open(struct daemon *d, const char *path)
{
    if (sqlite3_open(path, &d->db) != SQLITE_OK) {
        log_msg("db: cannot open %s: %s", path, sqlite3_errmsg(d->db));
        return -1;
    }
    sqlite3_busy_timeout(d->db, 2000);
    char *err = NULL;
    if (sqlite3_exec(d->db, schema, NULL, NULL, &err) != SQLITE_OK) {
        log_msg("db: schema: %s", err);
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

void db_close(struct daemon *d)
{
    if (d->db)
        sqlite3_close(d->db);
    d->db = NULL;
}

int db_config_get(sqlite3 *db, const char *key, char *out, size_t cap)
{
    sqlite3_stmt *st;
    int found = -1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM config WHERE key=?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        found = 0;
    }
    sqlite3_finalize(st);
    return found;
}

int db_config_set(sqlite3 *db, const char *key, const char *value)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO config(key,value) VALUES(?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

void event_add(struct daemon *d, uint32_t node, const char *type, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    log_msg("event: node %u %s: %s", node, type, detail);

    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->db, "INSERT INTO events(time_ms,node,type,detail) VALUES(?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)wall_ms());
    sqlite3_bind_int64(st, 2, node);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        log_msg("db: event insert: %s", sqlite3_errmsg(d->db));
    sqlite3_finalize(st);
}

/* The counters, by name, in one table; also used by the API. */
#define STAT_FIELDS(X) X(received) X(accepted) X(bad_format) X(auth) X(too_big) \
                       X(version) X(replay) X(old_boot) X(clock) X(full)

static char *apps_json(const struct heartbeat *hb)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < hb->app_listed; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", hb->apps[i].name);
        cJSON_AddNumberToObject(o, "state", hb->apps[i].state);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return s;
}

static void apps_parse(const char *text, struct heartbeat *hb)
{
    cJSON *arr = text ? cJSON_Parse(text) : NULL;
    int i = 0;
    cJSON *o;
    cJSON_ArrayForEach(o, arr) {
        if (i >= HB_MAX_APPS)
            break;
        cJSON *name = cJSON_GetObjectItem(o, "name"), *state = cJSON_GetObjectItem(o, "state");
        if (!cJSON_IsString(name) || !cJSON_IsNumber(state))
            continue;
        snprintf(hb->apps[i].name, sizeof(hb->apps[i].name), "%s", name->valuestring);
        hb->apps[i].state = (uint8_t)state->valueint;
        i++;
    }
    hb->app_listed = (uint8_t)i;
    cJSON_Delete(arr);
}

static void save_node(struct daemon *d, sqlite3_stmt *st, struct node *n)
{
    const struct hb_replay_node *r = hb_replay_lookup(&d->replay, n->id);
    char old[HB_REPLAY_OLD_BOOTS * 17 + 1] = "";
    if (r)
        for (int i = 0; i < r->old_count; i++)
            snprintf(old + strlen(old), sizeof(old) - strlen(old), "%s%016llx",
                     i ? "," : "", (unsigned long long)r->old_boots[i]);
    char *apps = apps_json(&n->hb);
    int k = 1;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, k++, n->id);
    sqlite3_bind_text(st, k++, node_state_name(n->state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->state_since_wall);
    sqlite3_bind_text(st, k++, n->address, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, k++, n->managed);
    sqlite3_bind_int(st, k++, n->pid);
    sqlite3_bind_int(st, k++, n->api_port);
    sqlite3_bind_text(st, k++, n->argv_json, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, k++, n->have_hb);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->hb.boot_id);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->hb.seq);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->hb.uptime_ms);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->hb.wall_ms);
    sqlite3_bind_int(st, k++, n->hb.cpu_load);
    sqlite3_bind_int64(st, k++, n->hb.mem_free_kib);
    sqlite3_bind_int(st, k++, n->hb.app_count);
    sqlite3_bind_text(st, k++, apps, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->last_hb_wall);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->boot_count);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->hb_count);
    sqlite3_bind_int64(st, k++, n->restarts);
    sqlite3_bind_int64(st, k++, n->attempt);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->rejected_replay);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->rejected_old_boot);
    sqlite3_bind_int64(st, k++, (sqlite3_int64)n->rejected_clock);
    sqlite3_bind_int64(st, k++, r ? (sqlite3_int64)r->boot_id : 0);
    sqlite3_bind_int64(st, k++, r ? (sqlite3_int64)r->seq : 0);
    sqlite3_bind_int64(st, k++, r ? (sqlite3_int64)r->last_wall_ms : 0);
    sqlite3_bind_text(st, k++, old, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, k++, r ? r->old_next : 0);
    if (sqlite3_step(st) != SQLITE_DONE)
        log_msg("db: node %u: %s", n->id, sqlite3_errmsg(d->db));
    free(apps);
    n->dirty = false;
}

void db_flush(struct daemon *d)
{
    sqlite3_stmt *st;
    sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(d->db,
            "INSERT OR REPLACE INTO nodes VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
            "?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) == SQLITE_OK) {
        for (size_t i = 0; i < d->node_count; i++)
            if (d->nodes[i]->dirty)
                save_node(d, st, d->nodes[i]);
        sqlite3_finalize(st);
    } else {
        log_msg("db: prepare: %s", sqlite3_errmsg(d->db));
    }
    if (d->stats_dirty &&
        sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO stats VALUES(?,?)", -1, &st,
                           NULL) == SQLITE_OK) {
#define SAVE(f) sqlite3_reset(st); sqlite3_bind_text(st, 1, #f, -1, SQLITE_STATIC); \
                sqlite3_bind_int64(st, 2, (sqlite3_int64)d->stats.f); sqlite3_step(st);
        STAT_FIELDS(SAVE)
#undef SAVE
        sqlite3_finalize(st);
        d->stats_dirty = false;
    }
    if (sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        log_msg("db: commit: %s", sqlite3_errmsg(d->db));
}

static uint64_t col_u64(sqlite3_stmt *st, int i)
{
    return (uint64_t)sqlite3_column_int64(st, i);
}

static void load_node(struct daemon *d, sqlite3_stmt *st)
{
    uint32_t id = (uint32_t)sqlite3_column_int64(st, 0);
    struct node *n = node_add(d, id);
    if (!n)
        return;
    int st_idx = node_state_parse((const char *)sqlite3_column_text(st, 1));
    n->state = st_idx < 0 ? NODE_BOOTING : (enum node_state)st_idx;
    n->state_since_wall = col_u64(st, 2);
    snprintf(n->address, sizeof(n->address), "%s", (const char *)sqlite3_column_text(st, 3));
    n->managed = sqlite3_column_int(st, 4);
    n->pid = sqlite3_column_int(st, 5);
    n->api_port = sqlite3_column_int(st, 6);
    if (sqlite3_column_text(st, 7))
        n->argv_json = strdup((const char *)sqlite3_column_text(st, 7));
    n->have_hb = sqlite3_column_int(st, 8);
    n->hb.node_id = id;
    n->hb.boot_id = col_u64(st, 9);
    n->hb.seq = col_u64(st, 10);
    n->hb.uptime_ms = col_u64(st, 11);
    n->hb.wall_ms = col_u64(st, 12);
    n->hb.cpu_load = (uint16_t)sqlite3_column_int(st, 13);
    n->hb.mem_free_kib = (uint32_t)col_u64(st, 14);
    n->hb.app_count = (uint16_t)sqlite3_column_int(st, 15);
    apps_parse((const char *)sqlite3_column_text(st, 16), &n->hb);
    n->last_hb_wall = col_u64(st, 17);
    n->boot_count = col_u64(st, 18);
    n->hb_count = col_u64(st, 19);
    n->restarts = (uint32_t)col_u64(st, 20);
    n->attempt = (uint32_t)col_u64(st, 21);
    n->rejected_replay = col_u64(st, 22);
    n->rejected_old_boot = col_u64(st, 23);
    n->rejected_clock = col_u64(st, 24);

    struct hb_replay_node r;
    memset(&r, 0, sizeof(r));
    r.node_id = id;
    r.boot_id = col_u64(st, 25);
    r.seq = col_u64(st, 26);
    r.last_wall_ms = col_u64(st, 27);
    const char *old = (const char *)sqlite3_column_text(st, 28);
    while (old && *old && r.old_count < HB_REPLAY_OLD_BOOTS) {
        char *end;
        r.old_boots[r.old_count++] = strtoull(old, &end, 16);
        old = *end == ',' ? end + 1 : "";
    }
    r.old_next = (uint8_t)(sqlite3_column_int(st, 29) % HB_REPLAY_OLD_BOOTS);
    if (r.boot_id != 0)
        hb_replay_restore(&d->replay, &r);
    n->dirty = false;
}

int db_load(struct daemon *d)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->db, "SELECT * FROM nodes ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW)
        load_node(d, st);
    sqlite3_finalize(st);

    if (sqlite3_prepare_v2(d->db, "SELECT key,value FROM stats", -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        uint64_t v = col_u64(st, 1);
#define LOAD(f) if (strcmp(k, #f) == 0) d->stats.f = v;
        STAT_FIELDS(LOAD)
#undef LOAD
    }
    sqlite3_finalize(st);
    return 0;
}
