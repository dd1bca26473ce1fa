"""Op records of the sorting functions (``sort``, ``argsort``).

``ref`` is an independent reference built on Python's ``sorted`` (stable, also
with ``reverse=True``), applied along the axis: NaNs order above every number
(ascending: last, descending: first), complex numbers lexicographically. Cases
cover each ``descending``/``stable`` combination, negative axes and empty axes.
"""
import math

import numpy as np

from records_manipulation import Case, CaseRecord

C = Case


def _key(v):
    if isinstance(v, complex):
        return (math.isnan(v.real), v.real if not math.isnan(v.real) else 0.0,
                math.isnan(v.imag), v.imag if not math.isnan(v.imag) else 0.0)
    if isinstance(v, float) and math.isnan(v):
        return (True, 0.0)
    return (False, v)


def _order(row, descending):
    vals = row.tolist()
    return sorted(range(len(vals)), key=lambda i: _key(vals[i]), reverse=descending)


def ref_argsort(x, axis=-1, descending=False, stable=True):
    return np.apply_along_axis(lambda r: np.asarray(_order(r, descending), dtype=np.int64),
                               axis, x).astype(np.int64) if x.size else \
        np.zeros(x.shape, dtype=np.int64)


def ref_sort(x, axis=-1, descending=False, stable=True):
    return np.take_along_axis(x, ref_argsort(x, axis, descending), axis=axis)


_CASES = tuple(
    C((shape,), kwargs=dict(kw, **{"descending": d, "stable": s}))
    for shape, kw in [((9,), {}), ((4, 6), {}), ((4, 6), {"axis": 0}), ((2, 3, 5), {"axis": -2}),
                      ((3, 0), {}), ((1,), {"axis": 0})]
    for d in (False, True) for s in (True, False)
)

RECORDS = [
    CaseRecord(name="sort", category="sorting", ref=ref_sort, dtypes="all", cases=_CASES,
               differentiable=True),
    CaseRecord(name="argsort", category="sorting", ref=ref_argsort, dtypes="all", cases=_CASES),
]
