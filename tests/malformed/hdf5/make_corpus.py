"""Generate the malformed HDF5 corpus once (the files are committed).

    /usr/bin/python3 tests/malformed/hdf5/make_corpus.py

Writes, next to this script, a valid small file (base.h5 is not kept), then
byte-flipped and truncated copies of it and files with features foldwise
refuses (external link, virtual dataset, external storage, strings,
compound, lzf filter, bad shapes), and the README listing them. The flip
offsets were picked from a survey of the base file (a flip in raw data bytes
leaves a valid file, so not every offset is a malformed input)."""
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def base(path):
    rng = np.random.default_rng(0)
    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset("X", data=rng.normal(size=(40, 3)), chunks=(10, 3),
                         compression="gzip", shuffle=True)
        f["y"] = (np.arange(40) % 2).astype(np.int32)
        f["feature_names"] = np.array([b"a", b"b", b"c"])


# (offset, xor mask, what the damage hits), chosen from a survey of every
# third byte of base() (HDF5 1.10.8, h5py 3.7): one per kind of failure.
FLIPS = [
    (0, 0xFF, "the signature"),
    (9, 0xFF, "the superblock version fields"),
    (810, 0xFF, "the object header of /X"),
    (843, 0xFF, "the dataspace of /X (4278190084 columns)"),
    (873, 0xFF, "the chunk index of /X"),
    (930, 0x10, "the filter pipeline of /X (becomes szip)"),
    (999, 0xFF, "a B-tree node (the HDF5 library crashes)"),
    (1128, 0xFF, "the datatype of /feature_names"),
    (1170, 0xFF, "the object header of /y"),
    (5172, 0xFF, "a feature name (invalid UTF-8)"),
    (6081, 0xFF, "the link to /y (now a named datatype)"),
    (6396, 0xFF, "the length of a feature name (empty)"),
]


def special(name, make):
    path = os.path.join(HERE, name)
    make(path)
    return name


def main():
    tmp = os.path.join(HERE, "base.h5")
    base(tmp)
    data = open(tmp, "rb").read()
    readme = []
    for off, mask, what in FLIPS:
        b = bytearray(data)
        b[off] ^= mask
        name = "flip_%05d.h5" % off
        open(os.path.join(HERE, name), "wb").write(bytes(b))
        readme.append("%s -> byte %d of a valid file xor 0x%02X: damages %s" % (name, off, mask, what))
    for frac in (0.05, 0.3, 0.6, 0.9):
        n = int(len(data) * frac)
        name = "trunc_%05d.h5" % n
        open(os.path.join(HERE, name), "wb").write(data[:n])
        readme.append("%s -> a valid file cut to its first %d bytes" % (name, n))

    def ext_link(p):
        with h5py.File(p, "w") as f:
            f["y"] = np.zeros(4)
            f["X"] = h5py.ExternalLink("other.h5", "/X")

    def virtual(p):
        with h5py.File(p, "w") as f:
            f["src"] = np.zeros((4, 2))
            lay = h5py.VirtualLayout(shape=(4, 2), dtype="f8")
            lay[:] = h5py.VirtualSource(f["src"])
            f.create_virtual_dataset("X", lay)
            f["y"] = np.zeros(4)

    def external_storage(p):
        with h5py.File(p, "w") as f:
            f.create_dataset("X", shape=(4, 2), dtype="f8", external=[("raw.bin", 0, 64)])
            f["y"] = np.zeros(4)

    def strings(p):
        with h5py.File(p, "w") as f:
            f["X"] = np.array([[b"a", b"b"], [b"c", b"d"]])
            f["y"] = np.zeros(2)

    def compound(p):
        with h5py.File(p, "w") as f:
            f["X"] = np.zeros((3, 2), dtype=[("a", "f8"), ("b", "i4")])
            f["y"] = np.zeros(3)

    def lzf(p):
        with h5py.File(p, "w") as f:
            f.create_dataset("X", data=np.zeros((4, 2)), compression="lzf")
            f["y"] = np.zeros(4)

    def length_mismatch(p):
        with h5py.File(p, "w") as f:
            f["X"] = np.zeros((4, 2))
            f["y"] = np.zeros(5)

    def one_d(p):
        with h5py.File(p, "w") as f:
            f["X"] = np.zeros(4)
            f["y"] = np.zeros(4)

    def no_target(p):
        with h5py.File(p, "w") as f:
            f["X"] = np.zeros((4, 2))

    def infinite(p):
        with h5py.File(p, "w") as f:
            f["X"] = np.array([[1.0, 2.0], [np.inf, 0.0]])
            f["y"] = np.array([0.0, 1.0])

    def bad_names(p):
        with h5py.File(p, "w") as f:
            f["X"] = np.zeros((2, 2))
            f["y"] = np.array([0.0, 1.0])
            f["feature_names"] = np.array([b"a", b"a"])

    specials = [
        ("external_link.h5", ext_link, "/X is an external link to another file"),
        ("virtual.h5", virtual, "/X is a virtual dataset"),
        ("external_storage.h5", external_storage, "/X keeps its data in an external raw file"),
        ("string_dtype.h5", strings, "/X holds strings"),
        ("compound_dtype.h5", compound, "/X holds a compound (record) type"),
        ("lzf_filter.h5", lzf, "/X uses the lzf filter plugin"),
        ("length_mismatch.h5", length_mismatch, "/y has 5 rows, /X has 4"),
        ("one_d_features.h5", one_d, "/X is 1-D"),
        ("no_target.h5", no_target, "no /y dataset"),
        ("infinite.h5", infinite, "/X holds an infinity"),
        ("duplicate_names.h5", bad_names, "/feature_names names two columns 'a'"),
    ]
    for name, make, why in specials:
        special(name, make)
        readme.append("%s -> %s" % (name, why))
    os.remove(tmp)
    with open(os.path.join(HERE, "README"), "w") as f:
        f.write("# Malformed HDF5 inputs: every file must be refused with exit code 2 and a\n"
                "# message naming the file and the dataset (or saying the library crashed).\n"
                "# Generated by make_corpus.py (run once; the files are committed).\n")
        f.write("\n".join(readme) + "\n")


if __name__ == "__main__":
    main()
