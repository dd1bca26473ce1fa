"""Op records of the set functions.

``ref`` functions are written from the standard's definition (value equality:
each NaN distinct with a count of one, -0.0 == +0.0, first occurrences in
row-major order), independent of ``np.unique``; they give the unique values in
first-occurrence order, and the test compares after sorting both sides.
"""
import cmath
import math

import numpy as np

from records_manipulation import Case, CaseRecord

C = Case


def _isnan(v):
    return cmath.isnan(v) if isinstance(v, complex) else isinstance(v, float) and math.isnan(v)


def ref_unique_all(x):
    """(values, indices, inverse_indices, counts), values in first-occurrence order."""
    flat = x.reshape(-1)
    pos = {}
    values, indices, counts, inverse = [], [], [], []
    for i, v in enumerate(flat.tolist()):
        if _isnan(v):
            k = len(values)
            values.append(flat[i]); indices.append(i); counts.append(1)
        elif v in pos:
            k = pos[v]
            counts[k] += 1
        else:
            k = pos[v] = len(values)
            values.append(flat[i]); indices.append(i); counts.append(1)
        inverse.append(k)
    i64 = np.int64
    return (np.asarray(values, dtype=x.dtype).reshape(-1), np.asarray(indices, dtype=i64),
            np.asarray(inverse, dtype=i64).reshape(x.shape), np.asarray(counts, dtype=i64))


def ref_isin(x1, x2, invert=False):
    s = set(v for v in np.asarray(x2).reshape(-1).tolist() if not _isnan(v))
    r = np.asarray([v in s for v in np.asarray(x1).reshape(-1).tolist()], dtype=bool)
    r = r.reshape(np.shape(x1))
    return ~r if invert else r


_SHAPES = (C(((),)), C(((7,),)), C(((3, 4),)), C(((2, 3, 2),)), C(((0,),)), C(((2, 0),)))

RECORDS = [
    CaseRecord(name=n, category="set", ref=ref_unique_all, dtypes="all", cases=_SHAPES,
               result="tuple" if n != "unique_values" else "array")
    for n in ("unique_all", "unique_counts", "unique_inverse", "unique_values")
] + [
    CaseRecord(name="isin", category="set", ref=ref_isin, nargs=2, dtypes="all",
               cases=(C(((7,), (4,))), C(((3, 4), (5,))), C(((), (3,))), C(((4,), ())),
                      C(((0,), (3,))), C(((3,), (0,))), C(((2, 3), (2, 2)), kwargs={"invert": True}))),
]
