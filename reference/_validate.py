"""Argument checks shared by the reference modules: each raises ValueError with a clear message."""

import numpy as np


def float_array(name, a, ndim=None, shape_doc=""):
    """``a`` as a floating-point ndarray (optionally with ``ndim`` dimensions), else ValueError."""
    a = np.asarray(a)
    if a.dtype.kind != "f":
        raise ValueError(f"{name} must be a floating-point array, got dtype {a.dtype}")
    if ndim is not None and a.ndim != ndim:
        doc = f" {shape_doc}" if shape_doc else f" with {ndim} dimension(s)"
        raise ValueError(f"{name} must have shape{doc}, got shape {a.shape}")
    return a


def numeric_array(name, a, ndim=None, shape_doc=""):
    """``a`` as an int or float ndarray (bool and object rejected), else ValueError."""
    a = np.asarray(a)
    if a.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a numeric array, got dtype {a.dtype}")
    if ndim is not None and a.ndim != ndim:
        doc = f" {shape_doc}" if shape_doc else f" with {ndim} dimension(s)"
        raise ValueError(f"{name} must have shape{doc}, got shape {a.shape}")
    return a


def label_array(name, y, n, num_classes):
    """``y`` as an int vector of length ``n`` with values in ``[0, num_classes)``, else ValueError."""
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer labels, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got shape {y.shape}")
    if n and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"{name} must hold labels in [0, {num_classes}), "
                         f"got values from {y.min()} to {y.max()}")
    return y


def expect_shape(name, a, shape):
    """ValueError unless ``a.shape == shape``."""
    if np.shape(a) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got shape {np.shape(a)}")


def real_number(name, value, low=None, high=None, low_open=False, high_open=False):
    """``value`` as a float inside the given bounds (bools rejected), else ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        if not (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"):
            raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value}")
    return value


def positive_int(name, value, minimum=1):
    """``value`` as an int >= ``minimum`` (bools rejected), else ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def same_shape(name, a, ref_name, ref):
    """ValueError unless ``a`` has the shape of ``ref``."""
    if np.shape(a) != np.shape(ref):
        raise ValueError(f"{name} must have the shape of {ref_name} {np.shape(ref)}, "
                         f"got shape {np.shape(a)}")


def mode_of(param, where):
    """``param['mode']``, which must be 'train' or 'test'."""
    if not isinstance(param, dict):
        raise ValueError(f"{where} must be a dict, got {type(param).__name__}")
    mode = param.get("mode", "train")
    if mode not in ("train", "test"):
        raise ValueError(f"{where}['mode'] must be 'train' or 'test', got {mode!r}")
    return mode
