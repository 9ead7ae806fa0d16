/*
 * Node VMs. Each node is one qemu-system-riscv64 process:
 *
 *   -machine virt -m 128M -smp 1 -nographic -kernel pusos.elf -append BOOTARGS
 *   -qmp unix:RUN/nodeN.qmp,server=on,wait=off        control (QMP)
 *   -chardev socket,...,path=RUN/nodeN.console,logfile=RUN/nodeN.log
 *   -serial chardev:con                               console, logged
 *   user mode: NIC 1 on the segment (stream socket to pusctl's switch),
 *              NIC 2 slirp with the node's port 80 forwarded to the host
 *   tap mode:  one NIC on a tap in the cluster's network namespace
 *   virtio-blk with RUN/nodeN.img when it exists; virtio-rng for boot ids
 *
 * docs/cluster.md explains the addresses and bootargs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "daemon.h"
#include "launcher.h"
#include "procs.h"
#include "qmp.h"
#include "runfiles.h"
#include "util.h"

void node_segment_ip(const char *net, uint32_t id, char *out, size_t cap)
{
    snprintf(out, cap, "10.%d.%u.%u", strcmp(net, "tap") == 0 ? 77 : 78, id / 256, id % 256);
}

static void add(cJSON *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(cJSON *arr, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
}

char *node_argv_json(const struct launch_opts *o, uint32_t id)
{
    cJSON *a = cJSON_CreateArray();
    char ip[32], path[1100], log[1100];
    bool tap = strcmp(o->net, "tap") == 0;
    node_segment_ip(o->net, id, ip, sizeof(ip));

    if (tap) {
        add(a, "ip"); add(a, "netns"); add(a, "exec"); add(a, "%s", o->netns);
    }
    add(a, "%s", o->qemu);
    add(a, "-machine"); add(a, "virt");
    add(a, "-nographic");
    add(a, "-monitor"); add(a, "none");
    add(a, "-m"); add(a, "%s", o->mem);
    add(a, "-smp"); add(a, "1");
    add(a, "-kernel"); add(a, "%s", o->kernel);

    char append[1024];
    int n = snprintf(append, sizeof(append), "node=%u ip=%s/24 mac=52:54:00:4e:%02x:%02x",
                     id, ip, id / 256, id % 256);
    if (!tap)
        n += snprintf(append + n, sizeof(append) - n,
                      " up_ip=10.0.2.15/24 up_gw=10.0.2.2 up_mac=52:54:00:0a:%02x:%02x",
                      id / 256, id % 256);
    snprintf(append + n, sizeof(append) - n, " controller=%s key=%s hb_ms=%d api_port=80%s%s",
             o->controller, o->key_hex, o->hb_ms, o->extra_append ? " " : "",
             o->extra_append ? o->extra_append : "");
    add(a, "-append"); add(a, "%s", append);

    node_path(o->run_dir, id, "qmp", path, sizeof(path));
    add(a, "-qmp"); add(a, "unix:%s,server=on,wait=off", path);
    node_path(o->run_dir, id, "console", path, sizeof(path));
    node_path(o->run_dir, id, "log", log, sizeof(log));
    add(a, "-chardev");
    add(a, "socket,id=con,path=%s,server=on,wait=off,logfile=%s,logappend=on", path, log);
    add(a, "-serial"); add(a, "chardev:con");

    /* The node tells its NICs apart by MAC, not by the order devices are
       probed in (which QEMU and the kernel decide), so either order works. */
    for (int pass = 0; pass < 2; pass++) {
        bool uplink_pass = (pass == 0) == o->uplink_first;
        if (uplink_pass && !tap) {
            add(a, "-netdev"); add(a, "user,id=up,hostfwd=tcp:127.0.0.1:%d-:80", o->api_port);
            add(a, "-device"); add(a, "virtio-net-device,netdev=up,mac=52:54:00:0a:%02x:%02x",
                                   id / 256, id % 256);
        } else if (!uplink_pass) {
            if (tap) {
                add(a, "-netdev");
                add(a, "tap,id=seg,ifname=pustap%u,script=no,downscript=no", id);
            } else {
                path_join(path, sizeof(path), o->run_dir, "switch.sock");
                add(a, "-netdev");
                add(a, "stream,id=seg,server=off,addr.type=unix,addr.path=%s", path);
            }
            add(a, "-device"); add(a, "virtio-net-device,netdev=seg,mac=52:54:00:4e:%02x:%02x",
                                   id / 256, id % 256);
        }
    }
    if (o->disk) {
        add(a, "-drive"); add(a, "file=%s,if=none,format=raw,id=d", o->disk);
        add(a, "-device"); add(a, "virtio-blk-device,drive=d");
    }
    add(a, "-object"); add(a, "rng-random,filename=/dev/urandom,id=rng");
    add(a, "-device"); add(a, "virtio-rng-device,rng=rng");

    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

int launch_node(struct daemon *d, struct node *n)
{
    cJSON *arr = n->argv_json ? cJSON_Parse(n->argv_json) : NULL;
    int argc = cJSON_GetArraySize(arr);
    if (argc < 1) {
        cJSON_Delete(arr);
        log_msg("node %u: no command line to launch", n->id);
        return -1;
    }
    char **argv = calloc((size_t)argc + 1, sizeof(char *));
    for (int i = 0; i < argc; i++) {
        cJSON *it = cJSON_GetArrayItem(arr, i);
        argv[i] = cJSON_IsString(it) ? it->valuestring : "";
    }

    char qmp[1100], con[1100], qlog[1100];
    node_path(d->cfg.run_dir, n->id, "qmp", qmp, sizeof(qmp));
    node_path(d->cfg.run_dir, n->id, "console", con, sizeof(con));
    node_path(d->cfg.run_dir, n->id, "qemu.log", qlog, sizeof(qlog));
    unlink(qmp);
    unlink(con);

    /* spawn_logged: the VM gets its own session (terminal signals to pusctl
     * do not hit it), the default signal mask and nothing inherited but
     * stdio, its output appended to the QEMU log. */
    pid_t pid = spawn_logged(argv, qlog);
    free(argv);
    cJSON_Delete(arr);
    if (pid < 0)
        return -1;
    n->pid = pid;
    n->launched_mono = mono_ms();
    n->dirty = true;
    if (!n->qmp)
        n->qmp = qmp_new(qmp);
    qmp_disconnect(n->qmp);
    node_watch_process(d, n);
    return 0;
}
