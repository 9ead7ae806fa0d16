/* Replay filter: sequences must move forward within a boot, old boots are
 * refused for good, wall clocks must agree, and a rejection changes nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cluster/replay.h"
#include "pus/err.h"

#define NOW 1700000000000ull

static struct heartbeat hb(uint32_t node, uint64_t boot, uint64_t seq, uint64_t wall,
                           uint64_t uptime)
{
    struct heartbeat h;
    memset(&h, 0, sizeof(h));
    h.node_id = node;
    h.boot_id = boot;
    h.seq = seq;
    h.wall_ms = wall;
    h.uptime_ms = uptime;
    return h;
}

static int check(struct hb_replay *r, struct heartbeat h, uint64_t now, enum hb_verdict want)
{
    enum hb_verdict v;
    int err = hb_replay_check(r, &h, now, &v);
    assert_int_equal(v, want);
    return err;
}

/* One heartbeat offered at time now, with the verdict and result wanted. */
struct step {
    uint32_t node;
    uint64_t boot, seq, wall, uptime, now;
    enum hb_verdict want;
    int err;
};

static void run_steps(struct hb_replay *r, const struct step *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum hb_verdict v;
        struct heartbeat h = hb(s[i].node, s[i].boot, s[i].seq, s[i].wall, s[i].uptime);
        int err = hb_replay_check(r, &h, s[i].now, &v);
        if (v != s[i].want || err != s[i].err)
            fail_msg("step %zu: verdict %d, result %d; wanted %d, %d", i, (int)v, err,
                     (int)s[i].want, s[i].err);
    }
}
#define RUN_STEPS(r, steps) run_steps(r, steps, sizeof(steps) / sizeof(steps[0]))

static void test_sequence_moves_forward(void **state)
{
    static const struct step steps[] = {
        { 1, 77, 5, NOW, 500, NOW, HB_ACCEPT_FIRST, 0 },
        { 1, 77, 6, NOW + 100, 600, NOW + 100, HB_ACCEPT, 0 },
        { 1, 77, 6, NOW + 100, 600, NOW + 150, HB_REJECT_REPLAY, ERR_ALREADY },
        { 1, 77, 2, NOW + 100, 600, NOW + 150, HB_REJECT_REPLAY, ERR_ALREADY },
        { 1, 77, 9, NOW + 200, 700, NOW + 200, HB_ACCEPT, 0 },      /* gaps are fine */
    };
    struct hb_replay r;
    assert_int_equal(hb_replay_init(&r, NULL), 0);
    RUN_STEPS(&r, steps);
    assert_true(hb_replay_lookup(&r, 1)->seq == 9);
    hb_replay_free(&r);
}

static void test_clock_window(void **state)
{
    static const struct step refused[] = {
        { 1, 7, 1, NOW - 2001, 10, NOW, HB_REJECT_CLOCK, ERR_RANGE },
        { 1, 7, 1, NOW + 2001, 10, NOW, HB_REJECT_CLOCK, ERR_RANGE },
    }, at_the_edge[] = {
        { 1, 7, 1, NOW + 2000, 10, NOW, HB_ACCEPT_FIRST, 0 },
    };
    struct hb_replay_config cfg = { .max_skew_ms = 2000 };
    struct hb_replay r;
    assert_int_equal(hb_replay_init(&r, &cfg), 0);
    RUN_STEPS(&r, refused);
    assert_null(hb_replay_lookup(&r, 1));   /* rejected: nothing recorded */
    RUN_STEPS(&r, at_the_edge);
    hb_replay_free(&r);
}

