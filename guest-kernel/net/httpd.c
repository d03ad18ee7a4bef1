/*
 * A small HTTP/1.0 server on TCP port 80 over lwIP's raw API (callbacks in the net thread,
 * lock held): GET / (or /status) answers the status page (status.c), any other path 404, a
 * method other than GET or HEAD 405, a request line that is malformed or does not end within
 * REQ_MAX bytes 400. GET /bulk/N answers N bytes (at most BULK_MAX) of a fixed pattern, sent from
 * one static page without copying: the guest-to-host throughput benchmark (tools/bench/net,
 * docs/benchmarks.md). One response per connection, then close; a connection idle for
 * IDLE_POLLS polls (2 s each) is aborted. At most NCONN at once: more are refused (RST).
 */
#include "netsvc.h"
#include "http.h"
#include "lwip/tcp.h"

#define HTTP_PORT       80
#define NCONN           4
#define REQ_MAX         1024            /* a request whose header is longer: 400 */
#define RESP_MAX        8192
#define IDLE_POLLS      5
#define BULK_MAX        (256u << 20)

struct hconn {
    struct tcp_pcb *pcb;                /* NULL: a free slot */
    size_t req_len, resp_len, resp_off;
    uint32_t bulk_left;                 /* /bulk/N: body bytes still to queue after resp */
    unsigned int idle;
    int code;                           /* the answer's status, counted once the client has it all */
    bool responding;
    char req[REQ_MAX];
    char resp[RESP_MAX];
};

static struct hconn conns[NCONN];
static char bulk_page[4096];
static struct httpd_stats stats;

void httpd_get_stats(struct httpd_stats *s)
{
    uint8_t t = netsvc_lock();

    *s = stats;
    netsvc_unlock(t);
}

static void hconn_free(struct hconn *c)
{
    if (c->pcb) {
        tcp_arg(c->pcb, NULL);
        tcp_recv(c->pcb, NULL);
        tcp_sent(c->pcb, NULL);
        tcp_err(c->pcb, NULL);
        tcp_poll(c->pcb, NULL, 0);
    }
    c->pcb = NULL;
}

/*
 * Queue what of the response fits in the send buffer; close once all of it is queued.
 * ERR_ABRT if the pcb had to be aborted (a callback must then return ERR_ABRT).
 */
static err_t hconn_push(struct hconn *c)
{
    size_t left = c->resp_len - c->resp_off;
    u16_t room = tcp_sndbuf(c->pcb);
    u16_t n = (u16_t)(left < room ? left : room);

    if (n && tcp_write(c->pcb, c->resp + c->resp_off, n, TCP_WRITE_FLAG_COPY) == ERR_OK)
        c->resp_off += n;
    while (c->resp_off == c->resp_len && c->bulk_left) {
        u16_t room = tcp_sndbuf(c->pcb);
        u16_t b = (u16_t)(c->bulk_left < sizeof(bulk_page) ? c->bulk_left : sizeof(bulk_page));

        if (room < b || tcp_write(c->pcb, bulk_page, b, c->bulk_left > b ? TCP_WRITE_FLAG_MORE : 0) != ERR_OK)
            break;                      /* hconn_sent pushes the rest */
        c->bulk_left -= b;
    }
    tcp_output(c->pcb);
    /*
     * All of it queued: close once the client has acknowledged all of it (hconn_sent comes back
     * here), so that a page counted served (`httpd wait`) has reached the client.
     */
    if (c->resp_off == c->resp_len && !c->bulk_left && !tcp_sndqueuelen(c->pcb)) {
        struct tcp_pcb *pcb = c->pcb;

        if (c->code == 200)
            stats.served++;
        else if (c->code == 404)
            stats.not_found++;
        else
            stats.refused++;
        hconn_free(c);
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
    }
    return ERR_OK;
}

static err_t hconn_respond(struct hconn *c, int code, const char *reason, bool body)
{
    static char page[RESP_MAX - 256];
    size_t len = 0;
    int h;

    if (code == 200)
        len = status_page(page, sizeof(page));
    else
        len = (size_t)snprintf(page, sizeof(page), "<html><body><h1>%d %s</h1></body></html>\n", code, reason);
    h = snprintf(c->resp, sizeof(c->resp), "HTTP/1.0 %d %s\r\nServer: tandem\r\nContent-Type: text/html\r\n"
                 "Content-Length: %lu\r\nConnection: close\r\n\r\n", code, reason, (unsigned long)len);
    c->resp_len = (size_t)h;
    if (body && c->resp_len + len <= sizeof(c->resp)) {
        memcpy(c->resp + c->resp_len, page, len);
        c->resp_len += len;
    }
    c->resp_off = 0;
    c->responding = true;
    c->code = code;
    return hconn_push(c);
}

