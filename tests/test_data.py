"""helpers.data on tiny synthetic IDX files: no network, no real dataset."""

import gzip
import hashlib
import os

import numpy as np
import pytest

from helpers import data

N_CLASSES = len(data.CLASS_NAMES)
TRAIN_PER_CLASS, TEST_PER_CLASS, VALID_PER_CLASS = 5, 3, 2


def _idx_payload(magic, array):
    header = magic.to_bytes(4, "big") + len(array).to_bytes(4, "big")
    if array.ndim == 3:
        header += b"".join(d.to_bytes(4, "big") for d in array.shape[1:])
    return header + array.astype(np.uint8).tobytes()


def _tiny_split(per_class, offset):
    """Labels cycling through the classes; each image's first pixel is its own id."""
    labels = np.tile(np.arange(N_CLASSES), per_class)
    images = np.zeros((len(labels), 28, 28), dtype=np.uint8)
    images[:, 0, 0] = np.arange(len(labels)) + offset
    images[:, 27, 27] = 255
    return images, labels


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """Tiny dataset specs patched into helpers.data; returns a writer of file sets."""
    train_images, train_labels = _tiny_split(TRAIN_PER_CLASS, offset=0)
    test_images, test_labels = _tiny_split(TEST_PER_CLASS, offset=100)
    payloads = {
        "train_images": _idx_payload(data.IMAGE_MAGIC, train_images),
        "train_labels": _idx_payload(data.LABEL_MAGIC, train_labels),
        "test_images": _idx_payload(data.IMAGE_MAGIC, test_images),
        "test_labels": _idx_payload(data.LABEL_MAGIC, test_labels),
    }
    files = {
        key: data.IdxFile(spec.name, spec.magic, len(train_labels) if "train" in key else len(test_labels),
                          hashlib.sha256(payloads[key]).hexdigest(), spec.role)
        for key, spec in data.FILES.items()
    }
    monkeypatch.setattr(data, "FILES", files)
    monkeypatch.setattr(data, "VALID_PER_CLASS", VALID_PER_CLASS)
    monkeypatch.setattr(data, "QUICK_PER_CLASS", {"train": 2, "valid": 1, "test": 1})
    monkeypatch.setattr(data, "REPO_DATA_DIR", tmp_path / "repo-data")
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "debian")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setenv("GRADIENTS_CACHE_DIR", str(tmp_path / "payload-cache"))
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)
    monkeypatch.delenv("GRADIENTS_QUICK", raising=False)
    data._CACHE.clear()

    def no_network():
        raise OSError("network is unreachable")

    monkeypatch.setattr(data, "_download_with_keras", no_network)

    class Tiny:
        def write(self, directory, only=None, level=6):
            directory.mkdir(parents=True, exist_ok=True)
            for key, spec in files.items():
                if only is None or key in only:
                    (directory / spec.name).write_bytes(gzip.compress(payloads[key], compresslevel=level))
            return directory

    t = Tiny()
    t.files, t.payloads, t.tmp = files, payloads, tmp_path
    yield t
    data._CACHE.clear()


def _load_from(monkeypatch, directory, **kwargs):
    monkeypatch.setenv("FASHION_MNIST_DIR", str(directory))
    return data.load_fashion_mnist(**kwargs)


# --- what a good load returns --------------------------------------------------

def test_splits_shapes_scaling_and_class_names(tiny, monkeypatch):
    ds = _load_from(monkeypatch, tiny.write(tiny.tmp / "good"), quick=False)
    assert ds.x_train.shape == (N_CLASSES * (TRAIN_PER_CLASS - VALID_PER_CLASS), 28, 28)
    assert ds.x_valid.shape == (N_CLASSES * VALID_PER_CLASS, 28, 28)
    assert ds.x_test.shape == (N_CLASSES * TEST_PER_CLASS, 28, 28)
    for x in (ds.x_train, ds.x_valid, ds.x_test):
        assert x.dtype == np.float32 and x.min() == 0.0 and x.max() == 1.0
    assert ds.class_names == data.CLASS_NAMES and len(ds.class_names) == 10
    # Validation: the first VALID_PER_CLASS images of each class, balanced, and
    # disjoint from training (ids are stored in the first pixel).
    assert np.bincount(ds.y_valid, minlength=10).tolist() == [VALID_PER_CLASS] * 10
    train_ids = set(np.rint(ds.x_train[:, 0, 0] * 255).astype(int))
    valid_ids = set(np.rint(ds.x_valid[:, 0, 0] * 255).astype(int))
    assert not train_ids & valid_ids
    assert train_ids | valid_ids == set(range(N_CLASSES * TRAIN_PER_CLASS))
    assert valid_ids == set(range(N_CLASSES * VALID_PER_CLASS))
    assert ds.train[0] is ds.x_train and ds.test[1] is ds.y_test


def test_labels_stay_aligned_with_their_images(tiny, monkeypatch):
    ds = _load_from(monkeypatch, tiny.write(tiny.tmp / "good"), quick=False)
    ids = np.rint(ds.x_train[:, 0, 0] * 255).astype(int)
    assert np.array_equal(ds.y_train, ids % N_CLASSES)


