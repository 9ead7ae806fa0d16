/*
 * Bulk-transfer service for bench/netnode (TCP port 5001), with every byte
 * checked.
 *
 * The client sends a 16-byte request: "PNB1", a command byte, 3 bytes of
 * padding, and a little-endian uint64 length.
 *   'S': we send `length` bytes of the pattern, then close.
 *   'R': we read `length` bytes, check them against the pattern, and answer
 *        16 bytes: the offset of the first wrong byte (UINT64_MAX if none)
 *        and the number of bytes received (both little-endian uint64).
 * The pattern is the little-endian 64-bit words (i + 1) * 0x9e3779b97f4a7c15
 * for i = 0, 1, 2...: cheap to make and check here, and position-dependent
 * so a lost, repeated or misplaced segment shows.
 */
#include <string.h>
#include "services/net/ksock.h"
#include "services/net/netsvc.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "pus/err.h"

#define NETBENCH_PORT 5001
#define CHUNK (32 * 1024)
#define IO_TIMEOUT (30ll * 1000 * 1000 * 1000)

static inline uint64_t word(uint64_t i) { return (i + 1) * 0x9e3779b97f4a7c15ull; }
static inline uint8_t byte_at(uint64_t pos) { return (uint8_t)(word(pos >> 3) >> (8 * (pos & 7))); }

static void fill(uint8_t *buf, uint64_t pos, size_t len)   /* pos % 8 == 0 */
{
    for (size_t i = 0; i + 8 <= len; i += 8) {
        uint64_t w = word((pos + i) >> 3);
        __builtin_memcpy(buf + i, &w, 8);   /* a store, never a call */
    }
    for (size_t i = len & ~(size_t)7; i < len; i++)
        buf[i] = byte_at(pos + i);
}

/* Returns the index of the first wrong byte in buf, or len. */
static size_t check(const uint8_t *buf, uint64_t pos, size_t len)
{
    size_t i = 0;
    for (; i < len && ((pos + i) & 7); i++)
        if (buf[i] != byte_at(pos + i))
            return i;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        __builtin_memcpy(&w, buf + i, 8);
        if (w != word((pos + i) >> 3))
            break;
    }
    for (; i < len; i++)
        if (buf[i] != byte_at(pos + i))
            return i;
    return len;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int active_transfers;      /* bench_conn threads running */

static int bench_conn(void *arg)
{
    struct ksock *c = arg;
    uint8_t *buf = netsvc_malloc(CHUNK);
    uint8_t req[16];
    if (!buf || ksock_recv_all(c, req, 16, IO_TIMEOUT) != 16 || memcmp(req, "PNB1", 4))
        goto out;
    uint64_t len = 0;
    for (int i = 0; i < 8; i++)
        len |= (uint64_t)req[8 + i] << (8 * i);
    if (req[4] == 'S') {
        for (uint64_t pos = 0; pos < len;) {
            size_t n = len - pos < CHUNK ? (size_t)(len - pos) : CHUNK;
            fill(buf, pos, n);
            if (ksock_send(c, buf, n, IO_TIMEOUT) != (int)n)
                goto out;
            pos += n;
        }
    } else if (req[4] == 'R') {
        uint64_t pos = 0, bad = UINT64_MAX;
        while (pos < len) {
            size_t want = len - pos < CHUNK ? (size_t)(len - pos) : CHUNK;
            int n = ksock_recv(c, buf, want, IO_TIMEOUT);
            if (n <= 0)
                break;
            size_t ok = bad == UINT64_MAX ? check(buf, pos, (size_t)n) : (size_t)n;
            if (ok < (size_t)n)
                bad = pos + ok;
            pos += (uint64_t)n;
        }
        uint8_t answer[16];
        put64(answer, bad);
        put64(answer + 8, pos);
        ksock_send(c, answer, 16, IO_TIMEOUT);
    }
    ksock_shutdown(c, NET_SHUT_WR);
    /* Wait for the client's close so our FIN is not turned into a reset. */
    while (ksock_recv(c, buf, CHUNK, IO_TIMEOUT) > 0)
        ;
out:
    netsvc_free(buf);
    ksock_close(c);
    __atomic_sub_fetch(&active_transfers, 1, __ATOMIC_RELAXED);
    return 0;
}

/*
 * Each accepted connection inherits the listener's large buffers (1.5 MiB
 * together), allocated in full: more than a few at once would take the
 * stack's memory from every other service, and the port is open to the
 * network. Transfers beyond MAX_TRANSFERS are closed at once.
 */
#define MAX_TRANSFERS 2

static int bench_listener(void *arg)
{
    (void)arg;
    struct ksock *s;
    /* Bulk transfers want more data in flight than the default rings
       allow when ACKs come back late (a busy host schedules QEMU late). */
    if (ksock_socket(KSOCK_TCP, &s) < 0 || ksock_setopt(s, NET_OPT_SNDBUF, 1u << 20) < 0 ||
        ksock_setopt(s, NET_OPT_RCVBUF, 512u << 10) < 0 || ksock_bind(s, 0, NETBENCH_PORT) < 0 ||
        ksock_listen(s, 8) < 0) {
        log_error("netbench: cannot listen on port %d", NETBENCH_PORT);
        return 1;
    }
    for (;;) {
        struct ksock *c;
        if (ksock_accept(s, &c, TIMEOUT_INFINITE) < 0)
            continue;
        if (__atomic_add_fetch(&active_transfers, 1, __ATOMIC_RELAXED) > MAX_TRANSFERS) {
            __atomic_sub_fetch(&active_transfers, 1, __ATOMIC_RELAXED);
            log_warn("netbench: %d transfers already running: connection closed", MAX_TRANSFERS);
            ksock_close(c);
            continue;
        }
        struct thread *t = thread_spawn("netbench", bench_conn, c, THREAD_PRIORITY_DEFAULT,
                                        THREAD_STACK_DEFAULT);
        if (t) {
            thread_detach(t);
        } else {
            ksock_close(c);
            __atomic_sub_fetch(&active_transfers, 1, __ATOMIC_RELAXED);
        }
    }
    return 0;
}

static int netbench_init(void)
{
    if (!netsvc_stack())
        return ERR_NO_DEVICE;
    return thread_spawn("netbench", bench_listener, NULL, THREAD_PRIORITY_DEFAULT,
                        THREAD_STACK_DEFAULT) ? 0 : ERR_NO_MEMORY;
}
INIT_HOOK(net_bench, INIT_LEVEL_SERVICES, netbench_init);
