/* make_data.c: write a synthetic CSV with fw_synth_write, for benchmarks and
 * tests until the CLI's `foldwise make-data` lands.
 *   make_data KIND ROWS FEATURES SEED OUT [CLASSES]
 * Exit 2 on bad usage or options. */
#include <stdio.h>
#include <stdlib.h>

#include "foldwise/data.h"

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: make_data KIND ROWS FEATURES SEED OUT [CLASSES]\n");
        return 2;
    }
    fw_synth_opts o;
    fw_synth_opts_init(&o);
    o.kind = argv[1];
    o.rows = strtoull(argv[2], NULL, 10);
    o.features = strtoull(argv[3], NULL, 10);
    o.seed = strtoull(argv[4], NULL, 10);
    if (argc > 6)
        o.classes = strtoull(argv[6], NULL, 10);
    fw_err e = {0};
    int rc = fw_synth_write(&o, argv[5], &e);
    if (rc) {
        char buf[2048];
        fw_err_format(&e, buf, sizeof buf);
        fprintf(stderr, "foldwise: %s\n", buf);
        return fw_status_exit_code(rc);
    }
    return 0;
}
