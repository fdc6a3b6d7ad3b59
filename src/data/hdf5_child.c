/* hdf5_child.c: the child process side of the HDF5 reader (see hdf5.c for
 * why there is a child at all).
 *
 * The child opens the untrusted file with HDF5, validates both datasets
 * (links, storage, filters, types, shapes) and streams the values to the
 * parent through a pipe as frames (data_int.h): META, one NAME per feature
 * plus one for the target, Y blocks, X blocks, then END; or ERR with a
 * message naming the dataset. It never returns: it ends with _exit, so no
 * atexit handler of the parent (HDF5's own library shutdown, which would
 * flush the parent's open files; MPI; the sanitizers) runs in it. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "data_int.h"

/* Values per X/Y frame: 1 Mi doubles (8 MiB). */
#define H5C_BLOCK_VALUES ((size_t)1 << 20)
/* Address space the child may add to what it inherited, before it knows
 * the chunk sizes. */
#define H5C_AS_BUDGET ((rlim_t)1 << 30)
/* Largest chunk accepted (HDF5 itself stores chunks below 4 GiB). */
#define H5C_MAX_CHUNK 4294967296.0

typedef struct h5c {
    int fd;
    const char *path;
    hid_t file, dapl;
    int elink_hit;
    rlim_t as_base;
    double chunk_bytes;  /* the largest chunk of the datasets opened so far */
    fw_err err;
} h5c;

/* ---- the pipe ------------------------------------------------------------ */

/* A frame of two parts; every frame sent re-arms the watchdog. */
static void send_frame(h5c *c, uint32_t type, const void *a, size_t na, const void *b,
                       size_t nb)
{
    fw_h5_frame h = {type, 0, (uint64_t)(na + nb)};
    if (fw_write_all(c->fd, &h, sizeof h) || (na && fw_write_all(c->fd, a, na)) ||
        (nb && fw_write_all(c->fd, b, nb)))
        _exit(3);  /* the parent is gone */
    alarm(FW_H5_WATCHDOG);
}

/* Report c->err to the parent and end. */
_Noreturn static void fail(h5c *c)
{
    fw_h5_errmsg m = {0};
    m.code = c->err.code ? c->err.code : FW_EINVAL;
    m.line = c->err.line;
    m.col = c->err.col;
    memcpy(m.msg, c->err.msg, sizeof m.msg);
    m.msg[sizeof m.msg - 1] = '\0';
    send_frame(c, FW_H5_ERR, &m, sizeof m, NULL, 0);
    _exit(0);
}

#define FAIL(c, ...)                                                   \
    do {                                                               \
        fw_err_at(&(c)->err, FW_EINVAL, (c)->path, 0, 0, __VA_ARGS__); \
        fail(c);                                                       \
    } while (0)

/* ---- process limits ------------------------------------------------------ */

static rlim_t vm_size(void)
{
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}

static void set_as_limit(rlim_t bytes)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0)
        return;
    if (rl.rlim_max != RLIM_INFINITY && bytes > rl.rlim_max)
        bytes = rl.rlim_max;
    rl.rlim_cur = bytes;
    setrlimit(RLIMIT_AS, &rl);
}

/* Fatal signals back to their defaults (so a crash in HDF5 ends the child
 * quietly instead of running a sanitizer's or the parent's handler), the
 * address-space and CPU limits, the watchdog, stderr to /dev/null unless
 * FW_HDF5_DEBUG is set (HDF5 and the C library may print while failing). */
static void child_setup(h5c *c)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS,
                               SIGPIPE, SIGXCPU, SIGALRM, SIGTERM, SIGINT, SIGUSR1};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], SIG_DFL);
    if (!getenv("FW_HDF5_DEBUG")) {
        int dn = open("/dev/null", O_WRONLY);
        if (dn >= 0) {
            dup2(dn, 2);
            close(dn);
        }
    }
    c->as_base = vm_size();
    if (c->as_base)
        set_as_limit(c->as_base + H5C_AS_BUDGET);
    struct rlimit cpu = {FW_H5_CPU_LIMIT, FW_H5_CPU_LIMIT + 5};
    setrlimit(RLIMIT_CPU, &cpu);
    alarm(FW_H5_WATCHDOG);
}

