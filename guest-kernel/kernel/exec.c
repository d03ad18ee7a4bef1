/*
 * Programs: the ELF images built into the kernel (user_programs, from the
 * kernel image's user archive or a benchmark kernel's own), loaded into a
 * fresh address space with their arguments on the first stack page.
 * exec_into replaces a process's program and leaves it unchanged on failure.
 * A name that is not built in goes to exec_loader when the kernel has one
 * (the bundled kernel: "xvda:NAME" from a program disk, diskprog.c).
 */
#include "proc.h"
#include <tandem/errno.h>
#include <tandem-lib/elf64.h>

extern const struct program user_programs[];     /* name NULL ends it */

int (*exec_loader)(const char *name, struct program *out);
void (*exec_unloader)(struct program *prog);

const struct program *program_find(const char *name)
{
    for (const struct program *p = user_programs; p->name; p++)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

void programs_list(void)
{
    for (const struct program *p = user_programs; p->name; p++)
        printk("  %-10s %6lu bytes\n", p->name, (unsigned long)p->size);
}

static int load_elf(struct mm *mm, const struct program *prog, uint64_t *entry)
{
    const struct elf64_ehdr *eh = (const void *)prog->elf;
    uint64_t top = 0;

    if (prog->size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF\2\1", 6) || eh->e_type != ET_EXEC ||
        eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum > 16 ||
        eh->e_phoff > prog->size || eh->e_phnum * sizeof(struct elf64_phdr) > prog->size - eh->e_phoff)
        return -UAPI_ENOEXEC;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const struct elf64_phdr *ph = (const void *)(prog->elf + eh->e_phoff + i * sizeof(*ph));
        uint64_t flags = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

        if (ph->p_type != PT_LOAD || !ph->p_memsz)
            continue;
        if (ph->p_vaddr < USER_TEXT_BASE || ph->p_memsz > USER_STACK_TOP - USER_STACK_MAX - ph->p_vaddr ||
            ph->p_filesz > ph->p_memsz || ph->p_offset > prog->size || ph->p_filesz > prog->size - ph->p_offset)
            return -UAPI_ENOEXEC;
        if (ph->p_flags & PF_W)
            flags |= _PAGE_RW | _PAGE_DIRTY;
        if (!(ph->p_flags & PF_X))
            flags |= _PAGE_NX;
        for (uint64_t va = ph->p_vaddr & ~(PAGE_SIZE - 1); va < ph->p_vaddr + ph->p_memsz; va += PAGE_SIZE) {
            uint64_t *pte = mm_pte(mm, va), pfn, lo, hi;
            int rc;
            if (pte && (*pte & _PAGE_PRESENT)) {        /* shared with the previous segment */
                pfn = pte_pfn(*pte);
                *pte |= flags & (_PAGE_RW | _PAGE_DIRTY);
                if (!(flags & _PAGE_NX))
                    *pte &= ~_PAGE_NX;
            } else {
                if (!(pfn = alloc_page(PG_USER)))
                    return -XEN_ENOMEM;
                if ((rc = mm_map_new(mm, va, pfn, flags))) {
                    free_page(pfn, PG_USER);
                    return rc;
                }
            }
            /* The file bytes that land in this page. */
            lo = va > ph->p_vaddr ? va : ph->p_vaddr;
            hi = va + PAGE_SIZE < ph->p_vaddr + ph->p_filesz ? va + PAGE_SIZE : ph->p_vaddr + ph->p_filesz;
            if (lo < hi)
                memcpy((char *)pfn_to_virt(pfn) + (lo - va), prog->elf + ph->p_offset + (lo - ph->p_vaddr), hi - lo);
        }
        if (ph->p_vaddr + ph->p_memsz > top)
            top = ph->p_vaddr + ph->p_memsz;
    }
    if (!top || eh->e_entry < USER_TEXT_BASE || eh->e_entry >= top)
        return -UAPI_ENOEXEC;
    mm->brk_start = mm->brk = (top + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    *entry = eh->e_entry;
    return 0;
}

/* The first stack page: argument strings at the top, then argv[]; returns argv's user address. */
static int setup_stack(struct mm *mm, int argc, char *const argv[], uint64_t *uargv)
{
    uint64_t pfn = alloc_page(PG_USER), base = USER_STACK_TOP - PAGE_SIZE, ptrs[USER_MAX_ARGS + 1];
    char *page = pfn_to_virt(pfn);
    size_t off = PAGE_SIZE;
    int rc;

    if (!pfn)
        return -XEN_ENOMEM;
    if ((rc = mm_map_new(mm, base, pfn, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED |
                                        _PAGE_DIRTY | _PAGE_NX))) {
        free_page(pfn, PG_USER);
        return rc;
    }
    for (int i = argc - 1; i >= 0; i--) {
        size_t len = strlen(argv[i]) + 1;
        off -= len;
        memcpy(page + off, argv[i], len);
        ptrs[i] = base + off;
    }
    ptrs[argc] = 0;
    off = ((off & ~15UL) - (argc + 1) * 8) & ~15UL;
    memcpy(page + off, ptrs, (argc + 1) * 8);
    *uargv = base + off;
    return 0;
}

/*
 * Replace p's program: a new address space with `name` loaded, its user
 * frame f set to the entry point (rdi = argc, rsi = argv). argv[] is
 * kernel memory (at most USER_MAX_ARGS strings, 1 KiB in all). On failure
 * p is unchanged.
 */
static int exec_program(struct process *p, const struct program *prog, int argc, char *const argv[],
                        struct trap_frame *f)
{
    struct mm *mm, *old = p->mm;
    uint64_t entry = 0, uargv = 0;
    uint8_t m;
    int rc;

    if (!(mm = mm_create()))
        return -XEN_ENOMEM;
    if ((rc = load_elf(mm, prog, &entry)) || (rc = setup_stack(mm, argc, argv, &uargv))) {
        mm_destroy(mm);
        return rc;
    }
    mm_commit(mm);
    m = events_save();
    p->mm = mm;
    if (p == current_proc())
        mm_switch(mm, 0);
    snprintf(p->name, sizeof(p->name), "%s", prog->name);
    events_restore(m);
    if (old)
        mm_destroy(old);
    proc_fpu_reset(p);
    memset(f, 0, sizeof(*f));
    f->rip = entry;
    f->cs = ARCH_USER_CS;
    f->rflags = 0x202;
    f->rsp = uargv;
    f->ss = ARCH_USER_SS;
    f->rdi = argc;
    f->rsi = uargv;
    return 0;
}

int exec_into(struct process *p, const char *name, int argc, char *const argv[], struct trap_frame *f)
{
    const struct program *prog = program_find(name);
    struct program loaded;
    size_t total = 0;
    int rc;

    if (!prog && !(exec_loader && strchr(name, ':')))
        return -XEN_ENOENT;
    if (argc < 0 || argc > USER_MAX_ARGS)
        return -XEN_E2BIG;
    for (int i = 0; i < argc; i++)
        total += strlen(argv[i]) + 1;
    if (total > 1024)
        return -XEN_E2BIG;
    if (prog)
        return exec_program(p, prog, argc, argv, f);
    if ((rc = exec_loader(name, &loaded)))
        return rc;
    rc = exec_program(p, &loaded, argc, argv, f);   /* its pages hold copies: the image can go */
    exec_unloader(&loaded);
    return rc;
}
