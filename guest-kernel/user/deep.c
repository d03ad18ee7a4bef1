/*
 * deep [KIB]: recurse until KIB KiB of stack are in use (default 1024). The
 * stack starts as one page; every new page below it is mapped on first touch
 * (demand-zero). Past the 8 MiB limit the access faults for good and the
 * kernel kills the process.
 */
#include "ulib.h"

static uint64_t depth(uint64_t left, volatile uint8_t *prev)
{
    volatile uint8_t frame[1024];

    frame[0] = prev ? prev[0] + 1 : 1;
    frame[sizeof(frame) - 1] = frame[0];
    if (!left)
        return frame[0];
    return depth(left - 1, frame) + frame[sizeof(frame) - 1] - frame[0];
}

int main(int argc, char **argv)
{
    uint64_t kib = argc > 1 ? atoul(argv[1]) : 1024, before, after;
    struct ps_entry e[16];
    int n, me = getpid();

    n = ps(e, 16);
    before = 0;
    for (int i = 0; i < n && i < 16; i++)
        if (e[i].pid == me)
            before = e[i].pages;
    depth(kib, 0);
    n = ps(e, 16);
    after = 0;
    for (int i = 0; i < n && i < 16; i++)
        if (e[i].pid == me)
            after = e[i].pages;
    printf("deep: %lu KiB of stack used; pages mapped %lu -> %lu\n", (unsigned long)kib,
           (unsigned long)before, (unsigned long)after);
    return 0;
}
