/*
 * In-QEMU test kernels (XTF's shape): each test directory defines
 * test_main(); the library reports exactly one line
 *   Test result: SUCCESS | SKIP | ERROR | FAILURE
 * where the worst result reported wins, then powers the domain off.
 * A test_main that returns without test_success() and without any
 * fail/error/skip report ends in ERROR (as XTF): a test cannot pass by
 * returning early. tests/new-test NAME makes a new test directory.
 */
#ifndef TANDEM_TEST_H
#define TANDEM_TEST_H

#include "guest.h"

extern const char test_title[];     /* each test defines it */
void test_main(void);

/* Every test says how it ended: test_success() when all checks ran (as XTF's xtf_success());
 * a FAILURE/ERROR/SKIP reported earlier still wins. */
void test_success(void);
/* End the test from anywhere (a callback with no way back to test_main): the result line, then power off. */
__attribute__((noreturn)) void test_exit(void);
void test_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* FAILURE */
void test_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* ERROR: test bug */
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* SKIP */

/* Check rc == want; on mismatch report FAILURE naming the call. */
#define CHECK_RC(rc, want, what) do { \
    long _r = (rc), _w = (want); \
    if (_r != _w) test_fail("%s: got %ld, want %ld", (what), _r, _w); \
} while (0)

/* xorshift64: a small deterministic generator for the fuzz tests (seed must be non-zero); rand.c. */
uint64_t xorshift64(uint64_t *s);

#endif
