"""Test settings for every run of pytest from the repository (tests, notebooks, `make test-colab`):
headless plots, quiet TensorFlow, and TensorFlow's threads shared among pytest-xdist workers."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# Under pytest-xdist (`make test`), each worker's TensorFlow, and the notebook kernels and
# subprocesses it starts, use the worker's share of the cores rather than all of them: on
# 2 cores, one thread per pool in each of the two workers instead of four busy threads.
# Measured: the notebooks report the same figures (timings aside, and 01's float64
# round-off error vs autodiff: 2.3e-16 instead of 2.7e-16); the runs are ~10% faster.
_workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
if _workers > 1:
    _threads = str(max(1, (os.cpu_count() or 1) // _workers))
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", _threads)
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", _threads)
