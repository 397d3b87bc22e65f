"""How much a layer's output differs between images, measured without float32's rounding.

    outputs = forward_float64(model, x_probe, ["hidden_1", "hidden_2"])
    spread_between_images(outputs)   # one number per layer

A deep sigmoid stack squeezes the differences between images layer after
layer; near the top they are below float32's resolution around 0.5 (about
6e-8), so a float32 forward pass rounds them away. Computing the forward pass
in float64 with the same weights shows how small they really are.
"""

import numpy as np

from .inputs import check_model, layer_chain, select_layers


def spread_between_images(outputs):
    """Each unit's standard deviation over the images (first axis), root-mean-squared over units.

    ``outputs`` is one layer's output (images x units) or a list of them, one
    per layer; the result is a float or an array with one value per layer.
    Sums run in float64 whatever the input's dtype.
    """
    if isinstance(outputs, (list, tuple)):
        return np.array([spread_between_images(a) for a in outputs])
    a = np.asarray(outputs, dtype=np.float64)
    if a.ndim < 2 or a.shape[0] < 2:
        raise ValueError(f"expected a layer's output with at least 2 images on the first axis, got shape {a.shape}")
    return float(np.sqrt(np.mean(a.reshape(len(a), -1).var(axis=0))))


def forward_float64(model, x, layers=None):
    """Each chosen layer's output on ``x``, computed in float64 with the model's own weights.

    Handles what the course's MLPs are made of: Flatten and Dense layers (any
    activation Keras knows). ``layers`` picks which outputs to return, as in
    :func:`helpers.probes.Probe` (default: every layer with a kernel).
    """
    import tensorflow as tf

    chain = layer_chain(check_model(model))
    wanted = [layer.name for layer in select_layers(model, layers, chain=chain)]
    h = tf.constant(np.asarray(x, dtype=np.float64))
    outputs = {}
    for layer in chain:
        kind = type(layer).__name__
        if kind == "Flatten":
            h = tf.reshape(h, (h.shape[0], -1))
        elif kind == "Dense":
            h = tf.matmul(h, tf.constant(np.asarray(layer.kernel, dtype=np.float64)))
            if layer.use_bias:
                h = h + tf.constant(np.asarray(layer.bias, dtype=np.float64))
            h = layer.activation(h)
        elif kind != "InputLayer":
            raise ValueError(f"forward_float64 handles Flatten and Dense layers only; {layer.name!r} is a {kind}")
        if layer.name in wanted:
            outputs[layer.name] = h.numpy()
        if len(outputs) == len(wanted):
            break
    return [outputs[name] for name in wanted]
