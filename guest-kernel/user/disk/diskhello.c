/*
 * diskhello: a user program that is NOT built into the kernel's archive: it is
 * packed onto a program disk (tools/mkdisk ... programs:out/guest-kernel/user/disk/
 * diskhello.elf, docs/diskfs.md) and run from there (`run xvda:diskhello ARGS`).
 * It carries 192 KiB of initialised, writable data (its file is that big, so the
 * load takes many requests) and checks every word of it; `diskhello exec PROG
 * [ARGS]` forks and execs PROG (e.g. xvda:diskhello, from user mode) and waits.
 */
#include "ulib.h"

#define V(i)    ((unsigned int)(i) * 2654435761u + 12345u)
#define B4(i)   V(i), V((i) + 1), V((i) + 2), V((i) + 3)
#define B16(i)  B4(i), B4((i) + 4), B4((i) + 8), B4((i) + 12)
#define B64(i)  B16(i), B16((i) + 16), B16((i) + 32), B16((i) + 48)
#define B256(i) B64(i), B64((i) + 64), B64((i) + 128), B64((i) + 192)
#define B1K(i)  B256(i), B256((i) + 256), B256((i) + 512), B256((i) + 768)
#define B4K(i)  B1K(i), B1K((i) + 1024), B1K((i) + 2048), B1K((i) + 3072)
#define B16K(i) B4K(i), B4K((i) + 4096), B4K((i) + 8192), B4K((i) + 12288)
#define WORDS   (3 * 16384)

static unsigned int table[WORDS] = { B16K(0), B16K(16384), B16K(32768) };

int main(int argc, char **argv)
{
    unsigned int bad = 0;

    for (unsigned int i = 0; i < WORDS; i++)
        if (table[i] != V(i))
            bad++;
    for (unsigned int i = 0; i < WORDS; i += 1024)
        table[i] = 0;                   /* its data is writable */
    printf("diskhello: loaded from the disk, pid %d, %u KiB of data %s", getpid(),
           (unsigned int)(sizeof(table) / 1024), bad ? "CORRUPT" : "intact");
    for (int i = 1; i < argc; i++)
        printf("%s %s", i == 1 ? ", args:" : "", argv[i]);
    printf("\n");
    if (argc >= 3 && !strcmp(argv[1], "exec")) {
        int pid = fork(), status = 0;

        if (pid == 0) {
            long rc = exec(argv[2], &argv[2]);
            printf("diskhello: exec %s: %s\n", argv[2], strerror(rc));
            return 3;
        }
        wait(pid, &status);
        printf("diskhello: child %d ended, status %d\n", pid, status);
    }
    return bad ? 1 : 0;
}
