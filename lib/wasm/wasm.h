/*
 * PusOS WebAssembly runtime: public API.
 *
 * The same portable C runs in the kernel and on the host (pusvm, tests).
 * Three kinds of object:
 *
 *   wasm_module    a decoded, validated and compiled binary. Immutable once
 *                  loaded; may be instantiated many times.
 *   wasm_store     owns everything instances create (functions, memories,
 *                  tables, globals) and the interned function types. Objects
 *                  from one store may be linked together (spectest linking);
 *                  an app normally has a store of its own.
 *   wasm_instance  a module linked to its imports, with its own execution
 *                  state: value stack, call frames, fuel, pending host call.
 *
 * Execution never recurses on the C stack: calls between wasm functions push
 * frames in arrays the instance owns, so wasm_run() uses a small bounded C
 * stack whatever the wasm call depth. wasm_run() returns at every event the
 * embedder must see (finished, trapped, paused, out of fuel, host call
 * suspended, process exit); the state stays in the instance and a later
 * wasm_run() continues where it stopped.
 *
 * Threads: one thread at a time runs an instance. The only call that is safe
 * from another thread is wasm_request_pause(). A store and its instances are
 * owned by one thread otherwise; nothing here is global, so different stores
 * run concurrently on different harts.
 */
#ifndef PUS_WASM_H
#define PUS_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types as encoded in the binary format. */
enum wasm_valtype {
    WASM_I32 = 0x7f,
    WASM_I64 = 0x7e,
    WASM_F32 = 0x7d,
    WASM_F64 = 0x7c,
    WASM_V128 = 0x7b,
    WASM_FUNCREF = 0x70,
    WASM_EXTERNREF = 0x6f,
};

/* Kinds of import and export. */
enum wasm_extern_kind {
    WASM_EXTERN_FUNC = 0,
    WASM_EXTERN_TABLE = 1,
    WASM_EXTERN_MEMORY = 2,
    WASM_EXTERN_GLOBAL = 3,
};

/*
 * A value is 64 bits: i32 zero-extended, floats as their bit patterns (so NaN
 * payloads survive), funcref as a wasm_func pointer, externref as an opaque
 * host number; 0 is the null reference for both.
 */
typedef uint64_t wasm_value;

typedef struct wasm_module wasm_module;
typedef struct wasm_store wasm_store;
typedef struct wasm_instance wasm_instance;
typedef struct wasm_func wasm_func;
typedef struct wasm_memory wasm_memory;
typedef struct wasm_table wasm_table;
typedef struct wasm_global wasm_global;

/* A function signature. types[] holds nparams parameters then nresults results. */
typedef struct wasm_functype {
    uint32_t nparams, nresults;
    const uint8_t *types;
} wasm_functype;

/* ---- loading ---------------------------------------------------------- */

/*
 * Decode, validate and compile a binary. On failure returns a negative
 * status (ERR_BAD_FORMAT malformed, ERR_CORRUPT invalid, ERR_NO_MEMORY,
 * ERR_TOO_BIG) and writes a message such as
 *   "code section, offset 0x3a: type mismatch: expected i32, got f64"
 * into err (errlen bytes, may be NULL). The bytes are copied.
 */
int wasm_module_load(const uint8_t *bytes, size_t len, wasm_module **out,
                     char *err, size_t errlen);
void wasm_module_free(wasm_module *m);

/* Imports and exports of a module, for linking by name. */
uint32_t wasm_module_import_count(const wasm_module *m);
void wasm_module_import(const wasm_module *m, uint32_t i, const char **module,
                        const char **name, enum wasm_extern_kind *kind);
/* The signature of function import i (kind must be WASM_EXTERN_FUNC). */
wasm_functype wasm_module_import_functype(const wasm_module *m, uint32_t i);
uint32_t wasm_module_export_count(const wasm_module *m);
void wasm_module_export(const wasm_module *m, uint32_t i, const char **name,
                        enum wasm_extern_kind *kind);

