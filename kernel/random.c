/*
 * The kernel random source: the lib/crypto CSPRNG behind one spinlock, boot
 * seeding, per-source accounting and the periodic reseed. See random.h.
 *
 * random_lock guards rng, started, the counters and sources[] below. It is
 * taken with interrupts off, so interrupt handlers may call in; nothing
 * here sleeps, and each hold is bounded (one RANDOM_PIECE of output, or
 * hashing one caller's input). Callbacks and logging happen after the
 * lock is dropped.
 */
#include <stdio.h>
#include <string.h>
#include "kernel/random.h"
#include "arch/riscv/csr.h"
#include "crypto/csprng.h"
#include "fdt/fdt.h"
#include "kernel/bootargs.h"
#include "kernel/clock.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "platform/qemu-virt/platform.h"

#define MAX_SOURCES    8
#define MAX_REQUESTERS 4

struct source {
    const char *name;
    uint64_t bits;       /* credited */
    uint64_t bytes;
    uint32_t count;
};

static spinlock_t random_lock = SPINLOCK_INITIAL;
static struct csprng rng;
static bool started;
static bool announced_seeded;
static bool booted;          /* the boot report has been printed */
static uint64_t last_reseed_ns;
static uint64_t bytes_out;
static struct source sources[MAX_SOURCES];

/* Registered once at probe and never removed, so reading them without the
   lock after the count is published is safe. */
static void (*requesters[MAX_REQUESTERS])(void);
static const char *requester_names[MAX_REQUESTERS];
static unsigned requester_count;

/* First use (possibly before the boot hook): what the counters say now. */
static void start_locked(void)
{
    if (started)
        return;
    csprng_init(&rng);
    uint64_t early[3] = { rdtime(), rdcycle(), rdinstret() };
    csprng_add_entropy(&rng, early, sizeof(early), 0);
    last_reseed_ns = clock_now_ns();
    started = true;
}

static void account_locked(const char *name, size_t n, unsigned bits)
{
    if (!name)
        name = "other";
    if (bits > 256)
        bits = 256;                    /* the same clamps as csprng_add_entropy */
    if (bits > 8 * n)
        bits = (unsigned)(8 * n);
    struct source *s = NULL;
    for (int i = 0; i < MAX_SOURCES; i++) {
        if (sources[i].name == NULL || strcmp(sources[i].name, name) == 0) {
            s = &sources[i];
            break;
        }
    }
    if (!s)
        s = &sources[MAX_SOURCES - 1];   /* table full: lump the rest together */
    if (!s->name)
        s->name = name;
    s->bits += bits;
    s->bytes += n;
    s->count++;
}


void random_add_entropy_from(const char *source, const void *data, size_t n, unsigned bits)
{
    uint64_t state;
    spin_lock_irqsave(&random_lock, state);
    start_locked();
    account_locked(source, n, bits);
    if (csprng_add_entropy(&rng, data, n, bits))
        last_reseed_ns = clock_now_ns();
    /* Said once, when the first 256 credited bits reach the key after boot
       (during boot the report at level 21 says it). */
    bool announce = !announced_seeded && csprng_seeded(&rng);
    if (announce)
        announced_seeded = true;
    uint64_t credited = rng.credited_bits;
    spin_unlock_irqrestore(&random_lock, state);
    if (announce && booted)
        log_info("random: fully seeded (%llu bits credited)", (unsigned long long)credited);
}

void random_add_entropy(const void *data, size_t n, unsigned bits_estimate)
{
    random_add_entropy_from(NULL, data, n, bits_estimate);
}

void random_reseed(void)
{
    uint64_t state;
    spin_lock_irqsave(&random_lock, state);
    start_locked();
    csprng_reseed(&rng);
    last_reseed_ns = clock_now_ns();
    spin_unlock_irqrestore(&random_lock, state);
}

