"""Accuracy of a classifier, the one way every notebook measures it."""

import keras
import numpy as np

from .inputs import numeric_array


def accuracy(model, x, y, *, batch_size=1024):
    """Share of examples whose highest-scoring class is the label, in inference mode, in batches.

    ``y`` holds integer class labels, one per example of ``x``; the model
    gives one score per class.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"accuracy needs a keras.Model, got {type(model).__name__}")
    x, y = numeric_array(x, "examples x"), numeric_array(y, "labels y")
    if y.ndim != 1 or y.dtype.kind not in "iu" or len(y) != len(x):
        raise ValueError(f"accuracy needs integer class labels, one per example of x ({len(x)}); "
                         f"got dtype {y.dtype}, shape {y.shape}")
    if not len(x):
        raise ValueError("accuracy of no examples is undefined: x is empty")
    correct = 0
    for start in range(0, len(x), batch_size):
        scores = np.asarray(model(x[start:start + batch_size], training=False))
        if scores.ndim != 2 or scores.shape[1] < 2:
            raise ValueError(f"accuracy needs one score per class from the model (shape (batch, classes)); "
                             f"it gives shape {scores.shape}")
        correct += int(np.sum(np.argmax(scores, axis=-1) == y[start:start + batch_size]))
    return correct / len(x)
