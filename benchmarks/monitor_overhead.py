"""What GradientMonitor adds to the wall time of ``fit``.

One epoch of the full Fashion-MNIST training split (55,000 images, batch 32,
1,719 steps) on the classic BN model, with and without a GradientMonitor at
its default frequency probing 256 validation images. Each repetition trains a
fresh, identically seeded model both ways, in alternating order; tracing and
the monitor's one-off setup are part of the timed ``fit``. The script prints
each pair, the medians, the fastest fit each way and their ratio (on the
2-core development machine some fits of either kind run about 1.5x slower
than the rest, at random, so single pairs scatter widely) and, as its last
line, ``overhead_ratio=<x>``: the median of monitored / plain (1.10 would be
10% slower).

    python benchmarks/monitor_overhead.py [--repeats 10] [--epochs 1]
"""

import argparse
import gc
import statistics
import time


def timed_fit(data, monitored, epochs, seed):
    import keras

    from helpers.models import classic_model
    from helpers.monitor import GradientMonitor
    from helpers.seeding import set_seed

    # Start each fit from the same clean state, so that freeing the previous
    # run's graphs and arrays is not billed to this one.
    keras.utils.clear_session()
    gc.collect()
    set_seed(seed)
    model = classic_model(batch_norm=True)
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.SGD(learning_rate=0.01),
        metrics=["accuracy"],
    )
    callbacks = []
    if monitored:
        callbacks.append(GradientMonitor(data.x_valid[:256], data.y_valid[:256]))
    start = time.perf_counter()
    model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=32, verbose=0,
              callbacks=callbacks)
    seconds = time.perf_counter() - start
    if monitored:
        record = callbacks[0].record
        assert len(record.steps) > 2, "the monitor recorded nothing"
        assert not callbacks[0].batch_norms or len(record.series("batch_grad_norm")) == 1719 * epochs, "the monitor missed steps"
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()

    from helpers.data import load_fashion_mnist

    data = load_fashion_mnist(quick=False)
    print(f"train {data.x_train.shape}, probe 256 validation images, batch 32, "
          f"{args.epochs} epoch(s), {args.repeats} repetitions")
    ratios, plain_times, monitored_times = [], [], []
    for rep in range(args.repeats):
        order = (False, True) if rep % 2 == 0 else (True, False)
        times = {m: timed_fit(data, m, args.epochs, seed=rep) for m in order}
        plain_times.append(times[False])
        monitored_times.append(times[True])
        ratios.append(times[True] / times[False])
        print(f"rep {rep}: plain {times[False]:.2f} s, monitored {times[True]:.2f} s, "
              f"ratio {ratios[-1]:.3f}", flush=True)
    print(f"median plain {statistics.median(plain_times):.2f} s, "
          f"median monitored {statistics.median(monitored_times):.2f} s")
    print(f"fastest plain {min(plain_times):.2f} s, fastest monitored {min(monitored_times):.2f} s, "
          f"ratio {min(monitored_times) / min(plain_times):.3f}")
    print(f"overhead_ratio={statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
