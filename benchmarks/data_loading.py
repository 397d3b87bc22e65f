"""Loading Fashion-MNIST: helpers.data.load_fashion_mnist vs Keras's load_data.

Both read the same four .gz files (the ones helpers.data finds; Keras is given
them through a temporary KERAS_HOME, so it downloads nothing). helpers is timed
in a new process's situation: nothing in memory. Two cases:

- first run: its payload cache is empty, so it decompresses and verifies;
- later runs: it reads the verified payloads it cached, re-hashing them.

In every repetition each loader runs once, in alternating order. The script
prints the medians, ``first_load_time_ratio=<helpers / keras>`` and, as its
last line, ``load_time_ratio=<helpers / keras>`` for later runs (below 1 means
helpers is faster, although it also verifies checksums, splits the data and
scales it to float32).

    python benchmarks/data_loading.py [--repeats 9]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()

    from helpers import data

    source = data.locate(download=False)
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "keras" / "datasets" / "fashion-mnist"
        cache.mkdir(parents=True)
        for spec in data.FILES.values():
            (cache / spec.name).symlink_to((source / spec.name).resolve())
        os.environ["KERAS_HOME"] = str(Path(scratch) / "keras")
        import keras

        def helpers_first_run(rep=[0]):
            rep[0] += 1
            os.environ["GRADIENTS_CACHE_DIR"] = str(Path(scratch) / f"payloads-{rep[0]}")
            data._CACHE.clear()
            data.load_fashion_mnist(quick=False)

        def helpers_later_run():
            os.environ["GRADIENTS_CACHE_DIR"] = str(Path(scratch) / "payloads-warm")
            data._CACHE.clear()
            data.load_fashion_mnist(quick=False)

        def keras_load_data():
            keras.datasets.fashion_mnist.load_data()

        loaders = {"helpers, first run": helpers_first_run, "helpers, later runs": helpers_later_run,
                   "keras": keras_load_data}
        for loader in loaders.values():
            loader()  # warm the page cache, imports and the payload cache
        times = {name: [] for name in loaders}
        for i in range(args.repeats):
            order = list(loaders.items())
            for name, loader in order if i % 2 == 0 else order[::-1]:
                start = time.perf_counter()
                loader()
                times[name].append(time.perf_counter() - start)

    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"files: {source}  repeats: {args.repeats}")
    for name, value in med.items():
        print(f"{name:22s} median {value:.3f} s")
    print(f"first_load_time_ratio={med['helpers, first run'] / med['keras']:.2f}")
    print(f"load_time_ratio={med['helpers, later runs'] / med['keras']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
