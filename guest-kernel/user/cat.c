/* cat: console lines back, numbered, until end of input (Ctrl-D). */
#include "ulib.h"

int main(void)
{
    char line[200];
    long n;
    int nr = 0;

    while ((n = read(0, line, sizeof(line) - 1)) > 0) {
        line[n] = 0;
        printf("%4d %s", ++nr, line);
    }
    printf("cat: end of input after %d line%s\n", nr, nr == 1 ? "" : "s");
    return 0;
}
