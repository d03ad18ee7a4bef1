/* hello: says hello from guest user mode, with its pid and arguments, in one write (one line). */
#include "ulib.h"

int main(int argc, char **argv)
{
    char line[256];
    size_t n = (size_t)snprintf(line, sizeof(line), "hello from user mode: pid %d, parent %d", getpid(),
                                getppid());

    for (int i = 1; i < argc && n < sizeof(line); i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, "%s %s", i == 1 ? ", args:" : "", argv[i]);
    printf("%s\n", line);
    return 0;
}
