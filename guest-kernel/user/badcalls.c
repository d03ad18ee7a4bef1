/*
 * badcalls: system calls with bad arguments must fail with an error, never
 * take the kernel down: kernel, hypervisor and non-canonical pointers,
 * read-only and unmapped user memory, unknown numbers, impossible sizes.
 */
#include "ulib.h"

static int failures;

static void expect(const char *what, long got, long want)
{
    if (got != want) {
        printf("badcalls: %s: got %ld, want %ld\n", what, got, want);
        failures++;
    }
}

int main(void)
{
    static const char msg[] = "x";
    char *const bad_argv[] = { (char *)0xffffffff80000000UL, NULL };
    int status;

    expect("write from kernel memory", write(1, (void *)0xffffffff80000000UL, 8), -UAPI_EFAULT);
    expect("write from the hypervisor range", write(1, (void *)0xffff800000000000UL, 8), -UAPI_EFAULT);
    expect("write from a non-canonical address", write(1, (void *)0x0000800000000000UL, 8), -UAPI_EFAULT);
    expect("write from an unmapped address", write(1, (void *)0x10, 8), -UAPI_EFAULT);
    expect("write wrapping around", write(1, msg, ~0UL), -UAPI_EFAULT);
    expect("write to fd 7", write(7, msg, 1), -UAPI_EBADF);
    expect("read into our code", read(0, (void *)(uintptr_t)main, 16), -UAPI_EFAULT);
    expect("read into kernel memory", read(0, (void *)0xffffffff80001000UL, 16), -UAPI_EFAULT);
    expect("exec of a kernel-memory name", exec((const char *)0xffffffff80000000UL, bad_argv), -UAPI_EFAULT);
    expect("exec with a kernel-memory argv", exec("hello", (char *const *)0xffffffff80000000UL), -UAPI_EFAULT);
    expect("exec with a kernel-memory argument", exec("hello", bad_argv), -UAPI_EFAULT);
    expect("exec of a missing program", exec("nosuchprogram", bad_argv + 1), -UAPI_ENOENT);
    expect("wait into kernel memory", wait(-1, (int *)0xffffffff80000000UL), -UAPI_EFAULT);
    expect("wait without children", wait(-1, &status), -UAPI_ECHILD);
    expect("sbrk of 2^62 bytes", (long)sbrk(1L << 62), -UAPI_ENOMEM);
    expect("sbrk below the heap", (long)sbrk(-(1L << 30)), -UAPI_EINVAL);
    expect("ps into kernel memory", ps((struct ps_entry *)0xffffffff80000000UL, 4), -UAPI_EFAULT);
    expect("meminfo into our code", meminfo((struct meminfo *)(uintptr_t)main), -UAPI_EFAULT);
    expect("system call 99", syscall0(99), -UAPI_ENOSYS);
    expect("system call -1", syscall0(-1), -UAPI_ENOSYS);
    printf("badcalls: %s\n", failures ? "FAILED" : "every bad call refused, the kernel carries on");
    return failures != 0;
}
