/*
 * virtio-mmio registers (offsets in bytes). Legacy (v1) devices locate a
 * queue by one page frame number with a fixed layout; modern (v2) devices
 * take three separate addresses and a ready flag.
 */
#include <stdlib.h>
#include <string.h>
#include "drivers/virtio/virtio.h"
#include "drivers/plic/plic.h"
#include "kernel/log.h"
#include "kernel/page.h"
#include "platform/qemu-virt/platform.h"
#include "pus/err.h"

#define REG_MAGIC            0x000
#define REG_VERSION          0x004
#define REG_DEVICE_ID        0x008
#define REG_DEVICE_FEATURES  0x010
#define REG_DEVICE_FEAT_SEL  0x014
#define REG_DRIVER_FEATURES  0x020
#define REG_DRIVER_FEAT_SEL  0x024
#define REG_GUEST_PAGE_SIZE  0x028   /* legacy */
#define REG_QUEUE_SEL        0x030
#define REG_QUEUE_NUM_MAX    0x034
#define REG_QUEUE_NUM        0x038
#define REG_QUEUE_ALIGN      0x03c   /* legacy */
#define REG_QUEUE_PFN        0x040   /* legacy */
#define REG_QUEUE_READY      0x044   /* modern */
#define REG_QUEUE_NOTIFY     0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK    0x064
#define REG_STATUS           0x070
#define REG_QUEUE_DESC_LO    0x080
#define REG_QUEUE_DESC_HI    0x084
#define REG_QUEUE_AVAIL_LO   0x090
#define REG_QUEUE_AVAIL_HI   0x094
#define REG_QUEUE_USED_LO    0x0a0
#define REG_QUEUE_USED_HI    0x0a4
#define REG_CONFIG_GEN       0x0fc
#define REG_CONFIG           0x100

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER      2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED      128

#define VIRTIO_MAGIC 0x74726976u   /* "virt" */

static struct virtio_device devices[PLATFORM_MAX_VIRTIO];
static unsigned device_count;
static bool probed;

static inline uint32_t rd(struct virtio_device *d, size_t off)
{
    return *(volatile uint32_t *)(d->base + off);
}

static inline void wr(struct virtio_device *d, size_t off, uint32_t v)
{
    *(volatile uint32_t *)(d->base + off) = v;
}

static void probe(void)
{
    probed = true;
    for (unsigned i = 0; i < platform.virtio_count; i++) {
        struct virtio_device *d = &devices[device_count];
        d->base = platform.virtio[i].base;
        d->irq = platform.virtio[i].irq;
        d->slot = (int)i;
        if (rd(d, REG_MAGIC) != VIRTIO_MAGIC)
            continue;
        d->version = rd(d, REG_VERSION);
        d->device_id = rd(d, REG_DEVICE_ID);
        if (d->device_id == 0)           /* empty slot */
            continue;
        if (d->version != 1 && d->version != 2) {
            log_warn("virtio: slot %u has unknown version %u", i, d->version);
            continue;
        }
        device_count++;
    }
}

struct virtio_device *virtio_find(uint32_t device_id, int n)
{
    if (!probed)
        probe();
    for (unsigned i = 0; i < device_count; i++) {
        if (devices[i].device_id == device_id && !devices[i].claimed && n-- == 0) {
            devices[i].claimed = true;
            return &devices[i];
        }
    }
    return NULL;
}

