/*
 * Blocking sockets over lib/net (see ksock.h).
 *
 * Every call takes the net lock, tries the non-blocking lib/net call, and
 * when that says ERR_WOULD_BLOCK registers a waiter on the socket, drops
 * the lock and sleeps. The stack's event callback (ksock_event, under the
 * net lock) wakes every waiter of the socket; the call then retries. A
 * waiter is registered before the lock is dropped, so an event between the
 * failed try and the sleep is never lost.
 *
 * Locking: struct ksock fields and waiter lists are guarded by the net lock;
 * struct kwait's flag by thread_lock.
 */
#include <stdlib.h>
#include <string.h>
#include "services/net/ksock.h"
#include "services/net/netsvc.h"
#include "arch/riscv/csr.h"
#include "kernel/clock.h"
#include "kernel/thread.h"
#include "pus/err.h"

/* A flag one thread sleeps on (like an event, but waking never yields, as
   the waker holds the net lock). */
struct kwait {
    bool signalled;
    struct wait_queue wq;
};

struct waiter {
    struct waiter *next;
    struct kwait *kw;
};

struct ksock {
    struct net_sock *ns;
    int type;
    bool nonblock;
    bool closed;            /* ksock_close ran: waiters must leave */
    int refs;               /* the owner + threads sleeping on it */
    struct waiter *waiters;
};

static void kwait_init(struct kwait *k)
{
    k->signalled = false;
    wait_queue_init(&k->wq);
}

static void kwait_signal(struct kwait *k)
{
    uint64_t s;
    spin_lock_irqsave(&thread_lock, s);
    k->signalled = true;
    wait_queue_wake_all(&k->wq, false, 0);
    spin_unlock_irqrestore(&thread_lock, s);
}

static void kwait_wait(struct kwait *k, int64_t timeout_ns)
{
    uint64_t s;
    spin_lock_irqsave(&thread_lock, s);
    if (!k->signalled && timeout_ns != 0)
        wait_queue_block(&k->wq, timeout_ns);
    k->signalled = false;
    spin_unlock_irqrestore(&thread_lock, s);
}

void ksock_event(struct net_sock *sock, unsigned events)
{
    (void)events;
    struct ksock *ks = net_sock_user(sock);
    if (!ks)
        return;
    for (struct waiter *w = ks->waiters; w; w = w->next)
        kwait_signal(w->kw);
}

static void add_waiter(struct ksock *s, struct waiter *w, struct kwait *kw)
{
    w->kw = kw;
    w->next = s->waiters;
    s->waiters = w;
    s->refs++;
}

static void free_ksock(struct ksock *s)
{
    free(s);
}

/* Returns true when the socket was freed (closed and last reference). */
static bool remove_waiter(struct ksock *s, struct waiter *w)
{
    for (struct waiter **p = &s->waiters; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            break;
        }
    }
    if (--s->refs == 0) {
        free_ksock(s);
        return true;
    }
    return false;
}

static uint64_t deadline_of(const struct ksock *s, int64_t timeout_ns)
{
    if (s && s->nonblock)
        return 0;
    if (timeout_ns < 0)
        return UINT64_MAX;
    return clock_now_ns() + (uint64_t)timeout_ns;
}

static int64_t left_until(uint64_t deadline)
{
    if (deadline == UINT64_MAX)
        return TIMEOUT_INFINITE;
    uint64_t now = clock_now_ns();
    return now >= deadline ? 0 : (int64_t)(deadline - now);
}

/*
 * Called with the net lock held after a try returned ERR_WOULD_BLOCK:
 * sleeps until an event on s or the deadline. Returns 0 (try again),
 * ERR_WOULD_BLOCK (non-blocking), ERR_TIMED_OUT, or ERR_BAD_HANDLE (closed
 * meanwhile; the caller must not touch s any more).
 */
static int block_on(struct ksock *s, uint64_t deadline)
{
    if (deadline == 0)
        return ERR_WOULD_BLOCK;
    int64_t left = left_until(deadline);
    if (left == 0)
        return ERR_TIMED_OUT;
    struct kwait kw;
    struct waiter w;
    kwait_init(&kw);
    add_waiter(s, &w, &kw);
    net_unlock();
    kwait_wait(&kw, left);
    net_lock();
    bool closed = s->closed;
    if (remove_waiter(s, &w) || closed)
        return ERR_BAD_HANDLE;
    return 0;
}

static struct ksock *wrap(struct net_sock *ns, int type)
{
    struct ksock *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ns = ns;
    s->type = type;
    s->refs = 1;
    net_sock_set_user(ns, s);
    return s;
}

