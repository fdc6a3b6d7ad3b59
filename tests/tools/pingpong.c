/* pingpong.c: MPI message latency between ranks 0 and 1, an input of the
 * coordinator simulation (tests/bench/des.py). For each message size, rank 0
 * sends and rank 1 echoes ITERS times; prints one line per size:
 *   bytes <n> oneway_us <median half round trip> p90_us <90th percentile>
 * Two receive styles: `block` (MPI_Recv, which busy-polls) and `probe` (the
 * scheduler's style: MPI_Iprobe in a loop, then MPI_Recv of the probed
 * message; no sleeps here, so this is the transport's latency, not the
 * back-off's).
 *   mpirun -n 2 pingpong [ITERS] [SIZE...]     (default 2000; 8 100 1000 3500 8000) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void recv_from(char *buf, int n, int src, int probe)
{
    if (probe) {
        int flag = 0;
        MPI_Status st;
        while (!flag)
            MPI_Iprobe(src, 0, MPI_COMM_WORLD, &flag, &st);
    }
    MPI_Recv(buf, n, MPI_BYTE, src, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

/* Rank 0: the half round trips of `iters` exchanges, after a warm-up. */
static void measure(int rank, char *buf, int n, int iters, int probe, double *t)
{
    for (int i = -50; i < iters; i++) {
        if (rank == 0) {
            double t0 = MPI_Wtime();
            MPI_Send(buf, n, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
            recv_from(buf, n, 1, probe);
            if (i >= 0)
                t[i] = (MPI_Wtime() - t0) / 2;
        } else if (rank == 1) {
            recv_from(buf, n, 0, probe);
            MPI_Send(buf, n, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
        }
    }
}

int main(int argc, char **argv)
{
    static const int defaults[] = {8, 100, 1000, 3500, 8000};
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2) {
        fprintf(stderr, "pingpong: run with mpirun -n 2\n");
        MPI_Finalize();
        return 2;
    }
    int iters = argc > 1 ? atoi(argv[1]) : 2000;
    if (iters < 1)
        iters = 1;
    int nsizes = argc > 2 ? argc - 2 : (int)(sizeof defaults / sizeof *defaults);
    double *t = malloc((size_t)iters * sizeof *t);
    char *buf = calloc(1 << 20, 1);
    if (!t || !buf)
        MPI_Abort(MPI_COMM_WORLD, 2);
    for (int probe = 0; probe < 2; probe++) {
        for (int k = 0; k < nsizes; k++) {
            int n = argc > 2 ? atoi(argv[k + 2]) : defaults[k];
            if (n < 0 || n > 1 << 20)
                n = 0;
            MPI_Barrier(MPI_COMM_WORLD);
            measure(rank, buf, n, iters, probe, t);
            if (rank == 0) {
                qsort(t, (size_t)iters, sizeof *t, cmp_double);
                printf("style %s bytes %d oneway_us %.2f p90_us %.2f\n", probe ? "probe" : "block",
                       n, 1e6 * t[iters / 2], 1e6 * t[iters * 9 / 10]);
                fflush(stdout);
            }
        }
    }
    free(t);
    free(buf);
    MPI_Finalize();
    return 0;
}
