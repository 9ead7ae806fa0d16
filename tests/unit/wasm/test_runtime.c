/*
 * Runtime unit tests: pause/resume round trips (fuel at random instruction
 * counts, pause requests from another thread, suspending host calls) give
 * the same output as an uninterrupted run; traps are clean and carry the
 * function index and offset; limits hold; bad modules are refused with a
 * message naming section and offset.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pus/err.h"
#include "wasm/wasm.h"
#include "workload.h"

#define MAX_OUT 4096

struct env {
    uint32_t out[MAX_OUT];
    size_t nout;
    bool suspend_waits;     /* env.wait suspends instead of answering */
};

static int host_out(wasm_instance *in, void *user, wasm_value *a)
{
    struct env *e = user;
    if (e->nout < MAX_OUT)
        e->out[e->nout++] = (uint32_t)a[0];
    return WASM_HOST_OK;
}

static int host_wait(wasm_instance *in, void *user, wasm_value *a)
{
    struct env *e = user;
    if (e->suspend_waits)
        return WASM_HOST_SUSPEND;
    a[0] = (uint32_t)a[0] * 3u;
    return WASM_HOST_OK;
}

struct rt {
    wasm_module *m;
    wasm_store *s;
    wasm_instance *in;
    struct env env;
};

static void rt_open(struct rt *rt, const wasm_limits *lim)
{
    char err[256];
    memset(rt, 0, sizeof *rt);
    assert_int_equal(wasm_module_load(workload_wasm, sizeof workload_wasm, &rt->m, err, sizeof err), 0);
    rt->s = wasm_store_new();
    static const uint8_t t_out[] = {WASM_I32}, t_wait[] = {WASM_I32, WASM_I32};
    wasm_functype fo = {1, 0, t_out}, fw = {1, 1, t_wait};
    wasm_extern im[2];
    im[0].kind = im[1].kind = WASM_EXTERN_FUNC;
    im[0].u.func = wasm_host_func_new(rt->s, &fo, host_out, &rt->env);
    im[1].u.func = wasm_host_func_new(rt->s, &fw, host_wait, &rt->env);
    assert_int_equal(wasm_instantiate(rt->s, rt->m, im, lim, &rt->in, err, sizeof err), 0);
}

static void rt_close(struct rt *rt)
{
    wasm_store_free(rt->s);
    wasm_module_free(rt->m);
}

static wasm_func *export_func(struct rt *rt, const char *name)
{
    wasm_extern x;
    assert_true(wasm_instance_export(rt->in, name, &x));
    assert_int_equal(x.kind, WASM_EXTERN_FUNC);
    return x.u.func;
}

static uint64_t memory_hash(struct rt *rt)
{
    uint8_t *p = wasm_memory_ptr(rt->in, 0, 4000);
    assert_non_null(p);
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 4000; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* The reference: one uninterrupted run. */
static void reference(uint32_t n, uint64_t *result, struct env *out, uint64_t *mem)
{
    struct rt rt;
    rt_open(&rt, NULL);
    wasm_value arg = n;
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "run"), &arg), WASM_DONE);
    *result = wasm_results(rt.in)[0];
    *out = rt.env;
    *mem = memory_hash(&rt);
    rt_close(&rt);
}

static void test_fuel_round_trips(void **state)
{
    const uint32_t n = 3000;
    uint64_t want, want_mem;
    static struct env want_out;
    reference(n, &want, &want_out, &want_mem);
    assert_true(want_out.nout > 10);

    srand(12345);
    for (int round = 0; round < 40; round++) {
        struct rt rt;
        rt_open(&rt, NULL);
        wasm_value arg = n;
        int stops = 0;
        wasm_set_fuel(rt.in, 1 + rand() % 400);
        int rc = wasm_call(rt.in, export_func(&rt, "run"), &arg);
        while (rc == WASM_OUT_OF_FUEL) {
            stops++;
            assert_int_equal(wasm_get_fuel(rt.in) >= 0, 1);
            wasm_set_fuel(rt.in, 1 + rand() % 400);
            rc = wasm_run(rt.in);
        }
        assert_int_equal(rc, WASM_DONE);
        assert_true(stops > 10);
        assert_true(wasm_results(rt.in)[0] == want);
        assert_int_equal(rt.env.nout, want_out.nout);
        assert_memory_equal(rt.env.out, want_out.out, want_out.nout * sizeof want_out.out[0]);
        assert_true(memory_hash(&rt) == want_mem);
        rt_close(&rt);
    }
}

