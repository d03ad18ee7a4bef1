/* Internal interfaces of the native benchmark kernel (a bare Multiboot kernel, no hypervisor). */
#ifndef NATIVE_H
#define NATIVE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "layout.h"

#define ALIGNED(n) __attribute__((aligned(n)))
#define NORETURN   __attribute__((noreturn))

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint64_t rdtsc_fenced(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void write_cr3(uint64_t v)
{
    __asm__ __volatile__("mov %0, %%cr3" :: "r"(v) : "memory");
}

/* Register frame built by entry.S exc_common; the CPU part follows vector. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

/* A kernel thread for the context-switch test: saved RSP and its CR3. */
struct ctx {
    uint64_t rsp;
    uint64_t cr3;
};

/* console.c: COM1, polled. kprintf knows %s %c %d %u %x with l/ll, and %%. */
void console_init(void);
void kprintf(const char *fmt, ...);

/* lib.c */
void *memset(void *p, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
NORETURN void qemu_exit(uint8_t value);

/* cpu.c: GDT, TSS, IDT and the SYSCALL MSRs; must run before any benchmark. */
void cpu_init(void);
NORETURN void trap_fatal(struct trap_frame *f);

/* paging.c: the bench region (BENCH_VA) and a second address space. */
extern uint64_t bench_l1[FAULT_PAGES];
extern uint64_t fault_pte;          /* PTE the #PF handler installs */
void paging_init(void);
void paging_reset_region(void);     /* unmap every bench page, flush the TLB */
uint64_t paging_second_l4(void);    /* CR3 of a copy of the boot address space */

/* clock.c: TSC frequency measured against PIT channel 2; 0 if the PIT never answered. */
uint64_t clock_tsc_khz(void);

/* scenarios.c */
extern struct ctx ctx_a, ctx_b;     /* the two context-switch threads */
void scenarios_run(uint64_t iters);

/* entry.S */
extern const uint64_t exc_table[32];
void pf_entry(void);
void syscall_entry(void);
void null_int_entry(void);
void user_exit_entry(void);
void enter_user(void (*fn)(void), uint64_t n, uint64_t *result);
void ctx_switch(struct ctx *from, struct ctx *to);

/* loops.S: each returns the TSC delta of n iterations. */
uint64_t loop_null(uint64_t n);
uint64_t loop_cr3(uint64_t n, uint64_t cr3);
uint64_t loop_ptwrite(uint64_t n, uint64_t *pte, uint64_t va, uint64_t val);
uint64_t loop_fault(uint64_t n, uint64_t va);
uint64_t loop_ctxsw(uint64_t n);
void thread_b_loop(void);
void user_null(void);
void user_syscall(void);
void user_int(void);

#endif