/* ---- validation ---------------------------------------------------------- */

static herr_t deny_elink(const char *parent_file, const char *parent_group,
                         const char *child_file, const char *child_object, unsigned *acc_flags,
                         hid_t fapl, void *op)
{
    (void)parent_file, (void)parent_group, (void)child_file, (void)child_object;
    (void)acc_flags, (void)fapl;
    *(int *)op = 1;
    return -1;
}

typedef struct root_names {
    char list[256];
    size_t n;
} root_names;

static herr_t collect_name(hid_t g, const char *name, const H5L_info_t *info, void *op)
{
    root_names *r = op;
    (void)g, (void)info;
    size_t used = strlen(r->list);
    if (r->n++ < 8 && used + strlen(name) + 4 < sizeof r->list)
        snprintf(r->list + used, sizeof r->list - used, "%s/%s", used ? ", " : "", name);
    return 0;
}

/* "no dataset" with what the root group holds, as a hint. */
static void fail_missing(h5c *c, const char *key, const char *dpath, const char *part)
{
    root_names r = {{0}, 0};
    hsize_t idx = 0;
    H5Literate(c->file, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_name, &r);
    FAIL(c, "%s: dataset %s: %s does not exist%s%s%s", key, dpath, part,
         r.n ? " (the root group holds " : " (the root group is empty)", r.list,
         r.n > 8 ? ", ...)" : r.n ? ")" : "");
}

/* Every link on the way to dpath exists and is a hard or soft link. */
static void check_links(h5c *c, const char *key, const char *dpath)
{
    char buf[FW_H5_MAX_PATH];
    size_t n = strlen(dpath);
    for (size_t i = 1; i <= n; i++) {
        if (i < n && dpath[i] != '/')
            continue;
        memcpy(buf, dpath, i);
        buf[i] = '\0';
        if (buf[i - 1] == '/')
            continue;
        if (H5Lexists(c->file, buf, c->dapl) <= 0)
            fail_missing(c, key, dpath, buf);
        H5L_info_t li;
        if (H5Lget_info(c->file, buf, &li, c->dapl) < 0)
            FAIL(c, "%s: dataset %s: cannot read the link %s", key, dpath, buf);
        if (li.type == H5L_TYPE_EXTERNAL)
            FAIL(c, "%s: dataset %s: %s is an external link (to another file); foldwise reads "
                    "only data stored in the file itself", key, dpath, buf);
        if (li.type != H5L_TYPE_HARD && li.type != H5L_TYPE_SOFT)
            FAIL(c, "%s: dataset %s: %s is a user-defined link, which foldwise does not follow",
                 key, dpath, buf);
    }
}

static int filter_allowed(H5Z_filter_t id)
{
    return id == H5Z_FILTER_DEFLATE || id == H5Z_FILTER_SHUFFLE || id == H5Z_FILTER_FLETCHER32;
}

/* No virtual or external storage, no filter beyond deflate/shuffle/
 * fletcher32; remembers the chunk size for the memory limit. */
