/*
 * wget: one HTTP/1.0 GET over lwIP's raw TCP API. The shell thread parses the URL, resolves
 * the host and connects; the callbacks (net thread, lock held) send the request, keep the
 * status line and count the body's bytes and CRC-32 until the server closes. One at a time.
 */
#include "netsvc.h"
#include "lwip/tcp.h"

#define WGET_TIMEOUT_MS 20000
#define HOST_MAX        64
#define PATH_MAX_LEN    128
#define STATUS_MAX      96

enum wget_state { W_IDLE, W_CONNECTING, W_HEADER, W_BODY, W_DONE, W_FAILED };

static struct {
    enum wget_state state;
    struct tcp_pcb *pcb;
    err_t err;                          /* W_FAILED: why */
    char request[PATH_MAX_LEN + HOST_MAX + 96];
    char status[STATUS_MAX];            /* the status line */
    size_t status_len;
    bool status_done;
    unsigned int header_nl;             /* newlines in a row while in the header */
    uint64_t body;
    uint32_t crc;                       /* running CRC-32 (zlib's), inverted */
} w;

static uint32_t crc32_add(uint32_t crc, const uint8_t *p, size_t len)
{
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
    }
    return crc;
}

/* One byte of the response: the status line, the rest of the header, then the body. */
static void wget_byte(uint8_t b)
{
    if (w.state == W_BODY) {
        w.crc = crc32_add(w.crc, &b, 1);
        w.body++;
        return;
    }
    if (b == '\r')
        return;
    if (b == '\n') {
        w.status_done = true;
        if (++w.header_nl == 2)         /* an empty line: the header has ended */
            w.state = W_BODY;
        return;
    }
    w.header_nl = 0;
    if (!w.status_done && w.status_len + 1 < sizeof(w.status)) {
        w.status[w.status_len++] = (char)b;
        w.status[w.status_len] = 0;
    }
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
        wget_finish(w.state == W_BODY || w.state == W_HEADER ? W_DONE : W_FAILED, ERR_CLSD);
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    for (struct pbuf *q = p; q; q = q->next)
        for (u16_t i = 0; i < q->len; i++)
            wget_byte(((const uint8_t *)q->payload)[i]);
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
    w.state = W_HEADER;
    return ERR_OK;
}

static bool wget_over(void *arg)
{
    return w.state == W_DONE || w.state == W_FAILED;
}

/* http://HOST[:PORT][/PATH] into host, port and path; false if malformed. */
static bool wget_parse(const char *url, char *host, uint16_t *port, char *path)
{
    const char *h = url, *end;
    size_t n;

    if (!strncmp(h, "http://", 7))
        h += 7;
    for (end = h; *end && *end != ':' && *end != '/'; end++)
        ;
    n = (size_t)(end - h);
    if (!n || n >= HOST_MAX)
        return false;
    memcpy(host, h, n);
    host[n] = 0;
    *port = 80;
    if (*end == ':') {
        const char *e;
        unsigned long long v = simple_strtoull(end + 1, &e, 10);

        if (e == end + 1 || !v || v > 65535 || (*e && *e != '/'))
            return false;
        *port = (uint16_t)v;
        end = e;
    }
    if (strlen(end) >= PATH_MAX_LEN)
        return false;
    snprintf(path, PATH_MAX_LEN, "%s", *end ? end : "/");
    return true;
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

void wget_run(const char *url)
{
    char host[HOST_MAX], path[PATH_MAX_LEN];
    uint16_t port;
    ip_addr_t ip;
    uint8_t t;
    err_t e;
    int rc;

    if (!wget_parse(url, host, &port, path)) {
        printk("wget %s: bad URL (http://HOST[:PORT][/PATH])\n", url);
        return;
    }
    if ((rc = netsvc_resolve(host, &ip))) {
        printk("wget %s: cannot resolve %s (%d)\n", url, host, rc);
        return;
    }
    w = (typeof(w)){ .state = W_CONNECTING, .crc = 0xffffffffu };
    snprintf(w.request, sizeof(w.request), "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: tandem-wget\r\n"
             "Connection: close\r\n\r\n", path, host);
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
    if (!netsvc_wait(wget_over, NULL, WGET_TIMEOUT_MS)) {
        t = netsvc_lock();
        if (w.pcb) {
            struct tcp_pcb *pcb = w.pcb;

            wget_finish(W_FAILED, ERR_TIMEOUT);
            tcp_abort(pcb);
        }
        netsvc_unlock(t);
        printk("wget %s: timed out after %u s\n", url, WGET_TIMEOUT_MS / 1000);
        return;
    }
    if (w.state == W_FAILED)
        printk("wget %s: %s (%d)\n", url, wget_why(w.err), w.err);
    else
        printk("wget %s: %s, %lu bytes, crc32 0x%08x\n", url, w.status[0] ? w.status : "(no status line)",
               (unsigned long)w.body, (unsigned int)~w.crc);
}