/* ---- store and host objects ------------------------------------------- */

wasm_store *wasm_store_new(void);
/* Frees the store with every instance and object it owns. */
void wasm_store_free(wasm_store *s);

/*
 * Host functions. args_results holds the arguments on entry and receives the
 * results (the two overlap: read arguments before writing results). The
 * calling instance is passed so the function can reach its memory.
 * Return one of:
 */
enum wasm_host_status {
    WASM_HOST_OK = 0,       /* results written */
    WASM_HOST_SUSPEND = 1,  /* the app waits: wasm_run returns WASM_SUSPENDED;
                               finish with wasm_host_complete() */
    WASM_HOST_EXIT = 2,     /* the app ends (proc_exit); wasm_run returns WASM_EXITED */
    WASM_HOST_TRAP = -1,    /* the app traps; message via wasm_host_trap() */
};
typedef int (*wasm_host_fn)(wasm_instance *caller, void *user,
                            wasm_value *args_results);

wasm_func *wasm_host_func_new(wasm_store *s, const wasm_functype *type,
                              wasm_host_fn fn, void *user);
wasm_memory *wasm_memory_new(wasm_store *s, uint32_t min_pages, uint32_t max_pages);
wasm_table *wasm_table_new(wasm_store *s, enum wasm_valtype reftype,
                           uint32_t min, uint32_t max);
wasm_global *wasm_global_new(wasm_store *s, enum wasm_valtype type, bool mut,
                             wasm_value v);
wasm_value wasm_global_get(const wasm_global *g);
wasm_functype wasm_func_type(const wasm_func *f);

/* ---- instances -------------------------------------------------------- */

/* Limits for one instance; zero fields take the defaults below. The value
 * and frame stacks start small and grow on demand up to these limits. */
typedef struct wasm_limits {
    uint32_t max_pages;        /* cap on linear memory (64 KiB pages) */
    uint32_t stack_slots;      /* value stack, 8-byte slots */
    uint32_t max_depth;        /* call frames */
    uint32_t max_table_elems;  /* cap on each table this instance defines or grows */
} wasm_limits;
#define WASM_DEFAULT_STACK_SLOTS (256u * 1024)
#define WASM_DEFAULT_MAX_DEPTH   20000u
#define WASM_MAX_TABLE_ELEMS     10000000u

/* An import, resolved by the embedder: exactly one pointer matches kind. */
typedef struct wasm_extern {
    enum wasm_extern_kind kind;
    union {
        wasm_func *func;
        wasm_table *table;
        wasm_memory *memory;
        wasm_global *global;
    } u;
} wasm_extern;

/*
 * Instantiate m in store s with imports[] in the module's import order.
 * Runs element and data initialisation and the start function (with the
 * limits given; the start function may not suspend). Returns 0, ERR_NOT_FOUND
 * or ERR_CORRUPT for incompatible imports (unlinkable), ERR_TRAP when
 * initialisation or the start function trapped (message in err), or
 * ERR_NO_MEMORY.
 */
int wasm_instantiate(wasm_store *s, const wasm_module *m, const wasm_extern *imports,
                     const wasm_limits *limits, wasm_instance **out,
                     char *err, size_t errlen);

/* Look up an export by name; returns false when missing. */
bool wasm_instance_export(wasm_instance *inst, const char *name, wasm_extern *out);
/* The same for names holding NUL bytes (len bytes). */
bool wasm_instance_export_n(wasm_instance *inst, const char *name, size_t len, wasm_extern *out);
/* Export by index i of the module (same order as wasm_module_export). */
wasm_extern wasm_instance_export_at(wasm_instance *inst, uint32_t i);
/* Export i when it is a function (its name in *name), else NULL: for
 * walking the exported functions, i from 0 to wasm_module_export_count(). */
wasm_func *wasm_instance_func_at(wasm_instance *inst, uint32_t i, const char **name);