int ksock_socket(int type, struct ksock **out)
{
    *out = NULL;
    if (type != KSOCK_TCP && type != KSOCK_UDP)
        return ERR_INVALID_ARGS;
    if (!netsvc_stack())
        return ERR_NO_DEVICE;
    net_lock();
    struct net_sock *ns;
    int r = net_socket(netsvc_stack(), type, &ns);
    if (r == 0) {
        *out = wrap(ns, type);
        if (!*out) {
            net_close(ns);
            r = ERR_NO_MEMORY;
        }
    }
    net_unlock();
    return r;
}

int ksock_close(struct ksock *s)
{
    if (!s)
        return ERR_INVALID_ARGS;
    net_lock();
    net_sock_set_user(s->ns, NULL);
    int r = net_close(s->ns);
    s->ns = NULL;
    s->closed = true;
    for (struct waiter *w = s->waiters; w; w = w->next)
        kwait_signal(w->kw);
    if (--s->refs == 0)
        free_ksock(s);
    net_unlock();
    return r;
}

void ksock_set_nonblocking(struct ksock *s, bool on)
{
    net_lock();
    s->nonblock = on;
    net_unlock();
}

/* The simple calls: lock, call, unlock. */
#define LOCKED(expr) ({ net_lock(); int r_ = s->closed ? ERR_BAD_HANDLE : (expr); net_unlock(); r_; })

int ksock_setopt(struct ksock *s, enum net_sockopt opt, uint32_t value)
{
    return LOCKED(net_sock_setopt(s->ns, opt, value));
}

int ksock_bind(struct ksock *s, uint32_t addr, uint16_t port)
{
    return LOCKED(net_bind(s->ns, addr, port));
}

int ksock_listen(struct ksock *s, int backlog)
{
    return LOCKED(net_listen(s->ns, backlog));
}

int ksock_shutdown(struct ksock *s, int how)
{
    return LOCKED(net_shutdown(s->ns, how));
}

void ksock_local(struct ksock *s, uint32_t *addr, uint16_t *port)
{
    net_lock();
    net_sock_local(s->ns, addr, port);
    net_unlock();
}

void ksock_peer(struct ksock *s, uint32_t *addr, uint16_t *port)
{
    net_lock();
    net_sock_peer(s->ns, addr, port);
    net_unlock();
}

int ksock_accept(struct ksock *s, struct ksock **out, int64_t timeout_ns)
{
    uint64_t deadline = deadline_of(s, timeout_ns);
    *out = NULL;
    net_lock();
    int r;
    for (;;) {
        struct net_sock *ns;
        r = net_accept(s->ns, &ns);
        if (r == 0) {
            *out = wrap(ns, KSOCK_TCP);
            if (!*out) {
                net_abort(ns);
                r = ERR_NO_MEMORY;
            }
            break;
        }
        if (r != ERR_WOULD_BLOCK || (r = block_on(s, deadline)) < 0)
            break;
    }
    net_unlock();
    return r;
}

int ksock_connect(struct ksock *s, uint32_t addr, uint16_t port, int64_t timeout_ns)
{
    uint64_t deadline = deadline_of(s, timeout_ns);
    net_lock();
    int r = net_connect(s->ns, addr, port);
    while (r == ERR_WOULD_BLOCK || r == ERR_ALREADY) {
        if ((r = block_on(s, deadline)) < 0)
            break;
        r = net_connect(s->ns, addr, port);
    }
    net_unlock();
    return r;
}

int ksock_send(struct ksock *s, const void *buf, size_t len, int64_t timeout_ns)
{
    if (len > INT32_MAX)
        len = INT32_MAX;
    uint64_t deadline = deadline_of(s, timeout_ns);
    const uint8_t *p = buf;
    size_t done = 0;
    int r = 0;
    net_lock();
    if (s->type == KSOCK_UDP) {
        while ((r = net_send(s->ns, buf, len)) == ERR_WOULD_BLOCK)
            if ((r = block_on(s, deadline)) < 0)
                break;
        net_unlock();
        return r < 0 ? r : (int)len;
    }
    while (done < len) {
        uint64_t i0 = rdcycle();
        r = net_send(s->ns, p + done, len - done);
        netsvc_prof.sock_calls++;
        netsvc_prof.sock_cycles += rdcycle() - i0;
        if (r > 0)
            netsvc_prof.sock_bytes += (uint64_t)r;
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        if (r == 0)
            r = ERR_WOULD_BLOCK;
        if (r != ERR_WOULD_BLOCK || (r = block_on(s, deadline)) < 0)
            break;
    }
    net_unlock();
    return done > 0 ? (int)done : r;
}

