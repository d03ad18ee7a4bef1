/*
 * Host fuzz targets: each fuzz_<name>.c defines LLVMFuzzerTestOneInput over
 * real hypervisor sources. Built with libFuzzer by `make fuzz`, and with
 * replay.c's main() by `make test`, which feeds every corpus/<name>/ file.
 * A broken invariant calls FUZZ_CHECK, which aborts with the reason.
 */
#ifndef TANDEM_FUZZ_H
#define TANDEM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c) do { \
    if (!(c)) { fprintf(stderr, "fuzz invariant failed: %s at %s:%d\n", #c, __FILE__, __LINE__); \
                abort(); } \
} while (0)

#endif
