"""Checks for notebook 00's exercises (the data)."""

import numpy as np

from .core import fail, how_far, passed, require


def _class_brightness(data):
    return np.bincount(data.y_train, weights=data.x_train.mean(axis=(1, 2))) / np.bincount(data.y_train)


def check_brightest(brightest, data):
    """Exercise 1: the class whose training images have the highest mean pixel value."""
    names = list(data.class_names)
    if isinstance(brightest, (int, np.integer)) and not isinstance(brightest, bool) and 0 <= brightest < len(names):
        fail(f"`brightest` is the label {int(brightest)}; the exercise asks for the class *name*.",
             "Look the label up in `data.class_names`.")
    if brightest is None:
        fail("`brightest` is None: the exercise cell did not produce it.", "Assign the class name to `brightest`.")
    require(isinstance(brightest, str), f"`brightest` is a {type(brightest).__name__}; it should be a class name (a string).",
            "Compute one mean per class, take the argmax, and look it up in `data.class_names`.")
    require(brightest in names, f"`brightest` should be one of the class names {names}; got {brightest!r}.",
            "Compute one mean per class, take the argmax, and look it up in `data.class_names`.")
    brightness = _class_brightness(data)
    answer = names[int(np.argmax(brightness))]
    if brightest == names[int(np.argmin(brightness))]:
        fail(f"{brightest!r} is the *darkest* class (mean pixel {brightness.min():.3f}).", "Use argmax, not argmin.")
    require(brightest == answer,
            f"{brightest!r} has mean pixel {brightness[names.index(brightest)]:.3f}; another class is brighter.",
            "Average the pixels of each class's training images (select them with y_train) and take the largest.")
    passed(f"{answer} is the brightest class (mean pixel {brightness.max():.3f}).")


def check_valid_mean(valid_mean, data):
    """Exercise 2: the validation split's mean after standardizing with the training statistics."""
    require(valid_mean is not None, "`valid_mean` is None: the exercise cell did not produce it.",
            "Assign the mean of the standardized validation images to `valid_mean`.")
    require(isinstance(valid_mean, (float, np.floating, int)) and not isinstance(valid_mean, bool),
            f"`valid_mean` should be a number; got {type(valid_mean).__name__}.",
            "Take the .mean() of the standardized validation images and convert it with float().")
    valid_mean = float(valid_mean)
    mean, std = data.x_train.mean(), data.x_train.std()
    expected = float(((data.x_valid - mean) / std).mean())
    if abs(valid_mean) < 1e-6:
        fail("`valid_mean` is 0 (to round-off): the validation images were standardized with their own statistics.",
             "Use the *training* mean and std: statistics computed on held-out data leak it into the preprocessing.")
    if abs(valid_mean - float(data.x_valid.mean())) < 1e-6:
        fail(f"`valid_mean` ({valid_mean:.4f}) is the mean of the raw validation pixels.",
             "Standardize first: (x_valid - training mean) / training std, then take the mean.")
    if abs(valid_mean - float((data.x_valid - mean).mean())) < 1e-6:
        fail(f"`valid_mean` ({valid_mean:.4f}) is the mean of the validation pixels centred but not scaled.",
             "After subtracting the training mean, divide by the training std.")
    if abs(valid_mean - float(data.x_valid.mean() / std)) < 1e-6:
        fail(f"`valid_mean` ({valid_mean:.4f}) is the mean of the validation pixels scaled but not centred.",
             "Subtract the training mean before dividing by the training std.")
    require(abs(valid_mean - expected) < 1e-4, f"`valid_mean` is {valid_mean:.5f}: {how_far(valid_mean, expected)}.",
            "Subtract the training mean and divide by the training std (both over all training pixels).")
    passed(f"{expected:+.4f}: close to 0, not 0, because the training statistics only estimate the validation split's.")
