/*
 * wget: one HTTP/1.0 GET over lwIP's raw TCP API. The shell thread parses the URL, resolves
 * the host and connects; the callbacks (net thread, lock held) send the request, keep the
 * status line and count the body's bytes and CRC-32 until the server closes. One at a time.
 */
#include "netsvc.h"
#include "http.h"
#include "lwip/tcp.h"

#define WGET_TIMEOUT_MS 20000
#define WGET_BENCH_TIMEOUT_MS 300000   /* wget_fetch's (netbench: a bulk file over a slow emulated NIC) */

enum wget_state { W_IDLE, W_CONNECTING, W_SENT, W_DONE, W_FAILED };

static struct {
    enum wget_state state;
    struct tcp_pcb *pcb;
    err_t err;                          /* W_FAILED: why */
    char request[HTTP_PATH_MAX + HTTP_HOST_MAX + 96];
    struct http_resp resp;
    uint64_t end_tsc;                   /* when the server closed (netbench.c's figure) */
} w;

static uint64_t wget_tsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void wget_finish(enum wget_state s, err_t err)
{
    if (w.pcb) {
        tcp_arg(w.pcb, NULL);
        tcp_recv(w.pcb, NULL);
        tcp_err(w.pcb, NULL);
    }
    w.pcb = NULL;
    w.state = s;
    w.err = err;
}

static err_t wget_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    if (!p) {                           /* the server closed: the body is complete */
        w.end_tsc = wget_tsc();
        wget_finish(w.state == W_SENT && w.resp.status[0] ? W_DONE : W_FAILED, ERR_CLSD);
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    for (struct pbuf *q = p; q; q = q->next)
        http_resp_feed(&w.resp, q->payload, q->len);
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void wget_err(void *arg, err_t err)
{
    w.pcb = NULL;                       /* lwIP freed it */
    wget_finish(W_FAILED, err);
}

static err_t wget_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    if (tcp_write(pcb, w.request, (u16_t)strlen(w.request), TCP_WRITE_FLAG_COPY) != ERR_OK) {
        wget_finish(W_FAILED, ERR_MEM);
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    tcp_output(pcb);
    w.state = W_SENT;
    return ERR_OK;
}

static bool wget_over(void *arg)
{
    return w.state == W_DONE || w.state == W_FAILED;
}

static const char *wget_why(err_t e)
{
    switch (e) {
    case ERR_RST: return "connection refused or reset";
    case ERR_ABRT: return "connection aborted";
    case ERR_CLSD: return "closed before a response";
    case ERR_MEM: return "out of memory";
    default: return "failed";
    }
}

/* One GET of url: 0 once the server closed after a response (w.resp has it), else -errno, the
 * reason printed. *t0: system time at the connect; timeout_ms for the whole GET. */
static int wget_do(const char *url, uint64_t *t0, unsigned int timeout_ms)
{
    char host[HTTP_HOST_MAX], path[HTTP_PATH_MAX];
    uint16_t port;
    ip_addr_t ip;
    uint8_t t;
    err_t e;
    int rc;

    if (!http_url_parse(url, host, &port, path)) {
        printk("wget %s: bad URL (http://HOST[:PORT][/PATH])\n", url);
        return -XEN_EINVAL;
    }
    if ((rc = netsvc_resolve(host, &ip))) {
        printk("wget %s: cannot resolve %s (%d)\n", url, host, rc);
        return rc;
    }
    w.state = W_CONNECTING;
    w.err = ERR_OK;
    http_resp_init(&w.resp);
    snprintf(w.request, sizeof(w.request), "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: tandem-wget\r\n"
             "Connection: close\r\n\r\n", path, host);
    *t0 = system_time_ns();
    t = netsvc_lock();
    w.pcb = tcp_new();
    if (w.pcb) {
        tcp_recv(w.pcb, wget_recv);
        tcp_err(w.pcb, wget_err);
        e = tcp_connect(w.pcb, &ip, port, wget_connected);
        if (e != ERR_OK) {
            tcp_abort(w.pcb);
            wget_finish(W_FAILED, e);
        }
    } else
        wget_finish(W_FAILED, ERR_MEM);
    netsvc_unlock(t);
    if (!netsvc_wait(wget_over, NULL, timeout_ms)) {
        t = netsvc_lock();
        if (w.pcb) {
            struct tcp_pcb *pcb = w.pcb;

            wget_finish(W_FAILED, ERR_TIMEOUT);
            tcp_abort(pcb);
        }
        netsvc_unlock(t);
        printk("wget %s: timed out after %u s\n", url, timeout_ms / 1000);
        return -XEN_ETIMEDOUT;
    }
    if (w.state == W_FAILED) {
        printk("wget %s: %s (%d)\n", url, wget_why(w.err), w.err);
        return -XEN_EIO;
    }
    return 0;
}

int wget_fetch(const char *url, uint64_t *bytes, uint64_t *end_tsc)
{
    uint64_t t0;
    int rc = wget_do(url, &t0, WGET_BENCH_TIMEOUT_MS);

    if (rc)
        return rc;
    if (strncmp(w.resp.status, "HTTP/1.0 200", 12) && strncmp(w.resp.status, "HTTP/1.1 200", 12)) {
        printk("netbench wget %s: %s\n", url, w.resp.status);
        return -XEN_ENOENT;
    }
    *bytes = w.resp.body;
    *end_tsc = w.end_tsc;
    return 0;
}

void wget_run(const char *url)
{
    uint64_t t0, us;

    if (wget_do(url, &t0, WGET_TIMEOUT_MS))
        return;
    us = (system_time_ns() - t0) / 1000 + 1;
    printk("wget %s: %s, %lu bytes, crc32 0x%08x, %lu ms (%lu KiB/s)\n", url, w.resp.status,
           (unsigned long)w.resp.body, (unsigned int)http_resp_crc(&w.resp), (unsigned long)(us / 1000),
           (unsigned long)(w.resp.body * 1000000 / 1024 / us));
}
