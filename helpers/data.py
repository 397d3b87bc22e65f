"""Fashion-MNIST, read from the four original IDX gzip files and verified.

``load_fashion_mnist()`` looks for the files, in this order, in:

1. the directory named by ``FASHION_MNIST_DIR`` (if set, it is the only place
   looked: a missing or bad file there is an error, never a fallback);
2. ``data/fashion-mnist/`` in this repository;
3. Keras's cache, ``~/.keras/datasets/fashion-mnist/`` (or ``$KERAS_HOME``);
4. Debian's ``dataset-fashion-mnist`` package, ``/usr/share/datasets/fashion-mnist/``;

and only then downloads them through ``keras.datasets.fashion_mnist`` into
Keras's cache. Every file is checked against the SHA-256 of its *decompressed*
payload, so a recompressed copy (Debian's) is accepted and a damaged or
swapped one is refused with an error that names the file.

The validation split is fixed and needs no random numbers: the first 500
training images of each class, in file order, are the 5,000 validation images;
the other 55,000 are the training split. Quick mode (``GRADIENTS_QUICK=1``)
keeps, in the same way, the first 600 / 100 / 200 images per class of the
train / validation / test splits.

Run ``python -m helpers.data`` to find and verify the files from a shell.
"""

import gzip
import hashlib
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import settings

try:  # ISA-L decompresses gzip about twice as fast as zlib; same results.
    from isal.igzip import decompress as _gunzip
except ImportError:  # pragma: no cover - still correct, only slower
    _gunzip = gzip.decompress

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

IMAGE_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
LABEL_MAGIC = 0x00000801  # unsigned bytes, 1 dimension


@dataclass(frozen=True)
class IdxFile:
    """What one of the four files must hold."""

    name: str
    magic: int
    count: int
    sha256: str  # of the decompressed payload
    role: str


# SHA-256 of the decompressed IDX payloads of the original release
# (identical in Debian's recompressed copies and in Keras's downloads).
FILES = {
    "train_images": IdxFile(
        "train-images-idx3-ubyte.gz", IMAGE_MAGIC, 60_000,
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "training images",
    ),
    "train_labels": IdxFile(
        "train-labels-idx1-ubyte.gz", LABEL_MAGIC, 60_000,
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "training labels",
    ),
    "test_images": IdxFile(
        "t10k-images-idx3-ubyte.gz", IMAGE_MAGIC, 10_000,
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "test images",
    ),
    "test_labels": IdxFile(
        "t10k-labels-idx1-ubyte.gz", LABEL_MAGIC, 10_000,
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        "test labels",
    ),
}
IMAGE_SHAPE = (28, 28)

VALID_PER_CLASS = 500
QUICK_PER_CLASS = {"train": 600, "valid": 100, "test": 200}

REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "fashion-mnist"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")

FIXES = (
    "install Debian's copy: sudo apt-get install dataset-fashion-mnist",
    "or go online once: keras.datasets.fashion_mnist.load_data() then downloads it",
)


class DataError(RuntimeError):
    """Fashion-MNIST could not be found or a file failed verification."""


@dataclass(frozen=True)
class FashionMNIST:
    """The three splits, pixels in [0, 1] (float32, N x 28 x 28), labels int32."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_valid: np.ndarray
    y_valid: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    source: Path
    quick: bool

    @property
    def train(self):
        return self.x_train, self.y_train

    @property
    def valid(self):
        return self.x_valid, self.y_valid

    @property
    def test(self):
        return self.x_test, self.y_test

    def __repr__(self):
        mode = "quick" if self.quick else "full"
        return (
            f"FashionMNIST({mode} mode: train {len(self.y_train):,}, valid "
            f"{len(self.y_valid):,}, test {len(self.y_test):,}; from {self.source})"
        )


# Verified raw arrays by directory, so a second load in the same process reads
# nothing from disk. Keyed on each file's size and mtime to notice replacements.
_CACHE = {}


def load_fashion_mnist(quick=None):
    """Find, verify and split Fashion-MNIST.

    ``quick=None`` follows ``GRADIENTS_QUICK``; ``True``/``False`` force the
    mode. Returns a :class:`FashionMNIST`; ``data.train``, ``data.valid`` and
    ``data.test`` are ``(x, y)`` pairs.
    """
    if quick is None:
        quick = settings.quick_mode()
    directory = locate()
    raw = _load_raw(directory)
    train_idx, valid_idx = _validation_split(raw["train_labels"])
    test_idx = np.arange(len(raw["test_labels"]))
    if quick:
        train_idx = _per_class(raw["train_labels"], train_idx, QUICK_PER_CLASS["train"])
        valid_idx = _per_class(raw["train_labels"], valid_idx, QUICK_PER_CLASS["valid"])
        test_idx = _per_class(raw["test_labels"], test_idx, QUICK_PER_CLASS["test"])
    return FashionMNIST(
        x_train=_scaled(raw["train_images"], train_idx),
        y_train=raw["train_labels"][train_idx].astype(np.int32),
        x_valid=_scaled(raw["train_images"], valid_idx),
        y_valid=raw["train_labels"][valid_idx].astype(np.int32),
        x_test=_scaled(raw["test_images"], test_idx),
        y_test=raw["test_labels"][test_idx].astype(np.int32),
        class_names=CLASS_NAMES,
        source=directory,
        quick=bool(quick),
    )


def keras_cache_dir():
    """Where ``keras.datasets.fashion_mnist`` keeps its download."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    if os.path.isdir(home) and not os.access(home, os.W_OK):
        home = os.path.join("/tmp", ".keras")  # where Keras itself falls back to
    return Path(home) / "datasets" / "fashion-mnist"


