/*
 * REST API (JSON), served by libmicrohttpd inside the daemon's event loop:
 *
 *   GET  /api/v1/nodes                 all nodes
 *   GET  /api/v1/nodes/{id}            one node (404 if unknown)
 *   POST /api/v1/nodes/{id}/restart    restart it now (202)
 *   POST /api/v1/nodes/{id}/kill       SIGKILL its VM (202; 409 without a VM)
 *   POST /api/v1/nodes/{id}/hang       QMP stop: freeze its VM, a hang on demand
 *                                      (202; 409 without a VM whose QMP is up)
 *   GET  /api/v1/events[?since=ID&node=N&limit=N]
 *   GET  /api/v1/stats                 heartbeat counters, incl. rejections
 *
 * Errors are JSON too: {"error": "..."} with 400, 404, 405 (with Allow) or 409.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "daemon.h"
#include "qmp.h"
#include "json.h"
#include "util.h"
#include "pus/err.h"

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, cJSON *body,
                             const char *allow)
{
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    size_t len = strlen(text);
    char *with_nl = malloc(len + 2);
    memcpy(with_nl, text, len);
    with_nl[len] = '\n';
    with_nl[len + 1] = 0;
    free(text);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len + 1, with_nl, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (allow)
        MHD_add_response_header(r, "Allow", allow);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *allow,
                             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *allow,
                             const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    return reply(c, status, o, allow);
}

static bool method_is(const char *m, const char *want) { return strcmp(m, want) == 0; }

/* A query argument as a number, with a default. false if present but bad. */
static bool query_long(struct MHD_Connection *c, const char *name, long lo, long hi,
                       long dflt, long *out)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    if (!v) {
        *out = dflt;
        return true;
    }
    return parse_long(v, lo, hi, out);
}

/* A VM launched a moment ago may not have its QMP socket connected yet
   (the loop tries every 200 ms): connect now rather than refuse. One still
   negotiating capabilities (a few ms) is refused; the client retries. */
static bool qmp_ready_now(struct daemon *d, struct node *n)
{
    if (!n->qmp)
        return false;
    if (!qmp_connected(n->qmp)) {
        int fd = qmp_connect_now(n->qmp, 1000);
        if (fd < 0)
            return false;
        daemon_qmp_watch(d, n, fd);
    }
    return qmp_ready(n->qmp);
}

static enum MHD_Result node_action(struct daemon *d, struct MHD_Connection *c,
                                   struct node *n, const char *action)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "node", n->id);
    if (strcmp(action, "restart") == 0) {
        if (recover_node(d, n, "restart requested through the API") == ERR_BUSY) {
            cJSON_Delete(o);
            return error(c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                         "too many restart hooks running; try again shortly");
        }
        cJSON_AddStringToObject(o, "action", "restart");
        cJSON_AddStringToObject(o, "state", node_state_name(n->state));
        return reply(c, MHD_HTTP_ACCEPTED, o, NULL);
    }
    if (strcmp(action, "hang") == 0) {
        /* The daemon owns the VM's one QMP connection, so a test or an
           operator freezes a guest through here. Recovery undoes it: the
           system_reset it sends is followed by cont. */
        if (!n->managed || n->pid <= 0 || !qmp_ready_now(d, n) ||
            qmp_execute(n->qmp, "stop") != 0) {
            cJSON_Delete(o);
            return error(c, MHD_HTTP_CONFLICT, NULL, "node %u has no VM with QMP up to stop",
                         n->id);
        }
        event_add(d, n->id, "hung", "QMP stop by request (pid %d)", (int)n->pid);
        cJSON_AddStringToObject(o, "action", "hang");
        return reply(c, MHD_HTTP_ACCEPTED, o, NULL);
    }
    if (!n->managed || n->pid <= 0) {
        cJSON_Delete(o);
        return error(c, MHD_HTTP_CONFLICT, NULL, "node %u has no running VM to kill", n->id);
    }
    node_kill(d, n);
    cJSON_AddStringToObject(o, "action", "kill");
    return reply(c, MHD_HTTP_ACCEPTED, o, NULL);
}

