/* Runs the INIT_HOOK table in order (the linker sorts it by section name,
   which starts with the level). */
#include "kernel/init.h"
#include "kernel/log.h"
#include "pus/err.h"

extern const struct init_hook __init_hooks_start[], __init_hooks_end[];

void init_run_hooks(void)
{
    for (const struct init_hook *h = __init_hooks_start; h < __init_hooks_end; h++) {
        int r = h->fn();
        if (r < 0)
            log_warn("init: %s failed: %s", h->name, err_str(r));
        else
            log_debug("init: %s done", h->name);
    }
}