def candidate_dirs():
    """The places looked in, in order, as (label, path) pairs."""
    explicit = os.environ.get("FASHION_MNIST_DIR")
    if explicit:
        return [("FASHION_MNIST_DIR", Path(explicit).expanduser())]
    return [
        ("the repository's data/fashion-mnist/", REPO_DATA_DIR),
        ("Keras's cache", keras_cache_dir()),
        ("Debian's dataset-fashion-mnist package", DEBIAN_DIR),
    ]


def locate(download=True):
    """The first directory that holds the four files, downloading if allowed.

    A directory that holds only some of the files is an error (an interrupted
    copy should be finished or removed, not silently skipped). With
    ``FASHION_MNIST_DIR`` set, only that directory is considered.
    """
    candidates = candidate_dirs()
    looked = []
    for label, directory in candidates:
        present = [spec.name for spec in FILES.values() if (directory / spec.name).is_file()]
        if len(present) == len(FILES):
            return directory
        if present or label == "FASHION_MNIST_DIR":
            missing = [spec.name for spec in FILES.values() if spec.name not in present]
            raise DataError(
                f"{label} ({directory}) is missing {', '.join(missing)}. "
                + (
                    "Put all four original Fashion-MNIST .gz files there, or unset "
                    "FASHION_MNIST_DIR to use the other sources."
                    if label == "FASHION_MNIST_DIR"
                    else "Copy the missing files there, or delete the directory so "
                    "the other sources are used."
                )
            )
        looked.append(f"  - {label}: {directory} (not there)")
    if download:
        try:
            _download_with_keras()
        except Exception as exc:  # no network, blocked host, disk full, ...
            looked.append(f"  - download through Keras: failed ({type(exc).__name__}: {exc})")
        else:
            directory = keras_cache_dir()
            if all((directory / spec.name).is_file() for spec in FILES.values()):
                return directory
            looked.append(f"  - download through Keras: finished, but the files are not in {directory}")
    raise DataError(
        "Fashion-MNIST was not found. Looked in:\n"
        + "\n".join(looked)
        + "\nTo fix it, either\n  - "
        + "\n  - ".join(FIXES)
        + "\n(or point FASHION_MNIST_DIR at a directory with the four .gz files)."
    )


def _download_with_keras():
    import keras

    keras.datasets.fashion_mnist.load_data()


def read_idx(path, spec):
    """Read and verify one IDX gzip file against ``spec``; returns a uint8 array.

    The verified, decompressed payload is kept in :func:`payload_cache_dir`, so
    later runs skip decompression; it is re-hashed on every read and only used
    while the source file's size and modification time are unchanged.
    """
    path = Path(path)
    payload = _cached_payload(path, spec)
    if payload is None:
        payload = _decompress_and_verify(path, spec)
        _store_payload(path, spec, payload)
    header = 16 if spec.magic == IMAGE_MAGIC else 8
    array = np.frombuffer(payload, dtype=np.uint8, offset=header)
    if spec.magic == IMAGE_MAGIC:
        array = array.reshape(spec.count, *IMAGE_SHAPE)
    return array


def payload_cache_dir():
    """Where verified, decompressed payloads are kept between runs (about 55 MB)."""
    explicit = os.environ.get("GRADIENTS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "unstable-gradients" / "fashion-mnist"


def _source_stamp(path, spec):
    stat = path.stat()
    return {"source": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": spec.sha256}


def _cached_payload(path, spec):
    """The cached payload if it belongs to this very source file and hashes right."""
    cached = payload_cache_dir() / spec.name.removesuffix(".gz")
    try:
        marker = json.loads(cached.with_suffix(".json").read_text())
        if marker != _source_stamp(path, spec):
            return None
        payload = cached.read_bytes()
    except (OSError, ValueError):
        return None
    if hashlib.sha256(payload).hexdigest() != spec.sha256:
        return None  # a damaged cache is rebuilt from the source file
    return payload


def _store_payload(path, spec, payload):
    """Write payload and marker atomically; a cache that cannot be written is skipped."""
    directory = payload_cache_dir()
    target = directory / spec.name.removesuffix(".gz")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for final, content in (
            (target, payload),
            (target.with_suffix(".json"), json.dumps(_source_stamp(path, spec)).encode()),
        ):
            partial = final.with_name(f".{final.name}.{os.getpid()}.partial")
            partial.write_bytes(content)
            os.replace(partial, final)
    except OSError:
        pass  # read-only home, full disk: loading still works, only slower next time


def _decompress_and_verify(path, spec):
    try:
        compressed = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc}).") from exc
    try:
        payload = _gunzip(compressed)
    except EOFError as exc:
        raise DataError(
            f"{path}: the gzip stream is truncated ({exc}). The file was cut short, "
            "probably by an interrupted download or copy; replace it."
        ) from exc
    except Exception as exc:  # BadGzipFile, zlib/ISA-L errors: all mean "corrupt"
        raise DataError(
            f"{path}: not a valid gzip file ({exc}). It is corrupt; replace it with "
            "an original copy."
        ) from exc
    digest = hashlib.sha256(payload).hexdigest()
    if digest != spec.sha256:
        other = next((s for s in FILES.values() if s.sha256 == digest), None)
        if other is not None:
            raise DataError(
                f"{path}: holds the {other.role} ({other.name}), not the {spec.role}. "
                "The files were swapped or renamed; put each file under its own name."
            )
        _check_header(path, payload, spec)  # a more specific complaint, if any
        raise DataError(
            f"{path}: checksum mismatch: the decompressed payload has SHA-256 {digest}, "
            f"expected {spec.sha256}. The file is damaged or not the original "
            f"Fashion-MNIST {spec.role}; replace it."
        )
    return payload




