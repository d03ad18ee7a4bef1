/*
 * The guest kernel's memory management and processes (kernel/mm.c,
 * kernel/proc.c, kernel/syscall.c). How they use the PV ABI:
 * docs/guest-kernel.md.
 */
#ifndef GUEST_PROC_H
#define GUEST_PROC_H

#include "kernel.h"
#include "uapi.h"

/* ---- pages: pfn i of the guest is mapped at KERNEL_VIRT_BASE + i * 4 KiB ---- */
#define KERNEL_VIRT_BASE 0xffffffff80000000UL
#define PAGE_SHIFT      12
#define MAX_GUEST_PAGES (512UL * 512)   /* what one L2 of kernel map covers: 1 GiB */

#define _PAGE_PRESENT   0x001UL
#define _PAGE_RW        0x002UL
#define _PAGE_USER      0x004UL
#define _PAGE_ACCESSED  0x020UL
#define _PAGE_DIRTY     0x040UL
#define _PAGE_NX        (1UL << 63)
#define PTE_MFN_MASK    0x000ffffffffff000UL
#define PTE_TABLE       (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_KERNEL_RW   (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_KERNEL_RO   (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)

static inline void *pfn_to_virt(uint64_t pfn) { return (void *)(KERNEL_VIRT_BASE + (pfn << PAGE_SHIFT)); }
static inline uint64_t virt_to_pfn(const void *va) { return ((uint64_t)va - KERNEL_VIRT_BASE) >> PAGE_SHIFT; }

enum page_kind { PG_KERNEL, PG_USER, PG_PT, NR_PAGE_KINDS };

__attribute__((noreturn, format(printf, 1, 2))) void kernel_panic(const char *fmt, ...);

/* Critical sections: the upcall mask is the guest's interrupt flag (one vCPU). */
static inline uint8_t events_save(void)
{
    uint8_t m = shared_info->vcpu_info[0].evtchn_upcall_mask;

    events_disable();
    return m;
}
static inline void events_restore(uint8_t m)
{
    if (!m)
        events_enable();
}

void mm_init(void);
uint64_t alloc_page(enum page_kind kind);                   /* zeroed; 0 = none left */
uint64_t alloc_pages(unsigned n, enum page_kind kind);      /* contiguous, zeroed; 0 = none */
void free_pages(uint64_t pfn, unsigned n, enum page_kind kind);
void copy_page(void *dst, const void *src);
static inline void free_page(uint64_t pfn, enum page_kind kind) { free_pages(pfn, 1, kind); }
void mm_get_info(struct meminfo *mi);
void mm_report(void);

/* Batched page-table updates: requests queue up and go in one mmu_update. */
#define MMU_BATCH 64
struct mmu_batch {
    unsigned n;
    struct mmu_update req[MMU_BATCH];
};
void mb_add(struct mmu_batch *b, uint64_t ptr, uint64_t val);
void mb_flush(struct mmu_batch *b);
/* Queue the change of the kernel mapping of pfn to read-only / read-write. */
void mb_kmap(struct mmu_batch *b, uint64_t pfn, bool writable);

/* ---- user address spaces ---- */
struct mm {
    uint64_t kl4, ul4, l3;      /* pfns: kernel L4 (kernel + user part), user L4, the user L3 both share */
    bool live;                  /* pinned: changed only through hypercalls from now on */
    uint64_t brk_start, brk;    /* heap [brk_start, brk), demand-zero */
    uint64_t pages, pt_pages;   /* user pages and page-table pages (L4s included) */
};
struct mm *mm_create(void);                     /* empty, not yet live */
int mm_map_new(struct mm *mm, uint64_t va, uint64_t pfn, uint64_t flags);    /* before mm_commit */
int mm_commit(struct mm *mm);                   /* make its tables read-only, pin both L4s */
struct mm *mm_fork(struct mm *parent);          /* copy of every user page, committed */
void mm_destroy(struct mm *mm);                 /* not loaded anywhere; frees everything */
void mm_switch(struct mm *mm, uint64_t kstack_top);     /* NULL: the boot tables */
extern struct mm *active_mm;
/* Demand-zero: map pages around va (aligned group, inside [lo, hi)) in one batch. */
int mm_fault_in(struct mm *mm, uint64_t va, uint64_t lo, uint64_t hi);
int mm_unmap_range(struct mm *mm, uint64_t lo, uint64_t hi);
int mm_demand_fault(struct mm *mm, uint64_t va);   /* va in the heap or stack: map it (and neighbours) */
extern unsigned int mm_fault_around;            /* pages per demand fault, default 16 */
uint64_t *mm_pte(struct mm *mm, uint64_t va);   /* the L1 entry, or NULL if no L1 */
uint64_t pte_pfn(uint64_t pte);                 /* the pfn a (present) entry maps, via the M2P */
/* Check a user range for the kernel to read (write: and write), faulting in demand pages. */
int user_access_ok(uint64_t va, uint64_t len, bool write);
int copy_from_user(void *dst, uint64_t src, uint64_t len);
int copy_to_user(uint64_t dst, const void *src, uint64_t len);
long strncpy_from_user(char *dst, uint64_t src, long max);

/* ---- processes ---- */
struct process {
    int pid;
    struct process *parent;     /* NULL: started by the kernel shell */
    int state;                  /* PS_RUNNING, PS_SLEEPING (in a blocking call), PS_ZOMBIE */
    int exit_status;
    bool detached;              /* nobody will wait: freed at exit */
    bool in_use;
    bool in_wait;               /* blocked in SYS_wait: a child's exit wakes it */
    struct thread *thread;
    struct mm *mm;
    uint64_t kstack_top;
    char name[16];
    uint8_t fpu[512] __attribute__((aligned(16)));  /* FXSAVE area while another process owns the FPU */
};
#define MAX_PROCS 48

void proc_init(void);
struct process *current_proc(void);
int proc_spawn(const char *name, int argc, char *const argv[]); /* from the kernel shell: pid or -errno */
int proc_wait_kernel(int pid, int *status);                     /* the shell waits for its own child */
int proc_reap_background(void);                                 /* zombies of the shell: reported, freed */
void proc_exit(int status) __attribute__((noreturn));
void proc_list(void);
int proc_ps(struct ps_entry *out, int max);
bool user_fault(struct trap_frame *f, uint64_t cr2);    /* an exception from user mode; false = not ours */
void do_syscall(struct trap_frame *f);
extern long (*syscall_extra)(struct trap_frame *f);  /* system calls beyond NR_SYSCALLS, or NULL */
void enter_user(struct trap_frame *f) __attribute__((noreturn));     /* entry.S */

/* The programs built into the image (kernel/programs.S, generated). */
struct program { const char *name; const uint8_t *elf; uint64_t size; };
const struct program *program_find(const char *name);
void programs_list(void);
int exec_into(struct process *p, const char *name, int argc, char *const argv[], struct trap_frame *f);

/* The shell's hook (kernel/shell.c): ls, running programs; false = not a command of ours. */
bool shell_run(char *line);
long tty_read(char *buf, long max);     /* one line from the console, echoed */

#endif