int virtio_begin(struct virtio_device *d, uint64_t wanted)
{
    wr(d, REG_STATUS, 0);                       /* reset */
    while (rd(d, REG_STATUS) != 0)
        ;
    wr(d, REG_STATUS, STATUS_ACKNOWLEDGE);
    wr(d, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);

    wr(d, REG_DEVICE_FEAT_SEL, 0);
    uint64_t offered = rd(d, REG_DEVICE_FEATURES);
    wr(d, REG_DEVICE_FEAT_SEL, 1);
    offered |= (uint64_t)rd(d, REG_DEVICE_FEATURES) << 32;

    if (d->version == 2) {
        if (!(offered & (1ull << VIRTIO_F_VERSION_1)))
            return ERR_NOT_SUPPORTED;
        wanted |= 1ull << VIRTIO_F_VERSION_1;
    }
    d->features = offered & wanted;
    wr(d, REG_DRIVER_FEAT_SEL, 0);
    wr(d, REG_DRIVER_FEATURES, (uint32_t)d->features);
    wr(d, REG_DRIVER_FEAT_SEL, 1);
    wr(d, REG_DRIVER_FEATURES, (uint32_t)(d->features >> 32));

    if (d->version == 2) {
        wr(d, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
        if (!(rd(d, REG_STATUS) & STATUS_FEATURES_OK)) {
            virtio_fail(d);
            return ERR_NOT_SUPPORTED;
        }
    } else {
        wr(d, REG_GUEST_PAGE_SIZE, PAGE_SIZE);
    }
    return 0;
}

void virtio_finish(struct virtio_device *d)
{
    uint32_t s = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK;
    if (d->version == 2)
        s |= STATUS_FEATURES_OK;
    wr(d, REG_STATUS, s);
}

void virtio_fail(struct virtio_device *d)
{
    wr(d, REG_STATUS, rd(d, REG_STATUS) | STATUS_FAILED);
}

bool virtio_has(const struct virtio_device *d, unsigned feature)
{
    return (d->features >> feature) & 1;
}

/* Config space reads; modern devices bump a generation counter when the
   config changes, so reread until it is stable. */
#define CONFIG_READ(bits) \
uint##bits##_t virtio_config_read##bits(struct virtio_device *d, size_t off) \
{ \
    uint32_t gen; \
    uint##bits##_t v; \
    do { \
        gen = d->version == 2 ? rd(d, REG_CONFIG_GEN) : 0; \
        v = *(volatile uint##bits##_t *)(d->base + REG_CONFIG + off); \
    } while (d->version == 2 && gen != rd(d, REG_CONFIG_GEN)); \
    return v; \
}
CONFIG_READ(8)
CONFIG_READ(16)
CONFIG_READ(32)

uint64_t virtio_config_read64(struct virtio_device *d, size_t off)
{
    /* Two 32-bit halves: the transport need not support 64-bit accesses. */
    uint32_t gen;
    uint64_t v;
    do {
        gen = d->version == 2 ? rd(d, REG_CONFIG_GEN) : 0;
        v = *(volatile uint32_t *)(d->base + REG_CONFIG + off);
        v |= (uint64_t)*(volatile uint32_t *)(d->base + REG_CONFIG + off + 4) << 32;
    } while (d->version == 2 && gen != rd(d, REG_CONFIG_GEN));
    return v;
}

static void virtio_irq(void *arg)
{
    struct virtio_device *d = arg;
    uint32_t status = rd(d, REG_INTERRUPT_STATUS);
    wr(d, REG_INTERRUPT_ACK, status);
    if (d->isr)
        d->isr(d, status);
}

int virtio_enable_irq(struct virtio_device *d)
{
    return plic_register(d->irq, virtio_irq, d);
}

/* --- queues ------------------------------------------------------------ */

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

int virtq_init(struct virtqueue *vq, struct virtio_device *d, uint16_t index, uint16_t max_size)
{
    memset(vq, 0, sizeof(*vq));
    wr(d, REG_QUEUE_SEL, index);
    uint32_t dev_max = rd(d, REG_QUEUE_NUM_MAX);
    if (dev_max == 0)
        return ERR_NOT_FOUND;
    uint16_t size = max_size;
    while (size > dev_max)
        size /= 2;
    /* Legacy layout: descriptors, avail ring, then the used ring on the next
       page boundary. We use it for modern devices too. */
    size_t desc_bytes = 16u * size;
    size_t avail_bytes = 6u + 2u * size;
    size_t used_off = align_up(desc_bytes + avail_bytes, PAGE_SIZE);
    size_t used_bytes = 6u + 8u * size;
    size_t total = used_off + align_up(used_bytes, PAGE_SIZE);
    vq->mem_pages = total / PAGE_SIZE;
    vq->mem = page_alloc_zeroed(vq->mem_pages);
    vq->tokens = calloc(size, sizeof(void *));
    if (!vq->mem || !vq->tokens) {
        if (vq->mem)
            page_free(vq->mem, vq->mem_pages);
        free(vq->tokens);
        return ERR_NO_MEMORY;
    }
    vq->dev = d;
    vq->index = index;
    vq->size = size;
    vq->desc = vq->mem;
    vq->avail = (volatile uint16_t *)((uint8_t *)vq->mem + desc_bytes);
    vq->used = (volatile uint8_t *)vq->mem + used_off;
    for (uint16_t i = 0; i < size; i++)
        vq->desc[i].next = (uint16_t)(i + 1);
    vq->free_head = 0;
    vq->num_free = size;
    spin_init(&vq->lock);

    wr(d, REG_QUEUE_NUM, size);
    uintptr_t base = (uintptr_t)vq->mem;
    if (d->version == 1) {
        wr(d, REG_QUEUE_ALIGN, PAGE_SIZE);
        wr(d, REG_QUEUE_PFN, (uint32_t)(base / PAGE_SIZE));
    } else {
        uintptr_t avail = (uintptr_t)vq->avail, used = (uintptr_t)vq->used;
        wr(d, REG_QUEUE_DESC_LO, (uint32_t)base);
        wr(d, REG_QUEUE_DESC_HI, (uint32_t)((uint64_t)base >> 32));
        wr(d, REG_QUEUE_AVAIL_LO, (uint32_t)avail);
        wr(d, REG_QUEUE_AVAIL_HI, (uint32_t)((uint64_t)avail >> 32));
        wr(d, REG_QUEUE_USED_LO, (uint32_t)used);
        wr(d, REG_QUEUE_USED_HI, (uint32_t)((uint64_t)used >> 32));
        wr(d, REG_QUEUE_READY, 1);
    }
    return 0;
}

int virtq_push(struct virtqueue *vq, const struct virtq_buf *bufs, int n, void *token)
{
    if (n <= 0)
        return ERR_INVALID_ARGS;
    uint64_t state;
    spin_lock_irqsave(&vq->lock, state);
    if (vq->num_free < n) {
        spin_unlock_irqrestore(&vq->lock, state);
        return ERR_NO_SPACE;
    }
    uint16_t head = vq->free_head, i = head, last = head;
    for (int k = 0; k < n; k++) {
        struct virtq_desc *d = &vq->desc[i];
        d->addr = (uintptr_t)bufs[k].addr;
        d->len = bufs[k].len;
        d->flags = (uint16_t)((bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
                              (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        last = i;
        i = d->next;
    }
    vq->free_head = vq->desc[last].next;
    vq->num_free = (uint16_t)(vq->num_free - n);
    vq->tokens[head] = token;
    uint16_t idx = vq->avail[1];
    vq->avail[2 + (idx % vq->size)] = head;
    __atomic_thread_fence(__ATOMIC_RELEASE);   /* ring entry before index */
    vq->avail[1] = (uint16_t)(idx + 1);
    spin_unlock_irqrestore(&vq->lock, state);
    return 0;
}

void virtq_kick(struct virtqueue *vq)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    wr(vq->dev, REG_QUEUE_NOTIFY, vq->index);
}

void *virtq_pop(struct virtqueue *vq, uint32_t *written)
{
    /* Nothing used: answered without the lock and the interrupt toggling
       (most calls, e.g. reclaiming transmit buffers on every send). A
       stale last_used can only be behind, which sends us to the check
       under the lock. */
    if (*(volatile uint16_t *)(vq->used + 2) == __atomic_load_n(&vq->last_used, __ATOMIC_RELAXED))
        return NULL;
    uint64_t state;
    spin_lock_irqsave(&vq->lock, state);
    uint16_t used_idx = *(volatile uint16_t *)(vq->used + 2);
    if (vq->last_used == used_idx) {
        spin_unlock_irqrestore(&vq->lock, state);
        return NULL;
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);   /* index before ring entry */
    volatile uint8_t *elem = vq->used + 4 + 8u * (vq->last_used % vq->size);
    uint32_t id = *(volatile uint32_t *)elem;
    uint32_t len = *(volatile uint32_t *)(elem + 4);
    vq->last_used++;
    void *token = NULL;
    if (id < vq->size) {
        token = vq->tokens[id];
        vq->tokens[id] = NULL;
        /* Return the chain to the free list. */
        uint16_t i = (uint16_t)id, count = 1;
        while (vq->desc[i].flags & VIRTQ_DESC_F_NEXT) {
            i = vq->desc[i].next;
            count++;
        }
        vq->desc[i].next = vq->free_head;
        vq->free_head = (uint16_t)id;
        vq->num_free = (uint16_t)(vq->num_free + count);
    }
    spin_unlock_irqrestore(&vq->lock, state);
    if (written)
        *written = len;
    return token;
}

unsigned virtq_free_slots(struct virtqueue *vq)
{
    return vq->num_free;
}
