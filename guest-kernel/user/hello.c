/* hello: says hello from guest user mode, with its pid and arguments. */
#include "ulib.h"

int main(int argc, char **argv)
{
    printf("hello from user mode: pid %d, parent %d", getpid(), getppid());
    for (int i = 1; i < argc; i++)
        printf("%s %s", i == 1 ? ", args:" : "", argv[i]);
    printf("\n");
    return 0;
}