def test_quick_mode_is_a_stratified_subset(tiny, monkeypatch):
    monkeypatch.setenv("GRADIENTS_QUICK", "1")
    ds = _load_from(monkeypatch, tiny.write(tiny.tmp / "good"))
    assert ds.quick
    assert np.bincount(ds.y_train, minlength=10).tolist() == [2] * 10
    assert np.bincount(ds.y_valid, minlength=10).tolist() == [1] * 10
    assert np.bincount(ds.y_test, minlength=10).tolist() == [1] * 10
    assert not data.load_fashion_mnist(quick=False).quick


def test_recompressed_files_are_accepted(tiny, monkeypatch):
    ds = _load_from(monkeypatch, tiny.write(tiny.tmp / "recompressed", level=1), quick=False)
    assert len(ds.y_test) == N_CLASSES * TEST_PER_CLASS


# --- where it looks -----------------------------------------------------------

def test_search_order_repo_then_keras_then_debian(tiny):
    tiny.write(data.DEBIAN_DIR)
    assert data.locate() == data.DEBIAN_DIR
    tiny.write(data.keras_cache_dir())
    assert data.locate() == data.keras_cache_dir()
    tiny.write(data.REPO_DATA_DIR)
    assert data.locate() == data.REPO_DATA_DIR
    assert data.load_fashion_mnist().source == data.REPO_DATA_DIR


def test_downloads_through_keras_only_when_nothing_is_found(tiny, monkeypatch):
    calls = []

    def fake_download():
        calls.append(1)
        tiny.write(data.keras_cache_dir())

    monkeypatch.setattr(data, "_download_with_keras", fake_download)
    assert data.load_fashion_mnist().source == data.keras_cache_dir()
    assert calls == [1]
    data.load_fashion_mnist()
    assert calls == [1], "a second load must use the downloaded files"


def test_nowhere_and_offline_lists_every_place_and_both_fixes(tiny):
    with pytest.raises(data.DataError) as err:
        data.load_fashion_mnist()
    message = str(err.value)
    for place in (data.REPO_DATA_DIR, data.keras_cache_dir(), data.DEBIAN_DIR):
        assert str(place) in message
    assert "network is unreachable" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "go online" in message


def test_explicit_dir_missing_a_file_is_an_error_without_fallback(tiny, monkeypatch):
    tiny.write(data.DEBIAN_DIR)  # a good fallback exists but must not be used
    partial = tiny.write(tiny.tmp / "partial", only={"train_images", "train_labels", "test_images"})
    with pytest.raises(data.DataError, match="t10k-labels-idx1-ubyte.gz") as err:
        _load_from(monkeypatch, partial)
    assert "FASHION_MNIST_DIR" in str(err.value)


