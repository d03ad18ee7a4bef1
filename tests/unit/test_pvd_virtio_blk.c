/*
 * Unit tests for pvdrivers/virtio/virtio_blk.c (with virtqueue.c) against a
 * fake transport and a fake device serving a RAM disk: request chains as
 * virtio 1.x 5.2.6 lays them out (header, data, status), reads and writes
 * landing in the right sectors, GET_ID, flush, several requests in flight
 * completed out of order, device errors, and the requests refused before
 * they reach the device. Machine addresses are host pointers here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "virtio_blk.h"
#include <tandem/errno.h>

#define DISK_SECTORS 64
#define SERIAL "test/0"

static uint8_t disk[DISK_SECTORS * VBLK_SECTOR_SIZE];
static struct virtq *dev_q;             /* the queue the driver set up */
static uint16_t dev_avail;
static bool dev_hold;                   /* leave chains pending: several in flight */
static uint8_t dev_fail_status;         /* nonzero: answer every request with it */
static uint64_t dev_features = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_BLK_F_FLUSH |
                               1ULL << VIRTIO_BLK_F_SEG_MAX;
static unsigned int dev_requests, wakes;

/* ---- pvos.h and the transport, faked ---- */
void *pvos_page_alloc(void) { void *p = aligned_alloc(4096, 4096); memset(p, 0, 4096); return p; }
void pvos_page_free(void *page) { free(page); }
uint64_t pvos_page_mfn(const void *page) { return (uintptr_t)page >> 12; }
uint64_t pvos_now_ns(void) { static uint64_t t; return t += 1000; }
void pvos_wake(struct pvos_wait *w) { (void)w; wakes++; }
void pvos_msix_unbind(uint32_t sbdf, unsigned int entry, int port) { (void)sbdf; (void)entry; (void)port; }
int pvos_msix_bind(uint32_t sbdf, unsigned int entry, pvos_event_fn fn, void *ctx)
{
    (void)sbdf; (void)entry; (void)fn; (void)ctx;
    return -XEN_ENOSYS;
}

int virtio_pci_init(struct virtio_pci *vp, uint32_t sbdf)
{
    *vp = (struct virtio_pci){ .sbdf = sbdf, .common = (volatile uint8_t *)1, .num_queues = 1 };
    for (int i = 0; i < VIRTIO_PCI_MAX_VECTORS; i++)
        vp->port[i] = -1;
    return 0;
}
int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted, uint64_t required)
{
    vp->features = dev_features & (wanted | required | 1ULL << VIRTIO_F_VERSION_1);
    return 0;
}
int virtio_pci_bind(struct virtio_pci *vp, unsigned int entry, pvos_event_fn fn, void *ctx)
{
    (void)vp;
    return pvos_msix_bind(0, entry, fn, ctx);
}
bool virtio_pci_config_vector(struct virtio_pci *vp, uint16_t vector) { (void)vp; (void)vector; return true; }
int virtio_pci_setup_queue(struct virtio_pci *vp, struct virtq *q, uint16_t index, uint16_t max_size,
                           uint16_t vector)
{
    void *ring = pvos_page_alloc();

    (void)vp; (void)vector;
    dev_q = q;
    dev_avail = 0;
    return virtq_init(q, index, max_size, ring, (uintptr_t)ring);
}
void virtio_pci_ready(struct virtio_pci *vp) { (void)vp; }
void virtio_pci_reset(struct virtio_pci *vp) { (void)vp; }
uint8_t virtio_pci_status(struct virtio_pci *vp) { (void)vp; return VIRTIO_STATUS_DRIVER_OK; }
void virtio_pci_config(struct virtio_pci *vp, unsigned int off, void *dst, unsigned int len)
{
    uint8_t cfg[24] = { 0 };
    uint64_t cap = DISK_SECTORS;
    uint32_t seg_max = 8;

    (void)vp;
    memcpy(cfg, &cap, 8);
    memcpy(cfg + 12, &seg_max, 4);
    memcpy(dst, cfg + off, len);
}

/* ---- the device: serve one chain ---- */
static void *ptr(uint64_t maddr) { return (void *)(uintptr_t)maddr; }

