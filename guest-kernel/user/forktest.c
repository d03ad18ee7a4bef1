/*
 * forktest [N]: fork, exec and wait made visible. The parent forks N
 * children (default 3): child 1 execs `hello`, the others sleep a little and
 * exit with a status of their own. While they live the parent lists the
 * processes (SYS_ps), then waits for each and reports how it ended.
 */
#include "ulib.h"

static void list(void)
{
    static const char *const st[] = { "running", "sleeping", "zombie" };
    struct ps_entry e[16];
    int n = ps(e, 16);

    for (int i = 0; i < n && i < 16; i++)
        printf("forktest:   pid %d ppid %d %-8s %3lu pages %s\n", e[i].pid, e[i].ppid, st[e[i].state],
               (unsigned long)e[i].pages, e[i].name);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? (int)atoul(argv[1]) : 3, pids[16], status, bad = 0;

    if (n < 1 || n > 16)
        n = 3;
    printf("forktest: pid %d forking %d children\n", getpid(), n);
    for (int i = 0; i < n; i++) {
        int pid = fork();
        if (pid < 0) {
            printf("forktest: fork: %s\n", strerror(pid));
            return 1;
        }
        if (pid == 0) {
            if (i == 0) {
                char *args[] = { "hello", "exec'd", "by", "forktest", NULL };
                int rc = exec("hello", args);
                printf("forktest: exec: %s\n", strerror(rc));
                exit(99);
            }
            sleep_ms(50 * i);
            exit(10 + i);
        }
        pids[i] = pid;
    }
    printf("forktest: children running:\n");
    list();
    for (int i = 0; i < n; i++) {
        int pid = wait(pids[i], &status);
        int want = i == 0 ? 0 : 10 + i;
        printf("forktest: child %d (pid %d) exited with status %d\n", i + 1, pid, status);
        bad += pid != pids[i] || status != want;
    }
    if (wait(-1, &status) != -UAPI_ECHILD)
        bad++;
    printf("forktest: %s\n", bad ? "FAILED" : "all children reaped, statuses as expected");
    return bad != 0;
}