int ksock_recv(struct ksock *s, void *buf, size_t len, int64_t timeout_ns)
{
    if (len > INT32_MAX)
        len = INT32_MAX;
    uint64_t deadline = deadline_of(s, timeout_ns);
    int r;
    net_lock();
    for (;;) {
        uint64_t i0 = rdcycle();
        r = s->type == KSOCK_UDP ? net_recvfrom(s->ns, buf, len, NULL, NULL)
                                 : net_recv(s->ns, buf, len);
        netsvc_prof.sock_calls++;
        netsvc_prof.sock_cycles += rdcycle() - i0;
        if (r > 0)
            netsvc_prof.sock_bytes += (uint64_t)r;
        if (r != ERR_WOULD_BLOCK || (r = block_on(s, deadline)) < 0)
            break;
    }
    net_unlock();
    return r;
}

int ksock_recv_all(struct ksock *s, void *buf, size_t len, int64_t timeout_ns)
{
    uint64_t deadline = deadline_of(s, timeout_ns);
    size_t got = 0;
    while (got < len) {
        int r = ksock_recv(s, (uint8_t *)buf + got, len - got,
                           deadline == 0 ? 0 : left_until(deadline));
        if (r < 0)
            return got > 0 ? (int)got : r;
        got += (size_t)r;
    }
    return (int)got;
}

int ksock_sendto(struct ksock *s, const void *buf, size_t len, uint32_t addr, uint16_t port,
                 int64_t timeout_ns)
{
    uint64_t deadline = deadline_of(s, timeout_ns);
    int r;
    net_lock();
    while ((r = net_sendto(s->ns, buf, len, addr, port)) == ERR_WOULD_BLOCK)
        if ((r = block_on(s, deadline)) < 0)
            break;
    net_unlock();
    return r < 0 ? r : (int)len;
}

int ksock_recvfrom(struct ksock *s, void *buf, size_t len, uint32_t *addr, uint16_t *port,
                   int64_t timeout_ns)
{
    uint64_t deadline = deadline_of(s, timeout_ns);
    int r;
    net_lock();
    while ((r = net_recvfrom(s->ns, buf, len, addr, port)) == ERR_WOULD_BLOCK)
        if ((r = block_on(s, deadline)) < 0)
            break;
    net_unlock();
    return r;
}

#define POLL_STACK_WAITERS 8

int ksock_poll(struct ksock_pollfd *fds, int n, int64_t timeout_ns)
{
    if (n < 0 || (n > 0 && !fds))
        return ERR_INVALID_ARGS;
    uint64_t deadline = deadline_of(NULL, timeout_ns);
    struct waiter stack_waiters[POLL_STACK_WAITERS];
    struct waiter *ws = stack_waiters;
    if (n > POLL_STACK_WAITERS && !(ws = malloc((size_t)n * sizeof *ws)))
        return ERR_NO_MEMORY;
    struct kwait kw;
    int ready;
    net_lock();
    for (;;) {
        ready = 0;
        for (int i = 0; i < n; i++) {
            struct ksock *s = fds[i].sock;
            unsigned ev = s->closed ? KSOCK_ERROR : net_sock_poll(s->ns);
            fds[i].revents = ev & (fds[i].events | KSOCK_ERROR | KSOCK_HUP);
            if (fds[i].revents)
                ready++;
        }
        int64_t left = left_until(deadline);
        if (ready || left == 0)
            break;
        kwait_init(&kw);
        for (int i = 0; i < n; i++)
            add_waiter(fds[i].sock, &ws[i], &kw);
        net_unlock();
        kwait_wait(&kw, left);
        net_lock();
        /* A socket closed meanwhile reads as an error (it stays allocated
           while our waiter holds a reference). */
        bool gone = false;
        for (int i = 0; i < n; i++)
            if (fds[i].sock->closed) {
                fds[i].revents = KSOCK_ERROR;
                gone = true;
            }
        for (int i = 0; i < n; i++)
            remove_waiter(fds[i].sock, &ws[i]);
        if (gone) {
            ready = 0;
            for (int i = 0; i < n; i++)
                ready += fds[i].revents != 0;
            break;
        }
    }
    net_unlock();
    if (ws != stack_waiters)
        free(ws);
    return ready;
}

int ksock_resolve(const char *name, uint32_t *addr, int64_t timeout_ns)
{
    if (!netsvc_stack())
        return ERR_NO_DEVICE;
    uint64_t deadline = deadline_of(NULL, timeout_ns);
    for (;;) {
        net_lock();
        unsigned seq = netsvc_stack_seq();
        int r = net_dns_lookup(netsvc_stack(), name, addr);
        net_unlock();
        if (r != ERR_WOULD_BLOCK)
            return r;
        int64_t left = left_until(deadline);
        if (left == 0)
            return ERR_TIMED_OUT;
        netsvc_stack_wait(seq, left);
    }
}