def _check_header(path, payload, spec):
    """Magic number, dimensions and length, with an error a person can act on."""
    if len(payload) < 8:
        raise DataError(f"{path}: only {len(payload)} bytes after decompression; not an IDX file.")
    magic = int.from_bytes(payload[:4], "big")
    if magic != spec.magic:
        kind = {IMAGE_MAGIC: "an image file", LABEL_MAGIC: "a label file"}.get(magic, "not an IDX file")
        raise DataError(
            f"{path}: wrong magic number 0x{magic:08x} ({kind}); expected "
            f"0x{spec.magic:08x} for the {spec.role}. The file is corrupt or swapped "
            "with another; replace it."
        )
    count = int.from_bytes(payload[4:8], "big")
    if count != spec.count:
        raise DataError(
            f"{path}: the header says {count:,} items, expected {spec.count:,} "
            f"{spec.role}. It is probably another split's file under this name; replace it."
        )
    if spec.magic == IMAGE_MAGIC:
        if len(payload) < 16:
            raise DataError(f"{path}: the image header is cut short; replace the file.")
        dims = (int.from_bytes(payload[8:12], "big"), int.from_bytes(payload[12:16], "big"))
        if dims != IMAGE_SHAPE:
            raise DataError(f"{path}: images are {dims[0]}x{dims[1]}, expected 28x28; replace the file.")
        expected = 16 + spec.count * IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
    else:
        expected = 8 + spec.count
    if len(payload) != expected:
        raise DataError(
            f"{path}: {len(payload):,} bytes after decompression, expected {expected:,} "
            f"for {spec.count:,} {spec.role}; the file is damaged. Replace it."
        )


def _load_raw(directory):
    paths = {key: directory / spec.name for key, spec in FILES.items()}
    key = tuple(
        (str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in paths.values()
    ) + tuple(spec.sha256 for spec in FILES.values())
    cached = _CACHE.get(key)
    if cached is None:
        # Decompression and hashing release the GIL: read the files in parallel.
        with ThreadPoolExecutor(max_workers=len(paths)) as pool:
            arrays = pool.map(lambda item: read_idx(item[1], FILES[item[0]]), paths.items())
            cached = dict(zip(paths, arrays))
        for array in cached.values():
            array.flags.writeable = False
        _CACHE.clear()  # one dataset in memory at a time
        _CACHE[key] = cached
    return cached


def _validation_split(labels):
    """First VALID_PER_CLASS indices of each class -> validation; the rest -> train."""
    valid = _per_class(labels, np.arange(len(labels)), VALID_PER_CLASS)
    mask = np.ones(len(labels), dtype=bool)
    mask[valid] = False
    return np.flatnonzero(mask), valid


def _per_class(labels, indices, per_class):
    """The first ``per_class`` of ``indices`` of each class, kept in file order."""
    chosen = [indices[labels[indices] == c][:per_class] for c in range(len(CLASS_NAMES))]
    return np.sort(np.concatenate(chosen))


def _scaled(images, indices, chunks=4):
    """``images[indices]`` as float32 in [0, 1].

    Gathering and scaling happen chunk by chunk in threads (NumPy releases the
    GIL), so the full set loads faster than a plain ``x[idx] / 255``.
    """
    out = np.empty((len(indices), *images.shape[1:]), dtype=np.float32)
    bounds = np.linspace(0, len(indices), chunks + 1).astype(int)

    def work(lo, hi):
        np.divide(images[indices[lo:hi]], np.float32(255), out=out[lo:hi])

    with ThreadPoolExecutor(max_workers=min(chunks, os.cpu_count() or 1)) as pool:
        list(pool.map(work, bounds[:-1], bounds[1:]))
    return out


def main(argv=None):
    """``python -m helpers.data``: find (download if needed) and verify the files."""
    try:
        directory = locate()
        _load_raw(directory)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Fashion-MNIST: all four files verified in {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
