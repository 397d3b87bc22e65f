"""Loading Fashion-MNIST: helpers.data.load_fashion_mnist vs Keras's load_data.

Both read the same four .gz files (the ones helpers.data finds; Keras is given
them through a temporary KERAS_HOME so it downloads nothing). Each repetition
runs both loaders side by side on a cold in-memory cache, in alternating order;
the script prints the median times and, as its last line,
``load_time_ratio=<helpers / keras>`` (below 1 means helpers is faster, although
it also verifies checksums, scales pixels to float32 and splits the data).

    python benchmarks/data_loading.py [--repeats 7]
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
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    from helpers import data

    source = data.locate(download=False)
    with tempfile.TemporaryDirectory() as keras_home:
        cache = Path(keras_home) / "datasets" / "fashion-mnist"
        cache.mkdir(parents=True)
        for spec in data.FILES.values():
            (cache / spec.name).symlink_to((source / spec.name).resolve())
        os.environ["KERAS_HOME"] = keras_home
        import keras

        def ours():
            data._CACHE.clear()  # cold: decompress and verify again
            data.load_fashion_mnist(quick=False)

        def theirs():
            keras.datasets.fashion_mnist.load_data()

        ours(), theirs()  # warm the page cache and imports
        times = {"helpers": [], "keras": []}
        for i in range(args.repeats):
            order = [("helpers", ours), ("keras", theirs)]
            for name, loader in order if i % 2 == 0 else order[::-1]:
                start = time.perf_counter()
                loader()
                times[name].append(time.perf_counter() - start)

    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"files: {source}  repeats: {args.repeats}")
    print(f"helpers.data.load_fashion_mnist (verify + split + scale): median {med['helpers']:.3f} s")
    print(f"keras.datasets.fashion_mnist.load_data (uint8, no checks): median {med['keras']:.3f} s")
    print(f"load_time_ratio={med['helpers'] / med['keras']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
