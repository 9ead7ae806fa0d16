/* A minimal blocking HTTP/1.0 client for talking to the daemon's API. */
#ifndef PUSCTL_HTTP_H
#define PUSCTL_HTTP_H

/* Sends one request; *body gets the response body (malloc'd, NUL-terminated).
 * Returns the HTTP status, or -1 with errno-ish text in *body = NULL. */
int http_request(const char *host, int port, const char *method, const char *path,
                 int timeout_ms, char **body);

#endif
