/*
 * Events: a flag threads wait for. An auto-reset event lets one waiter
 * through per signal; a manual one stays signalled until unsignalled.
 * event_signal() may be called from interrupt handlers.
 */
#ifndef KERNEL_EVENT_H
#define KERNEL_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/wait.h"

struct event {
    bool signalled;          /* guarded by thread_lock */
    bool auto_reset;
    struct wait_queue wq;
};

void event_init(struct event *e, bool signalled, bool auto_reset);
void event_destroy(struct event *e);
void event_wait(struct event *e);
int event_wait_timeout(struct event *e, int64_t timeout_ns);
void event_signal(struct event *e);
void event_unsignal(struct event *e);

#endif