static void test_reboot_and_old_boots(void **state)
{
    static const struct step steps[] = {
        /* Boot A runs from NOW-10s; last heartbeat at NOW. */
        { 2, 0xA, 100, NOW, 10000, NOW, HB_ACCEPT_FIRST, 0 },
        /* Boot B starts after that: accepted, A becomes old. */
        { 2, 0xB, 1, NOW + 1500, 1000, NOW + 1500, HB_ACCEPT_NEW_BOOT, 0 },
        /* Any heartbeat of A, even with a higher seq, is now refused. */
        { 2, 0xA, 101, NOW + 1600, 11600, NOW + 1600, HB_REJECT_OLD_BOOT, ERR_ALREADY },
        /* An unseen boot that claims to have started before B's last
         * heartbeat (a replay of a boot older than A, say) is refused too. */
        { 2, 0xC, 1, NOW + 1600, 5000, NOW + 1600, HB_REJECT_OLD_BOOT, ERR_ALREADY },
        /* B carries on. */
        { 2, 0xB, 2, NOW + 1600, 1100, NOW + 1600, HB_ACCEPT, 0 },
    };
    struct hb_replay r;
    assert_int_equal(hb_replay_init(&r, NULL), 0);
    RUN_STEPS(&r, steps);
    const struct hb_replay_node *n = hb_replay_lookup(&r, 2);
    assert_true(n->boot_id == 0xB && n->seq == 2 && n->old_count == 1 && n->old_boots[0] == 0xA);
    hb_replay_free(&r);
}

/* After more than HB_REPLAY_OLD_BOOTS reboots the ring forgets the oldest
 * ids, but the start-time rule still refuses them. */
static void test_forgotten_boot_still_refused(void **state)
{
    struct hb_replay r;
    assert_int_equal(hb_replay_init(&r, NULL), 0);
    uint64_t t = NOW;
    assert_int_equal(check(&r, hb(3, 1000, 1, t, 100), t, HB_ACCEPT_FIRST), 0);
    for (int b = 1; b <= HB_REPLAY_OLD_BOOTS + 4; b++) {
        t += 2000;
        assert_int_equal(check(&r, hb(3, 1000 + b, 1, t, 100), t, HB_ACCEPT_NEW_BOOT), 0);
    }
    assert_int_equal(check(&r, hb(3, 1000, 2, t, 100 + t - NOW), t, HB_REJECT_OLD_BOOT), ERR_ALREADY);
    hb_replay_free(&r);
}

static void test_many_nodes_and_limit(void **state)
{
    struct hb_replay_config cfg = { .max_nodes = 1000 };
    struct hb_replay r;
    assert_int_equal(hb_replay_init(&r, &cfg), 0);
    for (uint32_t id = 1; id <= 1000; id++)
        assert_int_equal(check(&r, hb(id, id * 31, 1, NOW, 1), NOW, HB_ACCEPT_FIRST), 0);
    assert_int_equal(check(&r, hb(1001, 5, 1, NOW, 1), NOW, HB_REJECT_FULL), ERR_NO_SPACE);
    for (uint32_t id = 1; id <= 1000; id++) {
        assert_int_equal(check(&r, hb(id, id * 31, 1, NOW, 1), NOW, HB_REJECT_REPLAY), ERR_ALREADY);
        assert_int_equal(check(&r, hb(id, id * 31, 2, NOW, 1), NOW, HB_ACCEPT), 0);
    }
    hb_replay_free(&r);
}

static void test_restore(void **state)
{
    struct hb_replay r;
    assert_int_equal(hb_replay_init(&r, NULL), 0);
    struct hb_replay_node saved;
    memset(&saved, 0, sizeof(saved));
    saved.node_id = 9;
    saved.boot_id = 55;
    saved.seq = 10;
    saved.last_wall_ms = NOW;
    saved.old_boots[0] = 54;
    saved.old_count = 1;
    saved.old_next = 1;
    assert_int_equal(hb_replay_restore(&r, &saved), 0);
    static const struct step steps[] = {
        { 9, 55, 10, NOW, 1, NOW, HB_REJECT_REPLAY, ERR_ALREADY },
        { 9, 54, 99, NOW + 5000, 100000, NOW, HB_REJECT_OLD_BOOT, ERR_ALREADY },
        { 9, 55, 11, NOW, 1, NOW, HB_ACCEPT, 0 },
    };
    RUN_STEPS(&r, steps);
    saved.old_count = HB_REPLAY_OLD_BOOTS + 1;
    assert_int_equal(hb_replay_restore(&r, &saved), ERR_INVALID_ARGS);
    hb_replay_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_moves_forward),
        cmocka_unit_test(test_clock_window),
        cmocka_unit_test(test_reboot_and_old_boots),
        cmocka_unit_test(test_forgotten_boot_still_refused),
        cmocka_unit_test(test_many_nodes_and_limit),
        cmocka_unit_test(test_restore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