static uint8_t serve(uint16_t head, uint32_t *written)
{
    volatile struct virtq_desc *d = &dev_q->desc[head];
    uint32_t type = ((uint32_t *)ptr(d->addr))[0];
    uint64_t sector = ((uint64_t *)ptr(d->addr))[1], at = sector * VBLK_SECTOR_SIZE;

    assert_int_equal(d->len, 16);
    assert_false(d->flags & VIRTQ_DESC_F_WRITE);
    *written = 0;
    while (dev_q->desc[head].flags & VIRTQ_DESC_F_NEXT) {
        head = dev_q->desc[head].next;
        d = &dev_q->desc[head];
        if (!(d->flags & VIRTQ_DESC_F_NEXT))
            break;              /* the status byte */
        assert_int_equal(!!(d->flags & VIRTQ_DESC_F_WRITE), type != VIRTIO_BLK_T_OUT);
        if (type == VIRTIO_BLK_T_GET_ID) {
            memset(ptr(d->addr), 0, d->len);
            memcpy(ptr(d->addr), SERIAL, strlen(SERIAL));
        } else if (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT) {
            assert_true(at + d->len <= sizeof(disk));
            if (type == VIRTIO_BLK_T_IN)
                memcpy(ptr(d->addr), disk + at, d->len);
            else
                memcpy(disk + at, ptr(d->addr), d->len);
            at += d->len;
        }
        *written += type == VIRTIO_BLK_T_OUT ? 0 : d->len;
    }
    assert_int_equal(d->len, 1);
    assert_true(d->flags & VIRTQ_DESC_F_WRITE);
    *(uint8_t *)ptr(d->addr) = dev_fail_status ? dev_fail_status : VIRTIO_BLK_S_OK;
    (*written)++;
    dev_requests++;
    return 0;
}

static void dev_return(uint16_t head, uint32_t written)
{
    uint16_t i = dev_q->used->idx;

    dev_q->used->ring[i % dev_q->size].id = head;
    dev_q->used->ring[i % dev_q->size].len = written;
    dev_q->used->idx = (uint16_t)(i + 1);
}

/* Serve every pending chain; newest first, so completions come out of order. */
static void dev_run(void)
{
    uint16_t heads[VIRTQ_MAX_SIZE];
    unsigned int n = 0;
    uint32_t w;

    while (dev_q->avail->idx != dev_avail)
        heads[n++] = dev_q->avail->ring[dev_avail++ % dev_q->size];
    while (n--) {
        serve(heads[n], &w);
        dev_return(heads[n], w);
    }
}

