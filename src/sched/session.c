/* session.c: the process world. MPI is initialised only when the process was
 * started by a launcher (mpirun, srun): plain `foldwise run` stays serial
 * and never touches MPI. Under MPI the dataset is read once per node by the
 * node's first rank, packed into an MPI-3 shared-memory window on the node
 * communicator, and viewed in place by every rank of the node, so memory
 * does not grow with ranks per node. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/sched.h"
#include "sched_int.h"

static int launched_by_mpi(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                       "PMI_SIZE", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int fw_session_open(int *argc, char ***argv, int force_mpi, fw_session **out, fw_err *e)
{
    fw_session *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    s->size = 1;
    if (force_mpi || launched_by_mpi()) {
        int provided;
        /* Only the main thread of each rank calls MPI (rank 0's compute
         * thread never does): FUNNELED is enough. */
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            free(s);
            return fw_err_set(e, FW_EIO, "MPI_Init_thread failed");
        }
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        s->mpi = 1;
        MPI_Comm_rank(MPI_COMM_WORLD, &s->rank);
        MPI_Comm_size(MPI_COMM_WORLD, &s->size);
        MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &s->node);
        MPI_Comm_rank(s->node, &s->node_rank);
        s->win = MPI_WIN_NULL;
    }
    *out = s;
    return FW_OK;
}

int fw_session_rank(const fw_session *s) { return s->rank; }
int fw_session_size(const fw_session *s) { return s->size; }
int fw_session_is_mpi(const fw_session *s) { return s->mpi; }

int fw_session_agree(fw_session *s, int rc)
{
    if (!s->mpi)
        return rc;
    /* The first failing rank's status: min over (rc ? rank : size). */
    int mine = rc ? s->rank : s->size, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == s->size)
        return FW_OK;
    int code = rc;
    MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
    return code;
}

int fw_session_bcast_int(fw_session *s, int v)
{
    if (s->mpi)
        MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return v;
}

/* Node leader: load and pack; everyone: allocate the window and view it. */
int fw_session_load(fw_session *s, const fw_data_opts *o, fw_dataset **out, fw_err *e)
{
    *out = NULL;
    if (!s->mpi)
        return fw_dataset_load(o, out, e);
    fw_dataset *d = NULL;
    int rc = FW_OK;
    uint64_t size = 0;
    if (s->node_rank == 0) {
        rc = fw_dataset_load(o, &d, e);
        if (!rc)
            size = fw_dataset_packed_size(d);
    }
    /* Every rank (all nodes) agrees before any window exists. */
    if ((rc = fw_session_agree(s, rc))) {
        fw_dataset_free(d);
        if (!e->msg[0])
            fw_err_set(e, rc, "the data could not be loaded on another node");
        return rc;
    }
    MPI_Bcast(&size, 1, MPI_UINT64_T, 0, s->node);
    void *base = NULL;
    MPI_Aint bytes = s->node_rank == 0 ? (MPI_Aint)size : 0;
    if (MPI_Win_allocate_shared(bytes, 8, MPI_INFO_NULL, s->node, &base, &s->win) != MPI_SUCCESS)
        rc = fw_err_set(e, FW_ENOMEM, "cannot allocate a %llu-byte shared window",
                        (unsigned long long)size);
    if (!rc && s->node_rank == 0) {
        fw_dataset_pack(d, base);
        fw_dataset_free(d);  /* the window is now the only copy */
    }
    MPI_Barrier(s->node);
    if (!rc && s->node_rank != 0) {
        MPI_Aint qsize;
        int disp;
        MPI_Win_shared_query(s->win, 0, &qsize, &disp, &base);
    }
    if (!rc)
        rc = fw_dataset_view(base, (size_t)size, out, e);
    return fw_session_agree(s, rc);
}

void fw_session_close(fw_session *s)
{
    if (!s)
        return;
    if (s->mpi) {
        if (s->win != MPI_WIN_NULL)
            MPI_Win_free(&s->win);
        MPI_Comm_free(&s->node);
        MPI_Finalize();
    }
    free(s);
}

void fw_session_mpi_version(char *buf, size_t n)
{
    char v[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(v, &len);
    /* "Open MPI v4.1.4, package: ..." -> "Open MPI 4.1.4" */
    char *comma = strchr(v, ',');
    if (comma)
        *comma = '\0';
    char *vv = strstr(v, " v");
    if (vv)
        memmove(vv + 1, vv + 2, strlen(vv + 2) + 1);
    snprintf(buf, n, "%s", v);
}
