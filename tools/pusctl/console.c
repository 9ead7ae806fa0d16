/*
 * `pusctl console N`: the node's serial console, interactively. QEMU serves
 * the console on RUN/nodeN.console (one client at a time) and logs all of
 * its output to RUN/nodeN.log whether or not anyone is attached.
 * Ctrl-] detaches, as in telnet.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "runfiles.h"
#include "util.h"

#define DETACH 0x1d   /* Ctrl-] */

int cmd_console(int argc, char **argv)
{
    const char *run_dir;
    long id;
    int first = parse_one_option(argc, argv, "run-dir", &run_dir);
    if (first < 0 || first != argc - 1 || !parse_long(argv[first], 1, 0xffffffffL, &id))
        goto usage;

    struct cli c;
    cli_resolve(&c, run_dir, NULL);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    char path[1100];
    node_path(c.run_dir, (uint32_t)id, "console", path, sizeof(path));
    if (strlen(path) >= sizeof(a.sun_path)) {
        fprintf(stderr, "pusctl console: socket path too long: %s\n", path);
        return 1;
    }
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        fprintf(stderr, "pusctl console: node %ld's console is not reachable (%s: %s); "
                "is the node running? try `pusctl nodes`\n", id, path, strerror(errno));
        return 1;
    }

    struct termios saved, raw;
    bool tty = isatty(0) && tcgetattr(0, &saved) == 0;
    if (tty) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(0, TCSANOW, &raw);
        fprintf(stderr, "connected to node %ld's console; Ctrl-] to detach\r\n", id);
    }
    char buf[4096];
    int rc = 0;
    bool in_open = true;
    for (;;) {
        struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
        /* Once a non-interactive stdin has ended, stay only while output
         * keeps coming (1 s of quiet ends the session). */
        int r = poll(p, in_open ? 2 : 1, in_open ? -1 : 1000);
        if (r < 0 && errno != EINTR)
            break;
        if (r == 0)
            break;
        if (p[0].revents) {
            ssize_t n = read(fd, buf, sizeof(buf));
            if (n <= 0) {
                fprintf(stderr, "%sconsole closed (node stopped?)%s", tty ? "\r\n" : "",
                        tty ? "\r\n" : "\n");
                rc = 1;
                break;
            }
            if (write(1, buf, (size_t)n) != n)
                break;
        }
        if (in_open && p[1].revents) {
            ssize_t n = read(0, buf, sizeof(buf));
            if (n <= 0) {
                in_open = false;        /* stdin ended: keep showing output */
                continue;
            }
            char *detach = tty ? memchr(buf, DETACH, (size_t)n) : NULL;
            size_t len = detach ? (size_t)(detach - buf) : (size_t)n;
            if (len > 0 && write(fd, buf, len) != (ssize_t)len)
                break;
            if (detach)
                break;
        }
    }
    if (tty) {
        tcsetattr(0, TCSANOW, &saved);
        fprintf(stderr, "\ndetached\n");
    }
    close(fd);
    return rc;
usage:
    fprintf(stderr, "usage: pusctl console N [--run-dir DIR]\n");
    return 2;
}
