#ifndef PUSCTL_JSON_H
#define PUSCTL_JSON_H

#include <stdint.h>

#include <cjson/cJSON.h>

struct daemon;
struct node;

cJSON *node_json(struct daemon *d, const struct node *n, uint64_t now_mono);
cJSON *nodes_json(struct daemon *d);
cJSON *stats_json(struct daemon *d);
/* Events with id > since, of one node (node >= 0) or all (node < 0). */
cJSON *events_json(struct daemon *d, long since, long node, long limit);

#endif
