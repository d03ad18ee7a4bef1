/*
 * The guest kernel's processes (kernel/proc.c: lifetime; exec.c: programs
 * and ELF loading; syscall.c: system calls). Memory is mm.h's. How they
 * use the PV ABI: docs/guest-kernel.md.
 */
#ifndef GUEST_PROC_H
#define GUEST_PROC_H

#include "mm.h"

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

void proc_init(void);                                           /* syscall callback, FPU start state */
struct process *current_proc(void);
struct trap_frame *user_frame(const struct process *p);         /* its user registers, at its stack top */
long proc_fork(struct process *parent, const struct trap_frame *f);     /* the child's pid or -errno */
/* Reap a zombie child of `parent` (NULL: the shell's) matching pid (-1: any): its pid, 0 if
 * none yet and !block, -ECHILD if there is no such child. */
int proc_reap(struct process *parent, int pid, int *status, bool block);
const char *proc_status_text(int status, char *buf, size_t size);      /* "exit status N" / "killed (...)" */
void proc_fpu_reset(struct process *p);                         /* start-of-day FPU state, for exec */
void syscall_init(void);                                        /* register the syscall callback */
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

/* The programs built into the image (exec.c; user_programs comes from the image's user archive). */
struct program { const char *name; const uint8_t *elf; uint64_t size; };
const struct program *program_find(const char *name);
void programs_list(void);
int exec_into(struct process *p, const char *name, int argc, char *const argv[], struct trap_frame *f);
/* Programs that are not built in (names with a ':', "xvda:hello"): an image in kernel memory,
 * or -errno; released after exec_into copied it. NULL: none (diskprog.c sets them). */
extern int (*exec_loader)(const char *name, struct program *out);
extern void (*exec_unloader)(struct program *prog);
/* diskprog.c (the bundled kernel, docs/diskfs.md): sets exec_loader for DISK:NAME; the shell's
 * `disk ls|check DISK` (w[0] is "disk"; false if it is not). */
void diskprog_init(void);
bool diskprog_command(char **w, int nw);

/* The shell's hook (kernel/shell.c): ls, running programs; false = not a command of ours.
 * tty_read is syscall.c's. */
bool shell_run(char *line);
long tty_read(char *buf, long max);     /* one line from the console, echoed */

#endif
