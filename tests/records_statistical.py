"""Op records of the statistical functions (reductions and cumulative functions).

Each record's ``cases`` are the calls to test (``records_manipulation.Case``:
input shape and keyword arguments); ``ref`` is the NumPy reference with the
standard's result dtype written out (``_acc``): sum/prod/cumulative_* of signed
integers (and bool) give int64, of unsigned integers uint64; mean/var/std of
integers give float64, of complex numbers (var/std) the real dtype.
"""
import numpy as np

from records_manipulation import Case, CaseRecord

C = Case


def _acc(a, dtype=None):
    """The standard's accumulation dtype (independent of NumPy's defaults)."""
    if dtype is not None:
        return np.dtype(dtype)
    k = a.dtype.kind
    return {"b": np.dtype("int64"), "i": np.dtype("int64"), "u": np.dtype("uint64")}.get(k, a.dtype)


def _float(a):
    return a.dtype if a.dtype.kind in "fc" else np.dtype("float64")


def _ax(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def np_sum(x, axis=None, dtype=None, keepdims=False):
    return np.asarray(np.sum(x, axis=_ax(axis), dtype=_acc(x, dtype), keepdims=keepdims))


def np_prod(x, axis=None, dtype=None, keepdims=False):
    return np.asarray(np.prod(x, axis=_ax(axis), dtype=_acc(x, dtype), keepdims=keepdims))


def np_mean(x, axis=None, keepdims=False):
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.asarray(np.mean(x, axis=_ax(axis), dtype=_float(x), keepdims=keepdims))


def _np_var(x, axis=None, correction=0.0, keepdims=False):
    import warnings
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = np.asarray(np.var(x.astype(_float(x)), axis=_ax(axis), ddof=correction,
                              keepdims=keepdims))
    n = x.size if axis is None else int(np.prod([x.shape[a] for a in np.atleast_1d(axis)]))
    if n - correction <= 0:
        r = np.full_like(r, np.nan)
    return r


def np_var(x, axis=None, correction=0.0, keepdims=False):
    return _np_var(x, axis, correction, keepdims)


def np_std(x, axis=None, correction=0.0, keepdims=False):
    return np.sqrt(_np_var(x, axis, correction, keepdims))


def np_max(x, axis=None, keepdims=False):
    return np.asarray(np.max(x, axis=_ax(axis), keepdims=keepdims))


def np_min(x, axis=None, keepdims=False):
    return np.asarray(np.min(x, axis=_ax(axis), keepdims=keepdims))


def _cumulative(np_func, identity):
    def ref(x, axis=None, dtype=None, include_initial=False):
        if x.ndim == 0:
            x = x.reshape(1)
        ax = 0 if axis is None else axis
        r = np_func(x, axis=ax, dtype=_acc(x, dtype))
        if include_initial:
            shape = list(r.shape)
            shape[ax] = 1
            r = np.concatenate([np.full(shape, identity, dtype=r.dtype), r], axis=ax)
        return r
    return ref


np_cumulative_sum = _cumulative(np.cumsum, 0)
np_cumulative_prod = _cumulative(np.cumprod, 1)

# reductions over axis tuples, negative axes, keepdims, 0-d, empty and size-1 axes
_REDUCE_CASES = (
    C(((),)), C(((),), kwargs={"axis": ()}), C(((5,),)), C(((5,),), kwargs={"axis": 0}),
    C(((5,),), kwargs={"axis": -1, "keepdims": True}), C(((3, 4),), kwargs={"axis": 1}),
    C(((3, 4),), kwargs={"axis": 0, "keepdims": True}), C(((3, 4),), kwargs={"keepdims": True}),
    C(((2, 3, 4),), kwargs={"axis": (0, 2)}), C(((2, 3, 4),), kwargs={"axis": (-1, -3), "keepdims": True}),
    C(((2, 3, 4),), kwargs={"axis": (1,)}), C(((2, 3, 4),), kwargs={"axis": ()}),
    C(((2, 3, 4),), kwargs={"axis": (0, 1, 2)}), C(((1, 5, 1),), kwargs={"axis": -2}),
    C(((0, 3),), kwargs={"axis": 1}), C(((2, 3),), kwargs={"axis": [0, 1]}),
)
# the same with reductions over zero elements (sum/prod/mean/var/std define them)
_EMPTY_CASES = (
    C(((0,),)), C(((2, 0, 3),), kwargs={"axis": 1}), C(((2, 0),), kwargs={"axis": -1, "keepdims": True}),
    C(((0, 3),), kwargs={"axis": 0}),
)
_CUM_CASES = (
    C(((5,),)), C(((5,),), kwargs={"include_initial": True}), C(((3, 4),), kwargs={"axis": 1}),
    C(((3, 4),), kwargs={"axis": -2, "include_initial": True}), C(((2, 3, 4),), kwargs={"axis": 1}),
    C(((0,),), kwargs={"include_initial": True}), C(((2, 0),), kwargs={"axis": 1}),
    C(((),)), C(((),), kwargs={"include_initial": True}),
)
_VAR_CASES = _REDUCE_CASES + _EMPTY_CASES + (
    C(((6,),), kwargs={"correction": 1}), C(((3, 4),), kwargs={"axis": 0, "correction": 2.5}),
    C(((3, 4),), kwargs={"axis": 0, "correction": 3}), C(((3, 4),), kwargs={"axis": 1, "correction": 5}),
)


def _rec(name, ref, dtypes, cases, **kw):
    return CaseRecord(name=name, category="statistical", ref=ref, dtypes=dtypes, cases=tuple(cases),
                      kwargs=cases[0].kwargs, differentiable=True, **kw)


_TOL = dict(rtol={"float32": 2e-5, "float64": 1e-12}, atol={"float32": 2e-5, "float64": 1e-12})

RECORDS = [
    _rec("sum", np_sum, "numeric", _REDUCE_CASES + _EMPTY_CASES, **_TOL),
    _rec("prod", np_prod, "numeric", _REDUCE_CASES + _EMPTY_CASES, **_TOL),
    _rec("mean", np_mean, "numeric", _REDUCE_CASES + _EMPTY_CASES, **_TOL),
    _rec("var", np_var, "real numeric", _VAR_CASES, **_TOL),
    _rec("std", np_std, "real numeric", _VAR_CASES, **_TOL),
    _rec("max", np_max, "all", _REDUCE_CASES),
    _rec("min", np_min, "all", _REDUCE_CASES),
    _rec("cumulative_sum", np_cumulative_sum, "numeric", _CUM_CASES, **_TOL),
    _rec("cumulative_prod", np_cumulative_prod, "numeric", _CUM_CASES, **_TOL),
]
