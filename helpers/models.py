"""Standard model builders shared by the notebooks.

Each builder returns an uncompiled ``keras.Sequential`` for 28x28 Fashion-MNIST
images with a 10-way softmax output. Layers are named ``hidden_1 ...
hidden_n`` and ``output`` so that plots and tables read from input to output.
"""

import keras

INPUT_SHAPE = (28, 28)
N_CLASSES = 10


def mlp(
    n_hidden,
    width=100,
    activation="relu",
    kernel_initializer="glorot_uniform",
    batch_norm=False,
    input_shape=INPUT_SHAPE,
    name=None,
    dtype=None,
):
    """A plain fully connected net: Flatten, ``n_hidden`` Dense layers, softmax.

    ``batch_norm=True`` inserts a BatchNormalization layer after each hidden
    Dense layer's activation. ``kernel_initializer`` may be a name or a Keras
    initializer; a fresh copy is used for each layer. ``dtype`` is a Keras
    dtype policy for the hidden layers ("mixed_float16", "bfloat16", ...;
    None: the global policy); the softmax output stays float32, as Keras
    advises for mixed precision.
    """
    if isinstance(n_hidden, bool) or not isinstance(n_hidden, int) or n_hidden < 0:
        raise ValueError(f"n_hidden must be a non-negative int, got {n_hidden!r}")
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive int, got {width!r}")
    layers = [keras.Input(shape=input_shape), keras.layers.Flatten(name="flatten")]
    for i in range(1, n_hidden + 1):
        layers.append(
            keras.layers.Dense(
                width,
                activation=activation,
                kernel_initializer=_fresh(kernel_initializer),
                name=f"hidden_{i}",
                dtype=dtype,
            )
        )
        if batch_norm:
            layers.append(keras.layers.BatchNormalization(name=f"bn_{i}"))
    layers.append(keras.layers.Dense(N_CLASSES, activation="softmax", name="output",
                                     dtype=None if dtype is None else "float32"))
    return keras.Sequential(layers, name=name or f"mlp_{n_hidden}x{width}_{_label(activation)}")


def classic_model(batch_norm=True, name=None):
    """The textbook batch-normalization model and its plain twin.

    With ``batch_norm=True``: Flatten, BN, Dense 300 ReLU, BN, Dense 100 ReLU,
    BN, Dense 10 softmax. With ``batch_norm=False`` the BN layers are left out.
    """
    layers = [keras.Input(shape=INPUT_SHAPE), keras.layers.Flatten(name="flatten")]
    if batch_norm:
        layers.append(keras.layers.BatchNormalization(name="bn_0"))
    for i, width in enumerate((300, 100), start=1):
        layers.append(keras.layers.Dense(width, activation="relu", name=f"hidden_{i}"))
        if batch_norm:
            layers.append(keras.layers.BatchNormalization(name=f"bn_{i}"))
    layers.append(keras.layers.Dense(N_CLASSES, activation="softmax", name="output"))
    default = "classic_bn" if batch_norm else "classic_plain"
    return keras.Sequential(layers, name=name or default)


def _fresh(initializer):
    """A new initializer object per layer, so layers never share one instance."""
    if isinstance(initializer, keras.initializers.Initializer):
        return initializer.__class__.from_config(initializer.get_config())
    return initializer


def _label(activation):
    return activation if isinstance(activation, str) else getattr(activation, "__name__", "custom")
