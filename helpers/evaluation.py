"""Accuracy of a classifier, the one way every notebook measures it."""

import numpy as np

from .inputs import check_batch, check_model


def accuracy(model, x, y, *, batch_size=1024):
    """Share of examples whose highest-scoring class is the label, in inference mode, in batches.

    ``y`` holds integer class labels, one per example of ``x``.
    """
    check_model(model)
    x, y = check_batch(model, x, y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"accuracy needs integer class labels, one per example (shape ({len(x)},)); "
                         f"got dtype {y.dtype}, shape {y.shape}")
    correct = 0
    for start in range(0, len(x), batch_size):
        scores = np.asarray(model(x[start:start + batch_size], training=False))
        correct += int(np.sum(np.argmax(scores, axis=-1) == y[start:start + batch_size]))
    return correct / len(x)
