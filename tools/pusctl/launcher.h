/* Starting node VMs: the QEMU command line and the process. */
#ifndef PUSCTL_LAUNCHER_H
#define PUSCTL_LAUNCHER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct daemon;
struct node;

struct launch_opts {
    const char *run_dir;
    const char *qemu;           /* qemu-system-riscv64 */
    const char *kernel;         /* absolute path of pusos.elf */
    const char *net;            /* "user" or "tap" */
    const char *netns;          /* tap mode: namespace the taps live in */
    const char *key_hex;
    const char *controller;     /* IP:PORT as the node sees it */
    int hb_ms;
    const char *mem;            /* "128M" */
    int api_port;               /* user mode: host port forwarded to node:80 */
    const char *disk;           /* image path, or NULL for no disk */
    const char *extra_append;   /* more bootargs, or NULL */
    bool uplink_first;          /* user mode: uplink NIC before the segment NIC on
                                   QEMU's command line (tests that nodes go by MAC) */
};

/* The node's QEMU command line as a JSON array of strings (malloc'd). */
char *node_argv_json(const struct launch_opts *o, uint32_t id);

/* The node's segment address: 10.78.0.N (user) or 10.77.0.N (tap). */
void node_segment_ip(const char *net, uint32_t id, char *out, size_t cap);

/* Starts n's QEMU from n->argv_json (stdout/stderr to RUN/nodeN.qemu.log)
 * and starts watching it. 0 or -1. */
int launch_node(struct daemon *d, struct node *n);

#endif