void random_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    bool stale = false;
    bool first = true;
    do {
        size_t piece = n < RANDOM_PIECE ? n : RANDOM_PIECE;
        uint64_t state;
        spin_lock_irqsave(&random_lock, state);
        start_locked();
        if (first) {
            /* When requests come is a little entropy too (uncredited). */
            uint64_t when = rdcycle();
            csprng_add_entropy(&rng, &when, sizeof(when), 0);
            first = false;
        }
        uint64_t now = clock_now_ns();
        if (rng.pool_dirty && now - last_reseed_ns >= RANDOM_RESEED_NS) {
            csprng_reseed(&rng);
            last_reseed_ns = now;
            stale = true;
        }
        csprng_generate(&rng, p, piece);
        bytes_out += piece;
        spin_unlock_irqrestore(&random_lock, state);
        p += piece;
        n -= piece;
    } while (n > 0);
    if (stale)
        random_request_entropy();   /* fresh device entropy for next time */
}

uint32_t random_u32(void)
{
    uint32_t v;
    random_bytes(&v, sizeof(v));
    return v;
}

uint64_t random_u64(void)
{
    uint64_t v;
    random_bytes(&v, sizeof(v));
    return v;
}

uint32_t random_below(uint32_t bound)
{
    if (bound == 0)
        return 0;
    /* Reject the top sliver that would make low values likelier. */
    uint32_t limit = (uint32_t)(-bound) % bound;   /* 2^32 mod bound */
    uint32_t v;
    do
        v = random_u32();
    while (v < limit);
    return v % bound;
}

void random_register_source(const char *name, void (*request)(void))
{
    uint64_t state;
    spin_lock_irqsave(&random_lock, state);
    if (requester_count < MAX_REQUESTERS) {
        requesters[requester_count] = request;
        requester_names[requester_count] = name;
        __atomic_store_n(&requester_count, requester_count + 1, __ATOMIC_RELEASE);
    }
    spin_unlock_irqrestore(&random_lock, state);
}

void random_request_entropy(void)
{
    unsigned count = __atomic_load_n(&requester_count, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < count; i++)
        requesters[i]();
}

void random_get_stats(struct random_stats *out)
{
    uint64_t state;
    spin_lock_irqsave(&random_lock, state);
    start_locked();
    out->seeded = csprng_seeded(&rng);
    out->credited_bits = rng.credited_bits;
    out->reseeds = rng.reseeds;
    out->requests = rng.requests;
    out->bytes = bytes_out;
    out->last_reseed_ns = last_reseed_ns;
    out->pool_bits = rng.pool_bits;
    spin_unlock_irqrestore(&random_lock, state);
}

void random_for_each_source(void (*fn)(const char *, uint64_t, uint64_t, uint32_t, void *),
                            void *arg)
{
    struct source copy[MAX_SOURCES];
    uint64_t state;
    spin_lock_irqsave(&random_lock, state);
    memcpy(copy, sources, sizeof(copy));
    spin_unlock_irqrestore(&random_lock, state);
    for (int i = 0; i < MAX_SOURCES && copy[i].name; i++)
        fn(copy[i].name, copy[i].bits, copy[i].bytes, copy[i].count, arg);
}

/* ---- boot seeding ----------------------------------------------------- */

/*
 * /chosen/rng-seed: bytes the loader (QEMU, from the host's random source)
 * put in the devicetree for us. Credited in full, as Linux does for a
 * trusted bootloader, unless the bootargs say random.trust_bootloader=off
 * (then mixed in uncredited); zeroed in place afterwards so the seed does
 * not outlive its use in memory (nothing else reads it).
 */