static enum MHD_Result route(struct daemon *d, struct MHD_Connection *c, const char *url,
                             const char *method)
{
    static const char prefix[] = "/api/v1/";
    if (strncmp(url, prefix, sizeof(prefix) - 1) != 0)
        return error(c, MHD_HTTP_NOT_FOUND, NULL, "no such resource: %s", url);
    const char *path = url + sizeof(prefix) - 1;

    if (strcmp(path, "nodes") == 0) {
        if (!method_is(method, "GET"))
            return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET", "%s not allowed on %s", method, url);
        return reply(c, MHD_HTTP_OK, nodes_json(d), NULL);
    }
    if (strcmp(path, "stats") == 0) {
        if (!method_is(method, "GET"))
            return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET", "%s not allowed on %s", method, url);
        return reply(c, MHD_HTTP_OK, stats_json(d), NULL);
    }
    if (strcmp(path, "events") == 0) {
        if (!method_is(method, "GET"))
            return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET", "%s not allowed on %s", method, url);
        long since, node, limit;
        if (!query_long(c, "since", 0, 1L << 62, 0, &since) ||
            !query_long(c, "node", 0, 0xffffffffL, -1, &node) ||
            !query_long(c, "limit", 1, 100000, 1000, &limit))
            return error(c, MHD_HTTP_BAD_REQUEST, NULL,
                         "bad query: since, node and limit must be non-negative integers");
        return reply(c, MHD_HTTP_OK, events_json(d, since, node, limit), NULL);
    }
    if (strncmp(path, "nodes/", 6) == 0) {
        char idtext[32];
        const char *rest = path + 6;
        const char *slash = strchr(rest, '/');
        size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
        long id;
        if (idlen == 0 || idlen >= sizeof(idtext))
            return error(c, MHD_HTTP_BAD_REQUEST, NULL, "bad node id in %s", url);
        memcpy(idtext, rest, idlen);
        idtext[idlen] = 0;
        if (!parse_long(idtext, 1, 0xffffffffL, &id))
            return error(c, MHD_HTTP_BAD_REQUEST, NULL, "bad node id '%s': want a positive integer",
                         idtext);
        const char *action = slash ? slash + 1 : NULL;
        if (action && strcmp(action, "restart") != 0 && strcmp(action, "kill") != 0 &&
            strcmp(action, "hang") != 0)
            return error(c, MHD_HTTP_NOT_FOUND, NULL, "no such resource: %s", url);
        const char *allow = action ? "POST" : "GET";
        if (!method_is(method, allow))
            return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, allow, "%s not allowed on %s", method, url);
        struct node *n = node_find(d, (uint32_t)id);
        if (!n)
            return error(c, MHD_HTTP_NOT_FOUND, NULL, "no node %ld", id);
        if (!action)
            return reply(c, MHD_HTTP_OK, node_json(d, n, mono_ms()), NULL);
        return node_action(d, c, n, action);
    }
    return error(c, MHD_HTTP_NOT_FOUND, NULL, "no such resource: %s", url);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version,
                               const char *upload_data, size_t *upload_data_size,
                               void **con_cls)
{
    /* MHD calls once with the headers, then with any body in pieces, then
     * once more with nothing: answer on that last call. Bodies are ignored
     * (no endpoint takes one) but must be consumed. */
    static int marker;
    if (*con_cls == NULL) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    return route(cls, c, url, method);
}

int api_start(struct daemon *d)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)d->cfg.api_port) };
    if (inet_pton(AF_INET, d->cfg.api_addr, &a.sin_addr) != 1) {
        log_msg("bad API address %s", d->cfg.api_addr);
        return -1;
    }
    d->http = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, (uint16_t)d->cfg.api_port,
                               NULL, NULL, handler, d,
                               MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a,
                               MHD_OPTION_CONNECTION_LIMIT, 256u,
                               MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                               MHD_OPTION_END);
    if (!d->http) {
        log_msg("cannot start the REST API on %s:%d (port in use?)", d->cfg.api_addr, d->cfg.api_port);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d->http, MHD_DAEMON_INFO_EPOLL_FD);
    if (!info)
        return -1;
    d->http_epfd = info->epoll_fd;
    return 0;
}

void api_stop(struct daemon *d)
{
    if (d->http)
        MHD_stop_daemon(d->http);
    d->http = NULL;
}

void api_run(struct daemon *d)
{
    MHD_run(d->http);
}

int api_timeout_ms(struct daemon *d, int dflt)
{
    MHD_UNSIGNED_LONG_LONG t;
    if (MHD_get_timeout(d->http, &t) == MHD_YES && t < (MHD_UNSIGNED_LONG_LONG)dflt)
        return (int)t;
    return dflt;
}