static void check_storage(h5c *c, hid_t ds, const char *key, const char *dpath, size_t tsize)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    if (dcpl < 0)
        FAIL(c, "%s: dataset %s: cannot read its storage properties", key, dpath);
    H5D_layout_t layout = H5Pget_layout(dcpl);
    if (layout == H5D_VIRTUAL)
        FAIL(c, "%s: dataset %s is a virtual dataset (it maps data from other datasets or "
                "files); foldwise reads only data stored in the dataset itself", key, dpath);
    if (layout < 0)
        FAIL(c, "%s: dataset %s: unknown storage layout", key, dpath);
    if (H5Pget_external_count(dcpl) != 0)
        FAIL(c, "%s: dataset %s keeps its data in external files; foldwise reads only data "
                "stored in the HDF5 file itself", key, dpath);
    int nf = H5Pget_nfilters(dcpl);
    if (nf < 0)
        FAIL(c, "%s: dataset %s: cannot read its filter pipeline", key, dpath);
    for (int i = 0; i < nf; i++) {
        unsigned flags, cfg;
        size_t ncd = 0;
        char name[64] = "";
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, NULL, sizeof name,
                                         name, &cfg);
        if (!filter_allowed(id))
            FAIL(c, "%s: dataset %s uses filter %d ('%s'); foldwise reads only deflate "
                    "(gzip), shuffle and fletcher32 (rewrite it with h5repack -f GZIP=4)",
                 key, dpath, (int)id, name);
    }
    if (layout == H5D_CHUNKED) {
        hsize_t cd[H5S_MAX_RANK];
        int rank = H5Pget_chunk(dcpl, H5S_MAX_RANK, cd);
        double bytes = (double)(tsize > 8 ? tsize : 8);
        for (int k = 0; k < rank; k++)
            bytes *= (double)cd[k];
        if (rank < 0 || bytes > H5C_MAX_CHUNK)
            FAIL(c, "%s: dataset %s: chunks of %.0f bytes are not supported", key, dpath,
                 bytes);
        if (bytes > c->chunk_bytes)
            c->chunk_bytes = bytes;
    }
    H5Pclose(dcpl);
}

static const char *class_name(H5T_class_t k)
{
    switch (k) {
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "a compound type (records)";
    case H5T_ENUM: return "an enum type";
    case H5T_ARRAY: return "an array type";
    case H5T_VLEN: return "a variable-length type";
    case H5T_OPAQUE: return "an opaque type";
    case H5T_BITFIELD: return "a bitfield type";
    case H5T_REFERENCE: return "references";
    case H5T_TIME: return "a time type";
    default: return "an unknown type";
    }
}

/* Open dpath as a dataset of integers or floats with 1 or 2 dimensions. */
static hid_t open_numeric(h5c *c, const char *key, const char *dpath, int *ndims, hsize_t *dims)
{
    check_links(c, key, dpath);
    c->elink_hit = 0;
    hid_t obj = H5Oopen(c->file, dpath, c->dapl);
    if (obj < 0)
        FAIL(c, "%s: dataset %s cannot be opened%s", key, dpath,
             c->elink_hit ? " (it goes through an external link to another file)" : "");
    H5I_type_t it = H5Iget_type(obj);
    if (it != H5I_DATASET)
        FAIL(c, "%s: %s is %s, not a dataset", key, dpath,
             it == H5I_GROUP ? "a group" : "a named datatype");
    H5Oclose(obj);
    hid_t ds = H5Dopen2(c->file, dpath, c->dapl);
    hid_t type = ds < 0 ? -1 : H5Dget_type(ds);
    if (type < 0)
        FAIL(c, "%s: dataset %s cannot be opened", key, dpath);
    H5T_class_t k = H5Tget_class(type);
    size_t tsize = H5Tget_size(type);
    H5Tclose(type);
    if (k != H5T_INTEGER && k != H5T_FLOAT)
        FAIL(c, "%s: dataset %s holds %s; foldwise reads integer or floating-point datasets",
             key, dpath, class_name(k));
    check_storage(c, ds, key, dpath, tsize);
    hid_t sp = H5Dget_space(ds);
    if (sp < 0 || H5Sget_simple_extent_type(sp) != H5S_SIMPLE)
        FAIL(c, "%s: dataset %s is a scalar or empty dataspace, not an array", key, dpath);
    *ndims = H5Sget_simple_extent_ndims(sp);
    if (*ndims < 1 || *ndims > 2)
        FAIL(c, "%s: dataset %s has %d dimensions; foldwise reads 1 or 2", key, dpath, *ndims);
    if (H5Sget_simple_extent_dims(sp, dims, NULL) < 0)
        FAIL(c, "%s: dataset %s: cannot read its shape", key, dpath);
    H5Sclose(sp);
    return ds;
}