static void seed_from_devicetree(void)
{
    const char *trust = bootarg("random.trust_bootloader");
    bool trusted = !trust || (strcmp(trust, "off") != 0 && strcmp(trust, "0") != 0 &&
                              strcmp(trust, "no") != 0);
    struct fdt fdt;
    if (!platform.dtb || fdt_init(&fdt, (const void *)platform.dtb, platform.dtb_size) < 0)
        return;
    int chosen = fdt_path(&fdt, "/chosen");
    int len = 0;
    const void *seed = chosen >= 0 ? fdt_prop(&fdt, chosen, "rng-seed", &len) : NULL;
    if (!seed || len <= 0)
        return;
    random_add_entropy_from("rng-seed", seed, (size_t)len, trusted ? 8u * (unsigned)len : 0);
    memset((void *)seed, 0, (size_t)len);
}

/*
 * Timer jitter: how long a small, memory-touching loop takes, read with the
 * cycle and time counters, sample after sample. Under QEMU's TCG the cycle
 * counter follows host time, so the deltas carry the host's scheduling
 * noise; on hardware they carry cache and bus timing. Credited
 * conservatively: one bit for every four samples whose delta differs from
 * the previous one, at most 32 bits.
 */
#define JITTER_SAMPLES 128
static unsigned seed_from_jitter(void)
{
    static uint64_t samples[JITTER_SAMPLES];
    static volatile uint8_t scratch[4096];
    unsigned changes = 0;
    uint64_t prev_delta = 0;
    for (int i = 0; i < JITTER_SAMPLES; i++) {
        uint64_t t0 = rdcycle();
        for (int k = 0; k < 64 + (i & 31); k++)
            scratch[(k * 67 + i * 131) & (sizeof(scratch) - 1)]++;
        uint64_t delta = rdcycle() - t0;
        samples[i] = delta ^ (rdtime() << 32);
        if (i > 0 && delta != prev_delta)
            changes++;
        prev_delta = delta;
    }
    unsigned bits = changes / 4;
    if (bits > 32)
        bits = 32;
    random_add_entropy_from("jitter", samples, sizeof(samples), bits);
    memset(samples, 0, sizeof(samples));
    return bits;
}

/* Things that differ between boots and nodes but are guessable: credited 0. */
static void seed_from_machine(void)
{
    struct {
        uint64_t wall_ns, time, cycle, instret;
        uint64_t ram_base, ram_size, harts, timebase;
    } m = {
        clock_wall_ns(), rdtime(), rdcycle(), rdinstret(),
        platform.ram_base, platform.ram_size, platform.hart_count, platform.timebase_hz,
    };
    random_add_entropy_from("rtc+counters", &m, sizeof(m), 0);
}

static int random_boot_init(void)
{
    seed_from_devicetree();
    seed_from_jitter();
    seed_from_machine();
    random_reseed();      /* fold everything in, whatever was credited */
    return 0;
}
INIT_HOOK(random, INIT_LEVEL_PLATFORM, random_boot_init);

/* ---- the boot report, once the drivers have added theirs ---------------- */

struct report {
    char text[200];
    size_t used;
};

static void report_source(const char *name, uint64_t bits, uint64_t bytes, uint32_t count,
                          void *arg)
{
    (void)bytes;
    (void)count;
    struct report *r = arg;
    if (r->used >= sizeof(r->text))
        return;
    int n = snprintf(r->text + r->used, sizeof(r->text) - r->used, "%s%s (%llu bits)",
                     r->used ? ", " : "", name, (unsigned long long)bits);
    if (n > 0)
        r->used += (size_t)n;
}

static int random_report(void)
{
    static struct report r;
    struct random_stats st;
    random_for_each_source(report_source, &r);
    random_get_stats(&st);
    booted = true;
    if (st.seeded)
        log_info("random: seeded from %s; %llu bits credited", r.text,
                 (unsigned long long)st.credited_bits);
    else
        log_warn("random: only weakly seeded, from %s (%llu bits credited); no trusted "
                 "rng-seed in the devicetree and no entropy device", r.text,
                 (unsigned long long)st.credited_bits);
    return 0;
}
/* Level 21: after every driver (level 20) had its chance to add entropy. */
INIT_HOOK(random_report, 21, random_report);