static void test_out_of_fuel_is_resumable_not_a_trap(void **state)
{
    struct rt rt;
    rt_open(&rt, NULL);
    wasm_set_fuel(rt.in, 1000);
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "spin"), NULL), WASM_OUT_OF_FUEL);
    /* a second call cannot start while one is under way */
    assert_int_equal(wasm_call_start(rt.in, export_func(&rt, "spin"), NULL), ERR_BAD_STATE);
    wasm_set_fuel(rt.in, 500);
    assert_int_equal(wasm_run(rt.in), WASM_OUT_OF_FUEL);
    wasm_reset(rt.in);
    wasm_value arg = 10;
    wasm_set_fuel(rt.in, -1);
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "run"), &arg), WASM_DONE);
    rt_close(&rt);
}

struct pauser {
    wasm_instance *in;
    volatile int stop;
};

static void *pause_thread(void *arg)
{
    struct pauser *p = arg;
    while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
        wasm_request_pause(p->in);
        for (volatile int i = 0; i < 2000; i++)
            ;
    }
    return NULL;
}

static void test_pause_from_another_thread(void **state)
{
    const uint32_t n = 20000;
    uint64_t want, want_mem;
    static struct env want_out;
    reference(n, &want, &want_out, &want_mem);

    struct rt rt;
    rt_open(&rt, NULL);
    struct pauser p = {rt.in, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, pause_thread, &p), 0);
    wasm_value arg = n;
    int pauses = 0;
    int rc = wasm_call(rt.in, export_func(&rt, "run"), &arg);
    while (rc == WASM_PAUSED) {
        pauses++;
        rc = wasm_run(rt.in);
    }
    __atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    assert_int_equal(rc, WASM_DONE);
    assert_true(wasm_results(rt.in)[0] == want);
    assert_int_equal(rt.env.nout, want_out.nout);
    assert_memory_equal(rt.env.out, want_out.out, want_out.nout * sizeof want_out.out[0]);
    assert_true(memory_hash(&rt) == want_mem);
    print_message("paused %d times\n", pauses);
    rt_close(&rt);
}

static void test_host_call_suspends(void **state)
{
    struct rt rt;
    rt_open(&rt, NULL);
    wasm_value arg = 5;
    /* answered at once: 3*(5+4+3+2+1) */
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "waits"), &arg), WASM_DONE);
    assert_int_equal((uint32_t)wasm_results(rt.in)[0], 45);

    rt.env.suspend_waits = true;
    int rc = wasm_call(rt.in, export_func(&rt, "waits"), &arg);
    int suspensions = 0;
    while (rc == WASM_SUSPENDED) {
        wasm_value *args;
        wasm_func *f = wasm_pending_host_call(rt.in, &args);
        assert_non_null(f);
        assert_int_equal(wasm_run(rt.in), ERR_BAD_STATE);   /* not completed yet */
        wasm_value answer = (uint32_t)args[0] * 3u;
        assert_int_equal(wasm_host_complete(rt.in, &answer), 0);
        suspensions++;
        rc = wasm_run(rt.in);
    }
    assert_int_equal(rc, WASM_DONE);
    assert_int_equal(suspensions, 5);
    assert_int_equal((uint32_t)wasm_results(rt.in)[0], 45);
    rt_close(&rt);
}

static void test_deep_recursion_traps_cleanly(void **state)
{
    struct rt rt;
    wasm_limits lim = {.stack_slots = 4096, .max_depth = 500};
    rt_open(&rt, &lim);
    wasm_value arg = 0;
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "recurse"), &arg), ERR_EXHAUSTED);
    const wasm_trap_info *t = wasm_trap(rt.in);
    assert_string_equal(t->message, "call stack exhausted");
    /* the instance is usable again */
    arg = 10;
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "run"), &arg), WASM_DONE);
    rt_close(&rt);

    /* default limits: the value stack or the depth limit ends it, not the C stack */
    rt_open(&rt, NULL);
    arg = 0;
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "recurse"), &arg), ERR_EXHAUSTED);
    rt_close(&rt);
}