/* ---- reading ------------------------------------------------------------- */

/* Rows [r0, r0+nr) of a 1-D or 2-D dataset of `ncols` columns, as doubles
 * (the selection takes the dataspace's own rank). */
static int read_rows(hid_t ds, hsize_t r0, hsize_t nr, hsize_t ncols, double *buf)
{
    hsize_t start[2] = {r0, 0}, count[2] = {nr, ncols}, mdims[1] = {nr * ncols};
    hid_t fs = H5Dget_space(ds);
    hid_t ms = H5Screate_simple(1, mdims, NULL);
    herr_t rc = -1;
    if (fs >= 0 && ms >= 0 &&
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
        rc = H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc < 0 ? -1 : 0;
}

/* Stream a dataset as frames of whole rows: {uint64 first row, rows} + values. */
static void send_rows(h5c *c, uint32_t type, hid_t ds, hsize_t n, hsize_t ncols,
                      const char *key, const char *dpath, double *buf)
{
    hsize_t per = H5C_BLOCK_VALUES / ncols ? H5C_BLOCK_VALUES / ncols : 1;
    for (hsize_t r0 = 0; r0 < n; r0 += per) {
        hsize_t nr = n - r0 < per ? n - r0 : per;
        if (read_rows(ds, r0, nr, ncols, buf))
            FAIL(c, "%s: dataset %s: reading rows %llu..%llu failed (damaged data, or a "
                    "conversion HDF5 cannot do)", key, dpath, (unsigned long long)r0,
                 (unsigned long long)(r0 + nr - 1));
        uint64_t pos[2] = {r0, nr};
        send_frame(c, type, pos, sizeof pos, buf, (size_t)(nr * ncols) * sizeof *buf);
    }
}

/* The strings of `feature_names` next to X, or x0.. names when absent. */
static void send_names(h5c *c, const char *xpath, hsize_t p)
{
    char npath[FW_H5_MAX_PATH];
    fw_h5_names_path(xpath, npath);
    if (H5Lexists(c->file, npath, c->dapl) <= 0) {
        for (hsize_t j = 0; j < p; j++) {
            char name[32];
            int k = snprintf(name, sizeof name, "x%llu", (unsigned long long)j);
            send_frame(c, FW_H5_NAME, name, (size_t)k, NULL, 0);
        }
        return;
    }
    check_links(c, "feature names", npath);
    hid_t ds = H5Dopen2(c->file, npath, c->dapl);
    hid_t ft = ds < 0 ? -1 : H5Dget_type(ds);
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING)
        FAIL(c, "dataset %s must hold strings (one name per column of %s)", npath, xpath);
    check_storage(c, ds, "feature names", npath, H5Tget_size(ft));
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[2] = {0, 0};
    if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 1 ||
        H5Sget_simple_extent_dims(sp, dims, NULL) < 0 || dims[0] != p)
        FAIL(c, "dataset %s must be 1-D with %llu names (the columns of %s)", npath,
             (unsigned long long)p, xpath);
    hid_t mt = H5Tcopy(H5T_C_S1);
    int vlen = H5Tis_variable_str(ft) > 0;
    size_t fsz = H5Tget_size(ft);
    H5Tset_cset(mt, H5Tget_cset(ft));
    H5Tset_size(mt, vlen ? H5T_VARIABLE : fsz + 1);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    size_t each = vlen ? sizeof(char *) : fsz + 1;
    char *buf = calloc((size_t)p, each);
    if (!buf || H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        FAIL(c, "dataset %s: reading the names failed", npath);
    for (hsize_t j = 0; j < p; j++) {
        const char *s = vlen ? ((char **)buf)[j] : buf + j * each;
        size_t len = s ? strlen(s) : 0;
        if (len == 0)
            FAIL(c, "dataset %s: name %llu is empty", npath, (unsigned long long)j);
        send_frame(c, FW_H5_NAME, s, len > 4096 ? 4096 : len, NULL, 0);
    }
    /* The names were copied into the pipe; the child ends soon, so the
     * variable-length strings need no reclaiming. */
    H5Tclose(mt);
}

