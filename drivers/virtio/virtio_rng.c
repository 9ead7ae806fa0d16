/*
 * virtio-rng (virtio 1.2, section 5.4; device id 4): one virtqueue of
 * device-writable buffers that the device fills with entropy from the
 * host (QEMU: -object rng-random,filename=/dev/urandom,id=rng0
 * -device virtio-rng-device,rng=rng0).
 *
 * At probe the driver fetches one buffer synchronously (waiting at most
 * 0.5 s), so the kernel random source is reseeded with host entropy before
 * the network starts.
 * After that a small thread fetches another whenever the kernel asks
 * (random_register_source: the pool went RANDOM_RESEED_NS without a reseed,
 * or `random reseed`). One request is in flight at a time; only the
 * thread (and probe, before the thread exists) touch the queue.
 */
#include <stdlib.h>
#include <string.h>
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_rng.h"
#include "kernel/event.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/random.h"
#include "kernel/thread.h"
#include "pus/err.h"

#define QUEUE_SIZE   4
#define FETCH_BYTES  64                           /* per request */
#define FETCH_CREDIT 256                          /* bits credited per full buffer */
#define FETCH_TIMEOUT_NS (2000ll * 1000 * 1000)   /* a slow host backend */
#define PROBE_TIMEOUT_NS (500ll * 1000 * 1000)    /* boot waits no longer */

struct virtio_rng {
    struct virtio_device *dev;
    struct virtqueue vq;
    uint8_t *buf;                 /* FETCH_BYTES, device-written */
    volatile uint32_t written;    /* set by the ISR */
    bool in_flight;               /* buf is the device's until it completes */
    struct event done;            /* auto-reset: a buffer came back */
    struct event want;            /* auto-reset: the kernel wants entropy */
    struct virtio_rng_stats stats;
};

static struct virtio_rng *the_rng;    /* set once at probe */

static void rng_isr(struct virtio_device *dev, uint32_t status)
{
    (void)status;
    struct virtio_rng *r = dev->driver_data;
    uint32_t len;
    while (virtq_pop(&r->vq, &len) != NULL) {
        r->written = len;
        event_signal(&r->done);
    }
}

/* One buffer of entropy into the random pool. Thread context only. */
static int fetch(struct virtio_rng *r, int64_t timeout_ns)
{
    if (!r->in_flight) {
        struct virtq_buf b = { r->buf, FETCH_BYTES, true };
        int err = virtq_push(&r->vq, &b, 1, r);
        if (err < 0)
            return err;
        r->in_flight = true;
        virtq_kick(&r->vq);
    }
    int err = event_wait_timeout(&r->done, timeout_ns);
    if (err < 0) {
        r->stats.timeouts++;
        return err;          /* still in flight: the next fetch waits for it */
    }
    r->in_flight = false;
    uint32_t n = r->written;
    if (n > FETCH_BYTES)
        n = FETCH_BYTES;     /* a device may not claim more than we gave it */
    if (n == 0) {
        r->stats.empty++;
        return ERR_IO;
    }
    random_add_entropy_from("virtio-rng", r->buf, n, FETCH_CREDIT * n / FETCH_BYTES);
    memset(r->buf, 0, FETCH_BYTES);
    r->stats.fetches++;
    r->stats.bytes += n;
    return (int)n;
}

static void request_entropy(void)
{
    if (the_rng)
        event_signal(&the_rng->want);    /* irq-safe */
}

static int rng_thread(void *arg)
{
    struct virtio_rng *r = arg;
    for (;;) {
        event_wait(&r->want);
        int n = fetch(r, FETCH_TIMEOUT_NS);
        if (n < 0)
            log_warn("virtio-rng: fetch failed: %s", err_str(n));
    }
    return 0;
}

void virtio_rng_request(void)
{
    request_entropy();
}

bool virtio_rng_present(void)
{
    return the_rng != NULL;
}

void virtio_rng_get_stats(struct virtio_rng_stats *out)
{
    if (the_rng)
        *out = the_rng->stats;
    else
        memset(out, 0, sizeof(*out));
}

static int probe(struct virtio_device *dev)
{
    struct virtio_rng *r = calloc(1, sizeof(*r));
    uint8_t *buf = calloc(1, FETCH_BYTES);
    if (!r || !buf) {
        free(r);
        free(buf);
        return ERR_NO_MEMORY;
    }
    r->buf = buf;
    int err = virtio_begin(dev, 0);            /* virtio-rng has no feature bits */
    if (err < 0)
        goto fail;
    r->dev = dev;
    dev->driver_data = r;
    dev->isr = rng_isr;
    event_init(&r->done, false, true);
    event_init(&r->want, false, true);
    if ((err = virtq_init(&r->vq, dev, 0, QUEUE_SIZE)) < 0)
        goto fail;
    if ((err = virtio_enable_irq(dev)) < 0)
        goto fail;
    virtio_finish(dev);

    int n = fetch(r, PROBE_TIMEOUT_NS);
    if (n > 0)
        log_info("virtio-rng: %d bytes of host entropy into the random pool "
                 "(virtio-mmio v%u, irq %u)", n, dev->version, dev->irq);
    else
        log_warn("virtio-rng: no entropy at probe (%s); will retry on demand", err_str(n));

    the_rng = r;
    if (!thread_spawn("virtio-rng", rng_thread, r, THREAD_PRIORITY_DEFAULT, 8 * 1024)) {
        log_warn("virtio-rng: cannot start its thread; probe-time entropy only");
        return 0;
    }
    random_register_source("virtio-rng", request_entropy);
    return 0;
fail:
    /* The queue memory (if any) stays: the device may still point at it. */
    virtio_fail(dev);
    dev->isr = NULL;
    free(buf);
    free(r);
    return err;
}

static int virtio_rng_init(void)
{
    /* One device is plenty; a second would only add the same host source. */
    struct virtio_device *dev = virtio_find(VIRTIO_DEV_RNG, 0);
    if (!dev)
        return 0;
    int err = probe(dev);
    if (err < 0)
        log_warn("virtio-rng: device in slot %d failed: %s", dev->slot, err_str(err));
    return 0;
}
INIT_HOOK(virtio_rng, INIT_LEVEL_DRIVERS, virtio_rng_init);