def test_explicit_dir_with_a_bad_file_is_an_error_without_fallback(tiny, monkeypatch):
    tiny.write(data.DEBIAN_DIR)
    bad = tiny.write(tiny.tmp / "bad")
    (bad / "train-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(data.DataError, match="train-labels-idx1-ubyte.gz"):
        _load_from(monkeypatch, bad)


def test_a_partial_default_directory_is_not_silently_skipped(tiny):
    tiny.write(data.DEBIAN_DIR)
    tiny.write(data.REPO_DATA_DIR, only={"train_images"})
    with pytest.raises(data.DataError, match="missing") as err:
        data.load_fashion_mnist()
    assert str(data.REPO_DATA_DIR) in str(err.value)


# --- damaged files ------------------------------------------------------------

def _damage(tiny, monkeypatch, key, mutate):
    directory = tiny.write(tiny.tmp / f"damaged-{key}")
    path = directory / tiny.files[key].name
    path.write_bytes(mutate(path.read_bytes()))
    with pytest.raises(data.DataError) as err:
        _load_from(monkeypatch, directory)
    assert tiny.files[key].name in str(err.value)
    return str(err.value)


def test_flipped_byte_in_compressed_stream(tiny, monkeypatch):
    def flip(raw):
        i = len(raw) // 2
        return raw[:i] + bytes([raw[i] ^ 0xFF]) + raw[i + 1:]

    message = _damage(tiny, monkeypatch, "train_images", flip)
    assert "corrupt" in message or "checksum" in message


def test_flipped_byte_in_payload_fails_the_checksum(tiny, monkeypatch):
    def flip_payload(raw):
        payload = bytearray(gzip.decompress(raw))
        payload[-1] ^= 0x01  # a valid gzip of a different payload
        return gzip.compress(bytes(payload))

    assert "checksum mismatch" in _damage(tiny, monkeypatch, "test_images", flip_payload)


def test_truncated_gzip(tiny, monkeypatch):
    assert "truncated" in _damage(tiny, monkeypatch, "train_images", lambda raw: raw[: len(raw) // 2])


def test_wrong_magic_number(tiny, monkeypatch):
    def bad_magic(raw):
        payload = gzip.decompress(raw)
        return gzip.compress(b"\x00\x00\x08\x99" + payload[4:])

    assert "wrong magic number" in _damage(tiny, monkeypatch, "train_labels", bad_magic)


def test_label_file_swapped_for_another(tiny, monkeypatch):
    swapped = gzip.compress(tiny.payloads["test_labels"])
    message = _damage(tiny, monkeypatch, "train_labels", lambda raw: swapped)
    assert "holds the test labels" in message


def test_images_where_labels_belong(tiny, monkeypatch):
    images = gzip.compress(tiny.payloads["test_images"])
    assert "holds the test images" in _damage(tiny, monkeypatch, "test_labels", lambda raw: images)


# --- caching ------------------------------------------------------------------

def test_second_load_reads_nothing_from_disk_until_a_file_changes(tiny, monkeypatch):
    directory = tiny.write(tiny.tmp / "good")
    reads = []
    original = data.read_idx
    monkeypatch.setattr(data, "read_idx", lambda path, spec: reads.append(path) or original(path, spec))
    first = _load_from(monkeypatch, directory, quick=False)
    assert len(reads) == 4
    second = data.load_fashion_mnist(quick=False)
    assert len(reads) == 4, "the second load must come from memory"
    assert np.array_equal(first.x_train, second.x_train)
    second.x_train[:] = 0.5  # a caller's changes never leak into the cache
    assert data.load_fashion_mnist(quick=False).x_train.max() == 1.0
    path = directory / tiny.files["test_labels"].name
    path.write_bytes(gzip.compress(tiny.payloads["test_labels"], compresslevel=1))
    os.utime(path, ns=(1, 1))
    data.load_fashion_mnist(quick=False)
    assert len(reads) == 8, "a replaced file must be read and verified again"


def test_later_runs_use_the_verified_payload_cache(tiny, monkeypatch):
    directory = tiny.write(tiny.tmp / "good")
    first = _load_from(monkeypatch, directory, quick=False)
    data._CACHE.clear()  # as in a new process

    def no_decompression(raw):
        raise AssertionError("the payload cache should have been used")

    monkeypatch.setattr(data, "_gunzip", no_decompression)
    again = data.load_fashion_mnist(quick=False)
    assert np.array_equal(first.x_train, again.x_train)


def test_a_damaged_payload_cache_is_rebuilt_from_the_source(tiny, monkeypatch):
    directory = tiny.write(tiny.tmp / "good")
    _load_from(monkeypatch, directory, quick=False)
    cached = data.payload_cache_dir() / "train-images-idx3-ubyte"
    damaged = bytearray(cached.read_bytes())
    damaged[-1] ^= 0xFF
    cached.write_bytes(bytes(damaged))
    data._CACHE.clear()
    ds = data.load_fashion_mnist(quick=False)
    assert ds.x_train.max() == 1.0
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == tiny.files["train_images"].sha256


def test_the_payload_cache_never_hides_a_damaged_source(tiny, monkeypatch):
    directory = tiny.write(tiny.tmp / "good")
    _load_from(monkeypatch, directory, quick=False)
    data._CACHE.clear()
    path = directory / tiny.files["test_labels"].name
    path.write_bytes(path.read_bytes()[:-8])  # truncated after the cache was filled
    with pytest.raises(data.DataError, match="t10k-labels-idx1-ubyte.gz"):
        data.load_fashion_mnist()


def test_an_unwritable_payload_cache_only_costs_speed(tiny, monkeypatch):
    blocker = tiny.tmp / "not-a-directory"
    blocker.write_text("a file where the cache directory should go")
    monkeypatch.setenv("GRADIENTS_CACHE_DIR", str(blocker / "cache"))
    ds = _load_from(monkeypatch, tiny.write(tiny.tmp / "good"), quick=False)
    assert len(ds.y_train) == N_CLASSES * (TRAIN_PER_CLASS - VALID_PER_CLASS)


def test_cli_reports_success_and_failure(tiny, monkeypatch, capsys):
    assert data.main() == 1
    assert "apt-get install dataset-fashion-mnist" in capsys.readouterr().err
    tiny.write(data.DEBIAN_DIR)
    assert data.main() == 0
    assert str(data.DEBIAN_DIR) in capsys.readouterr().out


def test_the_real_dataset_when_installed():
    """On a machine with the data (CI installs Debian's copy), check the real thing."""
    data._CACHE.clear()
    try:
        data.locate(download=False)
    except data.DataError as exc:
        pytest.skip(f"real Fashion-MNIST not installed here: {exc}")
    ds = data.load_fashion_mnist(quick=False)
    assert (len(ds.y_train), len(ds.y_valid), len(ds.y_test)) == (55_000, 5_000, 10_000)
    assert np.bincount(ds.y_valid).tolist() == [500] * 10
    assert np.bincount(ds.y_test).tolist() == [1000] * 10
    assert 0.25 < ds.x_train.mean() < 0.35  # Fashion-MNIST's mean pixel is about 0.29
