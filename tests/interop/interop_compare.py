"""Comparison of a library's result on minitensor inputs with its result on NumPy
inputs (shared by the SciPy and scikit-learn interop tests)."""
import numbers

import numpy as np

import minitensor as mt


def to_minitensor(a):
    """NumPy arrays (any nesting in tuples/lists) -> minitensor tensors; the rest unchanged."""
    if isinstance(a, np.ndarray):
        return mt.asarray(a)
    if isinstance(a, tuple):
        return tuple(to_minitensor(v) for v in a)
    if isinstance(a, list):
        return [to_minitensor(v) for v in a]
    return a


def cast_floats(a, dtype):
    """Cast floating NumPy arrays (any nesting) to ``dtype``."""
    if isinstance(a, np.ndarray):
        return a.astype(dtype) if a.dtype.kind == "f" else a
    if isinstance(a, tuple):
        return tuple(cast_floats(v, dtype) for v in a)
    if isinstance(a, list):
        return [cast_floats(v, dtype) for v in a]
    return a


def _leaves(r, path="result"):
    """Flatten a result into (path, leaf) pairs: arrays, scalars, None, strings."""
    if isinstance(r, (np.ndarray, np.generic, mt.Tensor)) or r is None:
        return [(path, r)]
    if isinstance(r, (numbers.Number, str)):
        return [(path, r)]
    if isinstance(r, dict):
        out = []
        for k in sorted(r):
            out += _leaves(r[k], f"{path}[{k!r}]")
        return out
    if isinstance(r, (tuple, list)):
        out = []
        for i, v in enumerate(r):
            out += _leaves(v, f"{path}[{i}]")
        return out
    if isinstance(r, slice):
        return [(path, r)]
    # result objects (scipy.stats TtestResult, ...): their public data attributes
    names = sorted(k for k, v in vars(r).items() if not k.startswith("_") and not callable(v))
    if not names:
        raise TypeError(f"cannot compare a {type(r).__name__} at {path}")
    out = []
    for k in names:
        out += _leaves(getattr(r, k), f"{path}.{k}")
    return out


def default_rtol(dtype_name):
    return 2e-5 if dtype_name == "float32" else 1e-10


def assert_same_result(res_mt, res_np, rtol, atol=0.0):
    """``res_mt`` (minitensor inputs) matches ``res_np`` (NumPy inputs): structure;
    every NumPy array leaf is a minitensor array of the same dtype, shape and
    values on the CPU device; Python scalars stay Python scalars of the same type.
    """
    import array_api_compat

    lm = _leaves(res_mt)
    ln = _leaves(res_np)
    assert [p for p, _ in lm] == [p for p, _ in ln], "result structure differs"
    for (path, m), (_, n) in zip(lm, ln):
        if isinstance(n, np.ndarray) or (isinstance(n, np.generic) and isinstance(m, mt.Tensor)):
            n = np.asarray(n)
            assert isinstance(m, mt.Tensor), (
                f"{path}: expected a minitensor array, got {type(m).__name__}")
            assert array_api_compat.array_namespace(m) is mt, f"{path}: wrong namespace"
            assert m.device == mt.__array_namespace_info__().default_device(), path
            assert m.dtype.name == n.dtype.name, f"{path}: dtype {m.dtype} != {n.dtype}"
            assert m.shape == n.shape, f"{path}: shape {m.shape} != {n.shape}"
            if n.dtype.kind in "fc":
                np.testing.assert_allclose(np.asarray(m), n, rtol=rtol, atol=atol,
                                           err_msg=path, equal_nan=True)
            else:
                np.testing.assert_array_equal(np.asarray(m), n, err_msg=path)
        elif isinstance(n, np.generic):
            # a NumPy scalar from the NumPy call: the same type of Python/NumPy scalar
            assert not isinstance(m, mt.Tensor) or m.ndim == 0, path
            np.testing.assert_allclose(np.asarray(m), n, rtol=rtol, atol=atol, err_msg=path)
        elif isinstance(n, float):
            assert isinstance(m, float), f"{path}: expected a Python float, got {type(m)}"
            np.testing.assert_allclose(m, n, rtol=rtol, atol=atol, err_msg=path)
        else:
            assert type(m) is type(n), f"{path}: {type(m).__name__} != {type(n).__name__}"
            assert m == n, f"{path}: {m!r} != {n!r}"