void fw_h5child_run(int fd, const char *path, const char *xpath, const char *ypath)
{
    h5c c = {.fd = fd, .path = path};
    child_setup(&c);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    H5PLset_loading_state(0);  /* never load filter plugins from HDF5_PLUGIN_PATH */
    c.dapl = H5Pcreate(H5P_DATASET_ACCESS);
    if (c.dapl < 0 || H5Pset_elink_cb(c.dapl, deny_elink, &c.elink_hit) < 0 ||
        H5Pset_chunk_cache(c.dapl, 12421, (size_t)64 << 20, 1.0) < 0)
        FAIL(&c, "cannot set up the HDF5 library");
    if (H5Fis_hdf5(path) <= 0)
        FAIL(&c, "not an HDF5 file (or a damaged one): its signature or superblock is not "
                 "readable");
    c.file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (c.file < 0)
        FAIL(&c, "not a readable HDF5 file: HDF5 cannot open it (damaged?)");
    int xnd, ynd;
    hsize_t xd[2] = {0, 0}, yd[2] = {0, 1};
    hid_t X = open_numeric(&c, "data.features", xpath, &xnd, xd);
    hid_t Y = open_numeric(&c, "data.target", ypath, &ynd, yd);
    if (xnd != 2)
        FAIL(&c, "data.features: dataset %s is 1-D; it must be 2-D (rows x features)", xpath);
    if (ynd == 2 && yd[1] != 1)
        FAIL(&c, "data.target: dataset %s is %llu x %llu; it must be 1-D (or one column)",
             ypath, (unsigned long long)yd[0], (unsigned long long)yd[1]);
    if (yd[0] != xd[0])
        FAIL(&c, "data.target: dataset %s has %llu rows, but %s has %llu", ypath,
             (unsigned long long)yd[0], xpath, (unsigned long long)xd[0]);
    if (xd[0] == 0 || xd[1] == 0)
        FAIL(&c, "data.features: dataset %s is empty (%llu x %llu)", xpath,
             (unsigned long long)xd[0], (unsigned long long)xd[1]);
    fw_err big;
    if (fw_dense_check((size_t)xd[0], (size_t)xd[1] + 1, path, &big))
        FAIL(&c, "data.features: dataset %s: %s", xpath, big.msg);
    if (c.as_base)
        set_as_limit(c.as_base + H5C_AS_BUDGET + (rlim_t)(3 * c.chunk_bytes));
    double *buf = malloc(H5C_BLOCK_VALUES > xd[1] ? H5C_BLOCK_VALUES * sizeof *buf
                                                  : (size_t)xd[1] * sizeof *buf);
    if (!buf)
        FAIL(&c, "out of memory in the HDF5 reader");
    uint64_t meta[2] = {xd[0], xd[1]};
    send_frame(&c, FW_H5_META, meta, sizeof meta, NULL, 0);
    send_names(&c, xpath, xd[1]);
    const char *yname = strrchr(ypath, '/') + 1;
    send_frame(&c, FW_H5_NAME, yname, strlen(yname), NULL, 0);
    send_rows(&c, FW_H5_Y, Y, yd[0], 1, "data.target", ypath, buf);
    send_rows(&c, FW_H5_X, X, xd[0], xd[1], "data.features", xpath, buf);
    send_frame(&c, FW_H5_END, NULL, 0, NULL, 0);
    _exit(0);
}
