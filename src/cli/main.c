/* main.c: the foldwise command line (a stub until the CLI lands). */
#include <stdio.h>
#include <string.h>

#include "foldwise/core.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("foldwise %s\n", FW_VERSION);
        return 0;
    }
    fprintf(stderr, "foldwise: not built yet\n");
    return 2;
}