/* GET /bulk/N (N decimal, 1..BULK_MAX): the header, then N bytes from bulk_page. */
static bool hconn_bulk(struct hconn *c)
{
    uint64_t n = 0;
    size_t i = 10;

    if (c->req_len < 12 || memcmp(c->req, "GET /bulk/", 10))
        return false;
    for (; i < c->req_len && c->req[i] >= '0' && c->req[i] <= '9' && n <= BULK_MAX; i++)
        n = n * 10 + (uint64_t)(c->req[i] - '0');
    if (i == 10 || i >= c->req_len || c->req[i] != ' ' || !n || n > BULK_MAX)
        return false;
    if (!bulk_page[0])
        for (size_t k = 0; k < sizeof(bulk_page); k++)
            bulk_page[k] = (char)('A' + k % 26);
    c->resp_len = (size_t)snprintf(c->resp, sizeof(c->resp), "HTTP/1.0 200 OK\r\nServer: tandem\r\n"
                                   "Content-Type: application/octet-stream\r\nContent-Length: %lu\r\n"
                                   "Connection: close\r\n\r\n", (unsigned long)n);
    c->resp_off = 0;
    c->bulk_left = (uint32_t)n;
    c->responding = true;
    c->code = 200;
    return true;
}

/* Decide on what the client sent so far (http.c), then answer, or wait for more. */
static err_t hconn_request(struct hconn *c)
{
    bool head;

    switch (http_request_decode(c->req, c->req_len, sizeof(c->req), &head)) {
    case HTTP_MORE:
        return ERR_OK;
    case HTTP_STATUS:
        return hconn_respond(c, 200, "OK", !head);
    case HTTP_NOT_FOUND:
        if (!head && hconn_bulk(c))
            return hconn_push(c);
        return hconn_respond(c, 404, "Not Found", !head);
    case HTTP_BAD_METHOD:
        return hconn_respond(c, 405, "Method Not Allowed", true);
    default:
        return hconn_respond(c, 400, "Bad Request", true);
    }
}

static err_t hconn_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct hconn *c = arg;
    err_t ret = ERR_OK;

    if (!c) {                           /* already answered and let go */
        if (p)
            pbuf_free(p);
        return ERR_OK;
    }
    if (!p) {                           /* the client closed: nothing more to answer */
        hconn_free(c);
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    tcp_recved(pcb, p->tot_len);
    c->idle = 0;
    if (!c->responding) {
        size_t room = sizeof(c->req) - c->req_len;
        u16_t n = (u16_t)(p->tot_len < room ? p->tot_len : room);

        c->req_len += pbuf_copy_partial(p, c->req + c->req_len, n, 0);
        ret = hconn_request(c);
    }
    pbuf_free(p);
    return ret;
}

static err_t hconn_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct hconn *c = arg;

    c->idle = 0;
    return c->responding ? hconn_push(c) : ERR_OK;
}

static err_t hconn_poll(void *arg, struct tcp_pcb *pcb)
{
    struct hconn *c = arg;

    if (++c->idle < IDLE_POLLS)         /* and push again what did not fit before */
        return c->responding ? hconn_push(c) : ERR_OK;
    hconn_free(c);
    tcp_abort(pcb);
    return ERR_ABRT;
}

/* The connection is gone (reset, or lwIP gave up): lwIP has freed the pcb. */
static void hconn_err(void *arg, err_t err)
{
    struct hconn *c = arg;

    if (c)
        c->pcb = NULL;
}

static err_t httpd_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct hconn *c = NULL;

    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    for (unsigned int i = 0; i < NCONN && !c; i++)
        if (!conns[i].pcb)
            c = &conns[i];
    if (!c) {
        stats.refused++;
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    *c = (struct hconn){ .pcb = pcb };
    tcp_arg(pcb, c);
    tcp_recv(pcb, hconn_recv);
    tcp_sent(pcb, hconn_sent);
    tcp_err(pcb, hconn_err);
    tcp_poll(pcb, hconn_poll, 4);
    return ERR_OK;
}

int httpd_start(void)
{
    struct tcp_pcb *pcb = tcp_new();
    struct tcp_pcb *listen;

    if (!pcb)
        return -XEN_ENOMEM;
    if (tcp_bind(pcb, IP_ADDR_ANY, HTTP_PORT) != ERR_OK) {
        tcp_close(pcb);
        return -XEN_EBUSY;
    }
    listen = tcp_listen(pcb);
    if (!listen) {
        tcp_close(pcb);
        return -XEN_ENOMEM;
    }
    tcp_accept(listen, httpd_accept);
    return 0;
}
