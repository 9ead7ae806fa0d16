/*
 * The node HTTP server (lib/http over ksock) on port 80.
 *
 * Services add their routes with httpd_route(), preferably from an init
 * hook (any level); routes may also be added while the server runs. The
 * handler runs in the connection's thread and may block (it answers
 * through lib/http's http_response_* calls). Routes: at most 64.
 *
 *   static int get_apps(struct http_request *req, struct http_response *res, void *arg);
 *   httpd_route("GET", "/v1/apps/{name}", get_apps, NULL);
 */
#ifndef SERVICES_NET_HTTPD_H
#define SERVICES_NET_HTTPD_H

#include "http/http.h"

#define HTTPD_PORT 80

/* 0, ERR_NO_SPACE (table full), ERR_INVALID_ARGS (bad pattern). method and
   pattern must stay valid forever (string literals). */
int httpd_route(const char *method, const char *pattern, http_handler_fn fn, void *arg);

/* Connections being served now, and served since boot (for tests/metrics). */
int httpd_active(void);
unsigned long httpd_served(void);

#endif
