"""Structural checks of a backward: shapes and dtypes of its outputs, linear in dout, deterministic,
inputs not changed in place (gradcheck.md §3, the checks that need no finite differences)."""
import numpy as np

from grader.checks import CheckFailure


def _as_outputs(result, count, names):
    """``backward``'s result as a list of arrays (a tuple/list, or one array when count is 1)."""
    if isinstance(result, (tuple, list)):
        outputs = list(result)
    elif type(result) is np.ndarray or isinstance(result, (int, float, np.number)):
        outputs = [result]
    else:
        raise CheckFailure(f"backward must return a tuple of arrays or an array, got {type(result).__name__}.")
    if len(outputs) != count:
        raise CheckFailure(f"backward returned {len(outputs)} values, expected {count} ({', '.join(names)}).")
    for value, name in zip(outputs, names):
        if value is None:
            raise CheckFailure(f"{name} is None (not computed).")
        if not (type(value) is np.ndarray or isinstance(value, (int, float, np.number))) or isinstance(value, bool):
            raise CheckFailure(f"{name}: unsupported type {type(value).__name__}; return a numpy array.")
    return [np.asarray(v) for v in outputs]


def check_backward_structure(backward, dout, *, expected_shapes, names=None):
    """Structural checks of ``backward(dout)`` (research/gradcheck.md §3.5), raising CheckFailure:
    shapes as ``expected_shapes`` (one shape, or a sequence of shapes for a tuple result); dout not
    modified in place; a second call identical; zero dout -> exactly zero grads; 2·dout -> 2·grads."""
    single = len(expected_shapes) == 0 or all(isinstance(d, (int, np.integer)) for d in expected_shapes)
    shapes = [tuple(expected_shapes)] if single else [tuple(s) for s in expected_shapes]
    names = list(names) if names is not None else [f"grads[{i}]" for i in range(len(shapes))]
    dout = np.asarray(dout, dtype=np.float64)
    passed = dout.copy()
    first = _as_outputs(backward(passed), len(shapes), names)
    if not np.array_equal(passed, dout):
        raise CheckFailure("backward modified dout in place; compute new arrays instead.")
    for value, shape, name in zip(first, shapes, names):
        if value.shape != shape:
            raise CheckFailure(f"{name} has shape {value.shape}, expected {shape}.")
        if value.dtype.kind not in "iuf" or not np.all(np.isfinite(value)):
            raise CheckFailure(f"{name} must hold finite numbers (dtype {value.dtype}).")
    second = _as_outputs(backward(dout.copy()), len(shapes), names)
    for a, b, name in zip(first, second, names):
        if not np.array_equal(a, b):
            raise CheckFailure(f"{name}: a second call of backward with the same dout gave a different "
                               "result (does backward modify its cache in place?).")
    zero = _as_outputs(backward(np.zeros_like(dout)), len(shapes), names)
    for value, name in zip(zero, names):
        if np.any(value != 0):
            raise CheckFailure(f"{name} is not zero when dout is zero: the gradient must be linear in dout "
                               "(a term that does not use dout?).")
    doubled = _as_outputs(backward(2 * dout), len(shapes), names)
    for a, b, name in zip(first, doubled, names):
        scale = float(np.max(np.abs(a), initial=0.0))
        if np.max(np.abs(b - 2 * a), initial=0.0) > 1e-10 * max(scale, 1e-300):
            raise CheckFailure(f"{name} does not double when dout doubles: the gradient must be linear in "
                               "dout (is dout used in every term?).")
