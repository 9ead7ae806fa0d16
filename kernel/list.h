/* Intrusive circular doubly-linked lists, as in LittleKernel and Linux. */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
    struct list_node *prev, *next;
};

#define LIST_INITIAL(name) { &(name), &(name) }
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

static inline void list_init(struct list_node *l) { l->prev = l->next = l; }
static inline bool list_empty(const struct list_node *l) { return l->next == l; }
static inline bool list_in_list(const struct list_node *n) { return n->next != NULL && n->next != n; }

static inline void list_insert_after(struct list_node *pos, struct list_node *n)
{
    n->prev = pos;
    n->next = pos->next;
    pos->next->prev = n;
    pos->next = n;
}
static inline void list_add_tail(struct list_node *l, struct list_node *n) { list_insert_after(l->prev, n); }
static inline void list_add_head(struct list_node *l, struct list_node *n) { list_insert_after(l, n); }

static inline void list_delete(struct list_node *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = n;
}

static inline struct list_node *list_remove_head(struct list_node *l)
{
    if (list_empty(l))
        return NULL;
    struct list_node *n = l->next;
    list_delete(n);
    return n;
}

#define list_for_each(l, n) for ((n) = (l)->next; (n) != (l); (n) = (n)->next)
#define list_for_each_safe(l, n, tmp) \
    for ((n) = (l)->next, (tmp) = (n)->next; (n) != (l); (n) = (tmp), (tmp) = (n)->next)

#endif