static void test_trap_reports_function_and_offset(void **state)
{
    struct rt rt;
    rt_open(&rt, NULL);
    wasm_value args[2] = {7, 0};
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "div"), args), ERR_TRAP);
    const wasm_trap_info *t = wasm_trap(rt.in);
    assert_string_equal(t->message, "integer divide by zero");
    assert_int_equal(t->func_index, 7);   /* imports 0-1, then fib sq run waits recurse div */
    assert_true(t->offset > 0 && t->offset < sizeof workload_wasm);
    assert_int_equal(workload_wasm[t->offset], 0x6d);   /* i32.div_s */
    char msg[128];
    wasm_trap_format(rt.in, msg, sizeof msg);
    assert_non_null(strstr(msg, "function 7"));
    args[0] = 0x80000000u;
    args[1] = 0xffffffffu;
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "div"), args), ERR_TRAP);
    assert_string_equal(wasm_trap(rt.in)->message, "integer overflow");
    rt_close(&rt);
}

static void test_memory_limit(void **state)
{
    struct rt rt;
    wasm_limits lim = {.max_pages = 2};
    rt_open(&rt, &lim);
    wasm_value arg = 1;
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "grow"), &arg), WASM_DONE);
    assert_int_equal((int32_t)wasm_results(rt.in)[0], 1);
    assert_int_equal(wasm_call(rt.in, export_func(&rt, "grow"), &arg), WASM_DONE);
    assert_int_equal((int32_t)wasm_results(rt.in)[0], -1);
    assert_int_equal(wasm_memory_size(rt.in), 2 * 65536);
    assert_null(wasm_memory_ptr(rt.in, 2 * 65536 - 3, 4));
    assert_non_null(wasm_memory_ptr(rt.in, 2 * 65536 - 4, 4));
    rt_close(&rt);
}

static void test_bad_modules_are_refused(void **state)
{
    char err[256];
    wasm_module *m = (wasm_module *)1;
    uint8_t bytes[sizeof workload_wasm];

    assert_int_equal(wasm_module_load((const uint8_t *)"\0asn\1\0\0\0", 8, &m, err, sizeof err),
                     ERR_BAD_FORMAT);
    assert_null(m);
    assert_non_null(strstr(err, "magic"));

    /* truncations are refused with a message (and never crash), except
     * at section boundaries, where what is left is a smaller valid module */
    size_t refused = 0;
    for (size_t len = 0; len < sizeof workload_wasm; len++) {
        int rc = wasm_module_load(workload_wasm, len, &m, err, sizeof err);
        if (rc == 0) {
            wasm_module_free(m);
            continue;
        }
        refused++;
        assert_true(rc < 0);
        assert_non_null(strstr(err, "offset"));
    }
    assert_true(refused > sizeof workload_wasm - 16);

    /* a type error in a body names the code section */
    memcpy(bytes, workload_wasm, sizeof bytes);
    for (size_t i = sizeof bytes - 1; i > 0; i--) {
        if (bytes[i] == 0x6d) {         /* i32.div_s -> f32.add: type mismatch */
            bytes[i] = 0x92;
            break;
        }
    }
    assert_int_equal(wasm_module_load(bytes, sizeof bytes, &m, err, sizeof err), ERR_CORRUPT);
    assert_non_null(strstr(err, "code section"));
    assert_non_null(strstr(err, "type mismatch"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuel_round_trips),
        cmocka_unit_test(test_out_of_fuel_is_resumable_not_a_trap),
        cmocka_unit_test(test_pause_from_another_thread),
        cmocka_unit_test(test_host_call_suspends),
        cmocka_unit_test(test_deep_recursion_traps_cleanly),
        cmocka_unit_test(test_trap_reports_function_and_offset),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_bad_modules_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
