"""Checking what callers pass to the probes and the monitor, with errors that say how to fix it.

A model must be a built Keras model with trainable weights whose layers form
one chain; a probe batch must be numeric, finite and shaped for the model; the
loss is the one given or the model's compiled loss.
"""

import numpy as np


def check_model(model):
    """Raise a clear error unless ``model`` is a built Keras model with trainable weights."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(
            f"expected a keras.Model (e.g. keras.Sequential), got {type(model).__name__}: "
            f"{_short_repr(model)}"
        )
    if not model.built:
        raise ValueError(
            f"model {model.name!r} is not built yet: start it with keras.Input(shape=...) "
            "or call it once on a batch before probing it"
        )
    if not model.trainable_weights:
        raise ValueError(
            f"model {model.name!r} has no trainable weights, so it has no gradients to "
            "measure; expected at least one trainable layer (e.g. Dense)"
        )
    return model


def check_batch(model, x, y=None):
    """Return ``x`` (and ``y``) as NumPy arrays that fit ``model``, or raise.

    ``x`` must be numeric (integers are cast to the model's float dtype) with
    the model's input shape after the batch axis; ``y`` must be numeric with as
    many examples as ``x``.
    """
    x = numeric_array(x, "probe batch x")
    expected = _input_shape(model)
    if expected is not None:
        ok = x.ndim == len(expected) and all(
            e is None or e == s for e, s in zip(expected[1:], x.shape[1:])
        )
        if not ok:
            want = "(batch, " + ", ".join("?" if e is None else str(e) for e in expected[1:]) + ")"
            raise ValueError(
                f"probe batch x has shape {x.shape}, but model {model.name!r} expects {want}"
            )
    if x.shape[0] < 1:
        raise ValueError("probe batch x is empty; expected at least one example")
    dtype = np.dtype(getattr(model, "compute_dtype", "float32") or "float32")
    x = x.astype(dtype if dtype.kind == "f" else np.float32, copy=False)
    if y is None:
        return x
    y = numeric_array(y, "probe labels y")
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise ValueError(
            f"probe labels y have shape {y.shape}; expected one label per example of x, "
            f"i.e. a first axis of length {x.shape[0]}"
        )
    return x, y


def numeric_array(a, what):
    """``a`` as a NumPy array of finite numbers, or a TypeError/ValueError naming ``what``."""
    if callable(a) and not hasattr(a, "__array__"):
        raise TypeError(f"{what} must be an array, got a callable {_short_repr(a)}")
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{what} must be a numeric array; could not convert it: {exc}") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{what} must hold numbers (float, or int to be cast to float), "
            f"got dtype {arr.dtype}"
        )
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))
        raise ValueError(
            f"{what} holds {len(bad)} NaN/Inf value(s) (the first at index {tuple(int(i) for i in bad[0])}): "
            "measurements on it would be NaN before any training; pass a batch of finite numbers"
        )
    return arr


def _input_shape(model):
    try:
        shape = model.input_shape
    except (AttributeError, ValueError):
        return None
    if isinstance(shape, list):  # several inputs: not a simple chain
        return None
    return tuple(shape)


def _short_repr(obj, limit=60):
    text = repr(obj)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _call_in(layer, previous):
    """(inputs, outputs) of the call of ``layer`` that takes ``previous``, as lists; (None, None) if none does.

    A layer shared with another model has one call (node) per use: Keras keeps them
    in the private ``_inbound_nodes``. A Keras without it falls back to the public
    ``layer.input`` / ``layer.output``, which describe the layer's first call only.
    """
    import keras

    nodes = getattr(layer, "_inbound_nodes", None)
    if nodes is not None:
        node = next((n for n in nodes if list(n.input_tensors) == list(previous)), None)
        return (None, None) if node is None else (list(node.input_tensors), list(node.output_tensors))
    try:
        return list(keras.tree.flatten(layer.input)), list(keras.tree.flatten(layer.output))
    except (AttributeError, ValueError):
        return None, None


def layer_chain(model):
    """The model's layers as one chain, each feeding the next, or a ValueError.

    Sequential models are chains; a functional model is one when every layer
    takes the previous layer's output as its only input.
    """
    import keras

    if isinstance(model, keras.Sequential):
        return list(model.layers)
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    previous = model.inputs
    for layer in layers:
        inputs, outputs = _call_in(layer, previous)
        if len(previous) != 1 or inputs != list(previous):
            raise ValueError(
                f"model {model.name!r} is not a single chain of layers (layer {layer.name!r} "
                "does not take the previous layer's output as its only input); the per-layer "
                "probes work for Sequential models and functional models that are one chain"
            )
        previous = outputs
    if len(model.outputs) != 1 or list(model.outputs) != previous:
        raise ValueError(
            f"model {model.name!r} is not a single chain of layers ending at its output"
        )
    return layers


def select_layers(model, layers=None, chain=None):
    """The layers to probe, input to output.

    ``layers=None`` picks every layer with a ``kernel``. Otherwise give names,
    indices into ``model.layers`` or layer objects. ``chain``: the model's
    :func:`layer_chain`, when the caller has checked the model already.
    """
    if chain is None:
        chain = layer_chain(check_model(model))
    if layers is None:
        chosen = [layer for layer in chain if getattr(layer, "kernel", None) is not None]
        if not chosen:
            raise ValueError(
                f"model {model.name!r} has no layer with a kernel (Dense, Conv, ...); "
                "pass layers=[...] to choose which layers to probe"
            )
        return chosen
    if isinstance(layers, (str, int)):
        layers = [layers]
    picked = [_resolve_layer(model, chain, spec) for spec in layers]
    if len({id(layer) for layer in picked}) != len(picked):
        raise ValueError(f"layers={layers!r} names the same layer more than once")
    # Probes are reported input to output whatever order the caller used.
    return sorted(picked, key=lambda layer: [id(c) for c in chain].index(id(layer)))


def _resolve_layer(model, chain, spec):
    import keras

    names = [layer.name for layer in model.layers]
    if isinstance(spec, bool):
        raise TypeError(f"a layer is given by name, index or object, got {spec!r}")
    if isinstance(spec, (int, np.integer)):
        n = len(model.layers)
        if not -n <= spec < n:
            raise ValueError(
                f"layer index {spec} is out of range: model {model.name!r} has {n} layers, "
                f"indices 0..{n - 1} ({', '.join(names)})"
            )
        layer = model.layers[spec]
    elif isinstance(spec, str):
        if spec not in names:
            raise ValueError(
                f"model {model.name!r} has no layer named {spec!r}; its layers are: "
                + ", ".join(names)
            )
        layer = model.get_layer(spec)
    elif isinstance(spec, keras.layers.Layer):
        layer = spec
    else:
        raise TypeError(
            f"a layer is given by name, index or keras layer object, got "
            f"{type(spec).__name__}: {_short_repr(spec)}"
        )
    if all(layer is not c for c in chain):
        raise ValueError(f"layer {layer.name!r} is not one of model {model.name!r}'s layers")
    return layer


def resolve_loss(model, loss=None):
    """A function ``(y_true, y_pred) -> scalar``: ``loss`` if given, else the compiled loss."""
    import keras

    spec = loss if loss is not None else getattr(model, "loss", None)
    if spec is None:
        raise ValueError(
            f"no loss to differentiate: model {model.name!r} is not compiled with a loss; "
            "pass loss='sparse_categorical_crossentropy' (or a keras loss object)"
        )
    if isinstance(spec, (dict, list, tuple)):
        raise ValueError(
            "the probes need a single loss for a single output, got "
            f"{type(spec).__name__}: {_short_repr(spec)}"
        )
    try:
        fn = keras.losses.get(spec)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"could not interpret loss {spec!r}: {exc}") from None
    if not callable(fn):
        raise TypeError(f"loss must be a name or a callable, got {_short_repr(spec)}")
    return lambda y_true, y_pred: keras.ops.mean(fn(y_true, y_pred))
