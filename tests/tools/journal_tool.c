/* journal_tool.c: print the task key of every intact journal record, one
 * per line (tests count records and look for duplicates). Exit 2 when the
 * journal is damaged. */
#include <inttypes.h>
#include <stdio.h>

#include "foldwise/store.h"

static int print_key(void *arg, uint64_t key, const void *p, size_t n)
{
    (void)arg, (void)p, (void)n;
    printf("%016" PRIx64 "\n", key);
    return 0;
}

int main(int argc, char **argv)
{
    fw_err e = {0};
    size_t n;
    fw_log_set_level(FW_LOG_ERROR);
    if (argc != 2) {
        fprintf(stderr, "usage: journal_tool JOURNAL\n");
        return 2;
    }
    if (fw_journal_scan(argv[1], NULL, print_key, NULL, &n, &e)) {
        fprintf(stderr, "journal_tool: %s: %s\n", argv[1], e.msg);
        return 2;
    }
    return 0;
}
