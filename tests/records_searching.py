"""Op records of the searching functions.

``argmax``/``argmin``/``count_nonzero`` are reductions (``cases``: input shape and
keyword arguments, as ``records_manipulation.Case``); ``nonzero``, ``where`` and
``searchsorted`` have their own tests for their data-dependent or mixed
arguments, with the cases below. Index results are int64 (the default index dtype).
"""
import numpy as np

from records_manipulation import Case, CaseRecord

C = Case


def _i64(r):
    return np.asarray(r, dtype=np.int64)


def np_argmax(x, axis=None, keepdims=False):
    return _i64(np.argmax(x, axis=axis, keepdims=keepdims))


def np_argmin(x, axis=None, keepdims=False):
    return _i64(np.argmin(x, axis=axis, keepdims=keepdims))


def np_count_nonzero(x, axis=None, keepdims=False):
    return _i64(np.count_nonzero(x, axis=axis, keepdims=keepdims))


def np_nonzero(x):
    return tuple(_i64(i) for i in np.nonzero(x))


def np_where(c, a, b):
    return np.where(c, a, b)


def np_searchsorted(x1, x2, side="left", sorter=None):
    return _i64(np.searchsorted(x1, x2, side=side, sorter=sorter))


_ARG_CASES = (
    C(((5,),)), C(((5,),), kwargs={"axis": 0}), C(((5,),), kwargs={"axis": -1, "keepdims": True}),
    C(((3, 4),)), C(((3, 4),), kwargs={"keepdims": True}), C(((3, 4),), kwargs={"axis": 1}),
    C(((2, 3, 4),), kwargs={"axis": -2, "keepdims": True}), C(((),)), C(((),), kwargs={"keepdims": True}),
    C(((0, 3),), kwargs={"axis": 1}),
)
_COUNT_CASES = (
    C(((),)), C(((5,),)), C(((3, 4),), kwargs={"axis": 1}), C(((3, 4),), kwargs={"keepdims": True}),
    C(((2, 3, 4),), kwargs={"axis": (0, -1)}), C(((2, 3, 4),), kwargs={"axis": (), "keepdims": True}),
    C(((2, 0, 4),), kwargs={"axis": 1}), C(((0,),)),
)

RECORDS = [
    CaseRecord(name="argmax", category="searching", ref=np_argmax, dtypes="all", cases=_ARG_CASES),
    CaseRecord(name="argmin", category="searching", ref=np_argmin, dtypes="all", cases=_ARG_CASES),
    CaseRecord(name="count_nonzero", category="searching", ref=np_count_nonzero, dtypes="all",
               cases=_COUNT_CASES),
    CaseRecord(name="nonzero", category="searching", ref=np_nonzero, dtypes="all",
               cases=(C(((7,),)), C(((3, 4),)), C(((2, 3, 2),)), C(((0, 3),))), result="tuple"),
    CaseRecord(name="where", category="searching", ref=np_where, nargs=3, dtypes="all",
               differentiable=True,
               cases=(C(((5,), (5,), (5,))), C(((3, 1), (1, 4), (4,))), C(((), (2, 3), ())),
                      C(((0, 3), (3,), (1, 3))))),
    CaseRecord(name="searchsorted", category="searching", ref=np_searchsorted, nargs=2,
               dtypes="real numeric",
               cases=(C(((8,), (5,))), C(((8,), (2, 3)), kwargs={"side": "right"}),
                      C(((1,), ())), C(((0,), (3,))), C(((8,), (0,)), kwargs={"side": "left"}))),
]
