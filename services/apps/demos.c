/* Looking up the demo apps that demo_blobs.S embeds into the kernel image. */
#include <string.h>

#include "services/apps/app.h"

extern const struct demo demo_table[], demo_table_end[];

const struct demo *demo_find(const char *name)
{
    for (const struct demo *d = demo_table; d < demo_table_end; d++)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

void demo_for_each(void (*fn)(const struct demo *d, void *arg), void *arg)
{
    for (const struct demo *d = demo_table; d < demo_table_end; d++)
        fn(d, arg);
}