bool pvos_wait_until(struct pvos_wait *w, bool (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
    (void)w; (void)deadline_ns;
    if (!dev_hold)
        dev_run();
    return cond(arg);
}

static struct vblk b;
static uint8_t *buf;

static int setup(void **state)
{
    (void)state;
    for (unsigned int i = 0; i < sizeof(disk); i++)
        disk[i] = (uint8_t)(i / VBLK_SECTOR_SIZE);
    dev_hold = false;
    dev_fail_status = 0;
    assert_int_equal(vblk_attach(&b, 0x18), 0);
    buf = pvos_page_alloc();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vblk_detach(&b);
    pvos_page_free(buf);
    return 0;
}

static struct vblk_req rw(uint32_t type, uint64_t sector, uint32_t bytes)
{
    struct vblk_req r = { .type = type, .sector = sector, .nr_segs = 1 };

    r.seg[0] = (struct virtq_buf){ (uintptr_t)buf, bytes };
    return r;
}

static void test_attach(void **state)
{
    (void)state;
    assert_int_equal(b.capacity, DISK_SECTORS);
    assert_string_equal(b.serial, SERIAL);
    assert_int_equal(b.seg_max, 8);
    assert_true(b.can_flush);
    assert_false(b.readonly);
    assert_true(b.polling);             /* no MSI-X from the fake */
}

static void test_read_write(void **state)
{
    struct vblk_req r = rw(VIRTIO_BLK_T_IN, 5, 1024);

    (void)state;
    assert_int_equal(vblk_do(&b, &r), 0);
    assert_int_equal(buf[0], 5);
    assert_int_equal(buf[1023], 6);
    memset(buf, 0xab, 4096);
    r = rw(VIRTIO_BLK_T_OUT, 10, 512);
    assert_int_equal(vblk_do(&b, &r), 0);
    assert_int_equal(disk[10 * 512], 0xab);
    assert_int_equal(disk[11 * 512 - 1], 0xab);
    assert_int_equal(disk[11 * 512], 11);          /* the next sector untouched */
    assert_int_equal(disk[10 * 512 - 1], 9);
    r = (struct vblk_req){ .type = VIRTIO_BLK_T_FLUSH };
    assert_int_equal(vblk_do(&b, &r), 0);
    r = rw(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 512);     /* the last sector */
    assert_int_equal(vblk_do(&b, &r), 0);
    assert_int_equal(b.in_flight, 0);
}

static unsigned int done_calls;
static void on_done(struct vblk_req *r) { (void)r; done_calls++; }

static void test_in_flight(void **state)
{
    static struct vblk_req r[50];
    unsigned int n = 0;
    int rc;

    (void)state;
    dev_hold = true;
    done_calls = 0;
    /* 3 descriptors a request in a 128-entry ring: 42 fit, then EAGAIN. */
    for (;; n++) {
        r[n] = rw(VIRTIO_BLK_T_IN, n % DISK_SECTORS, 512);
        r[n].done = on_done;
        if ((rc = vblk_submit(&b, &r[n])))
            break;
    }
    assert_int_equal(rc, -XEN_EAGAIN);
    assert_int_equal(n, VIRTQ_MAX_SIZE / 3);
    assert_int_equal(b.in_flight, n);
    assert_int_equal(vblk_poll(&b), 0);
    dev_run();
    assert_int_equal(vblk_poll(&b), n);
    assert_int_equal(done_calls, n);
    for (unsigned int i = 0; i < n; i++)
        assert_true(r[i].finished && r[i].status == 0);
    assert_int_equal(b.in_flight, 0);
    assert_int_equal(virtq_nr_free(&b.vq), b.vq.size);
}

static void test_refused(void **state)
{
    struct vblk_req r = rw(VIRTIO_BLK_T_IN, DISK_SECTORS, 512);
    unsigned int before = dev_requests;

    (void)state;
    assert_int_equal(vblk_submit(&b, &r), -XEN_ERANGE);
    r = rw(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 1024);
    assert_int_equal(vblk_submit(&b, &r), -XEN_ERANGE);
    r = rw(VIRTIO_BLK_T_IN, ~0ULL, 512);
    assert_int_equal(vblk_submit(&b, &r), -XEN_ERANGE);
    r = rw(VIRTIO_BLK_T_IN, 0, 100);
    assert_int_equal(vblk_submit(&b, &r), -XEN_EINVAL);
    r = rw(VIRTIO_BLK_T_IN, 0, 512);
    r.nr_segs = 9;                      /* more than the device's seg_max */
    assert_int_equal(vblk_submit(&b, &r), -XEN_EINVAL);
    r = rw(VIRTIO_BLK_T_IN, 0, 512);
    r.nr_segs = 0;
    assert_int_equal(vblk_submit(&b, &r), -XEN_EINVAL);
    r = rw(VIRTIO_BLK_T_FLUSH, 0, 512);
    assert_int_equal(vblk_submit(&b, &r), -XEN_EINVAL);
    r = rw(77, 0, 512);
    assert_int_equal(vblk_submit(&b, &r), -XEN_EINVAL);
    b.readonly = true;
    r = rw(VIRTIO_BLK_T_OUT, 0, 512);
    assert_int_equal(vblk_submit(&b, &r), -XEN_EINVAL);
    b.readonly = false;
    assert_int_equal(dev_requests, before);
    assert_int_equal(virtq_nr_free(&b.vq), b.vq.size);
}

static void test_device_errors(void **state)
{
    struct vblk_req r = rw(VIRTIO_BLK_T_IN, 0, 512);

    (void)state;
    dev_fail_status = VIRTIO_BLK_S_IOERR;
    assert_int_equal(vblk_do(&b, &r), -XEN_EIO);
    dev_fail_status = VIRTIO_BLK_S_UNSUPP;
    r = (struct vblk_req){ .type = VIRTIO_BLK_T_FLUSH };
    assert_int_equal(vblk_do(&b, &r), -XEN_EOPNOTSUPP);
    dev_fail_status = 0x7f;
    assert_int_equal(vblk_do(&b, &r), -XEN_EIO);
    dev_fail_status = 0;
    assert_int_equal(b.slot_busy, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
