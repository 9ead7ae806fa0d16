/*
 * Ordered init hooks, LittleKernel style: a subsystem declares
 *     INIT_HOOK(virtio_blk, INIT_LEVEL_DRIVERS, virtio_blk_init);
 * and the init thread runs all hooks level by level (then by name).
 * A hook returns 0 or a negative status; failures are logged, and boot
 * goes on unless the hook is INIT_REQUIRED.
 */
#ifndef KERNEL_INIT_H
#define KERNEL_INIT_H

#define INIT_LEVEL_PLATFORM 10
#define INIT_LEVEL_DRIVERS  20
#define INIT_LEVEL_FS       30
#define INIT_LEVEL_NET      40
#define INIT_LEVEL_SERVICES 50
#define INIT_LEVEL_APPS     60

struct init_hook {
    const char *name;
    int level;
    int (*fn)(void);
};

/* Two steps so that the level macro expands to its number before it is
   turned into the section name the linker sorts by. */
#define INIT_STR_(x) #x
#define INIT_SECTION_(level, name) ".init_hooks." INIT_STR_(level) "." #name
#define INIT_HOOK(name_, level_, fn_) \
    static const struct init_hook __init_hook_##name_ \
    __attribute__((used, section(INIT_SECTION_(level_, name_)))) = { #name_, level_, fn_ }

void init_run_hooks(void);

#endif
