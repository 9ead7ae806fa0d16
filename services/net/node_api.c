/*
 * GET /v1/node: who this node is, as JSON.
 *
 *   {"id":"3","version":"0.1.0","uptime_ms":1234,"harts":2,
 *    "memory":{"total":134217728,"free":120000000},
 *    "interfaces":[{"name":"eth0","mac":"52:54:00:12:34:56","addr":"10.77.0.2",
 *                   "prefix":24,"gateway":"10.77.0.1","link":true}]}
 */
#include <stdio.h>
#include <string.h>
#include "services/net/httpd.h"
#include "services/net/netsvc.h"
#include "drivers/virtio/virtio_net.h"
#include "json/json.h"
#include "kernel/bootargs.h"
#include "kernel/clock.h"
#include "kernel/cpu.h"
#include "kernel/heap.h"
#include "kernel/page.h"
#include "pus/err.h"
#include "pus/version.h"

static void write_interfaces(struct json_writer *w)
{
    json_key(w, "interfaces");
    json_begin_array(w);
    net_lock();
    for (int i = 0; i < netsvc_netif_count(); i++) {
        struct net_netif *nif = netsvc_netif(i);
        char ip[16], mac[18];
        snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", nif->mac[0], nif->mac[1],
                 nif->mac[2], nif->mac[3], nif->mac[4], nif->mac[5]);
        json_begin_object(w);
        json_kv_string(w, "name", nif->name);
        json_kv_string(w, "mac", mac);
        json_kv_string(w, "addr", nif->addr ? net_ip_str(nif->addr, ip) : "");
        json_kv_int(w, "prefix", __builtin_popcount(nif->netmask));
        json_kv_string(w, "gateway", nif->gateway ? net_ip_str(nif->gateway, ip) : "");
        struct virtio_net *nd = netsvc_device(nif);
        json_kv_bool(w, "link", nd && virtio_net_link_up(nd));
        json_end_object(w);
    }
    net_unlock();
    json_end_array(w);
}

static int get_node(struct http_request *req, struct http_response *res, void *arg)
{
    (void)req;
    (void)arg;
    struct page_stats ps;
    struct heap_stats hs;
    page_get_stats(&ps);
    kheap_get_stats(&hs);
    const char *id = bootarg("node");
    struct json_writer w;
    if (json_writer_init_alloc(&w, 512) < 0)
        return ERR_NO_MEMORY;
    json_begin_object(&w);
    json_kv_string(&w, "id", id ? id : "");
    json_kv_string(&w, "version", PUS_VERSION);
    json_kv_int(&w, "uptime_ms", (int64_t)(clock_now_ns() / 1000000u));
    json_kv_int(&w, "harts", cpu_count);
    json_key(&w, "memory");
    json_begin_object(&w);
    json_kv_int(&w, "total", (int64_t)(ps.total * PAGE_SIZE));
    json_kv_int(&w, "free", (int64_t)(ps.free * PAGE_SIZE + hs.free));
    json_end_object(&w);
    write_interfaces(&w);
    json_end_object(&w);
    long n = json_writer_finish(&w);
    int r = n < 0 ? (int)n : http_response_send(res, 200, "application/json", w.buf, (size_t)n);
    json_writer_free(&w);
    return r;
}

void httpd_node_routes(void);
void httpd_node_routes(void)
{
    httpd_route("GET", "/v1/node", get_node, NULL);
}