/* ---- running ---------------------------------------------------------- */

/* What wasm_run() (and wasm_call()) returns. Traps are negative. */
enum wasm_run_status {
    WASM_DONE = 0,          /* function returned; read results with wasm_results() */
    WASM_PAUSED = 1,        /* wasm_request_pause() took effect at a safe point */
    WASM_SUSPENDED = 2,     /* a host function suspended; see wasm_pending_host_call */
    WASM_OUT_OF_FUEL = 3,   /* fuel ran out at a safe point; add fuel and run again */
    WASM_EXITED = 4,        /* a host function ended the app (proc_exit) */
    /* negative: ERR_TRAP, or ERR_EXHAUSTED for call stack exhausted */
};

/*
 * Begin a call of f with args (f's parameter count of them). Fails with
 * ERR_BAD_STATE if a call is already under way, ERR_INVALID_ARGS if f is
 * null. Nothing runs until wasm_run().
 */
int wasm_call_start(wasm_instance *inst, wasm_func *f, const wasm_value *args);
/* Run until one of the statuses above. Safe to call again after PAUSED,
 * OUT_OF_FUEL and (once completed) SUSPENDED. */
int wasm_run(wasm_instance *inst);
/* wasm_call_start + wasm_run; SUSPENDED/PAUSED are returned as they are. */
int wasm_call(wasm_instance *inst, wasm_func *f, const wasm_value *args);
/* After WASM_DONE: the results (as many as the function's result count),
 * valid until the next call starts. */
const wasm_value *wasm_results(const wasm_instance *inst);
/* Abandon a call under way (after a trap this happens by itself). */
void wasm_reset(wasm_instance *inst);

/* Ask a running instance to stop at its next safe point (loop back-edge or
 * call). Safe from any thread; a no-op cost for the runner otherwise. */
void wasm_request_pause(wasm_instance *inst);

/* Fuel: an instruction budget, checked at safe points. Each loop iteration
 * charges the static instruction count of the loop body, each call the
 * function's instruction count outside loops (an upper bound of the
 * straight-line work until the next safe point). A negative budget means
 * unlimited (the default). */
void wasm_set_fuel(wasm_instance *inst, int64_t fuel);
int64_t wasm_get_fuel(const wasm_instance *inst);

/* The host call a WASM_SUSPENDED instance waits for: the function and its
 * arguments (valid until completion). */
wasm_func *wasm_pending_host_call(wasm_instance *inst, wasm_value **args);
/* Finish the pending host call: results (the import's result count) become
 * the call's results; the next wasm_run() continues after the call. */
int wasm_host_complete(wasm_instance *inst, const wasm_value *results);

/* Trap details after a negative status: a message such as
 * "integer divide by zero" with the function index (in the module's function
 * index space, imports first) and the byte offset of the trapping
 * instruction from the start of the module binary. */
typedef struct wasm_trap_info {
    int status;
    uint32_t func_index;
    uint32_t offset;
    const char *message;
} wasm_trap_info;
const wasm_trap_info *wasm_trap(const wasm_instance *inst);
/* Formats "trap: MESSAGE in function N at offset 0xOFF". */
int wasm_trap_format(const wasm_instance *inst, char *buf, size_t len);
/* For host functions: set the message for WASM_HOST_TRAP (static string). */
void wasm_host_trap(wasm_instance *inst, const char *message);

/* ---- memory access for host functions ---------------------------------- */

/* Pointer to len bytes at addr in the instance's memory 0, or NULL when out
 * of bounds or the instance has no memory. Valid until memory grows. */
uint8_t *wasm_memory_ptr(wasm_instance *inst, uint64_t addr, uint64_t len);
uint64_t wasm_memory_size(wasm_instance *inst);
/* Host data pointer carried by the instance (WASI context, app manager...). */
void wasm_instance_set_user(wasm_instance *inst, void *user);
void *wasm_instance_user(const wasm_instance *inst);

#endif
