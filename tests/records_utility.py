"""Op records of the utility functions (``all``, ``any``, ``diff``)."""
import numpy as np

from records_manipulation import Case, CaseRecord

C = Case


def _ax(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def np_all(x, axis=None, keepdims=False):
    return np.asarray(np.all(x, axis=_ax(axis), keepdims=keepdims))


def np_any(x, axis=None, keepdims=False):
    return np.asarray(np.any(x, axis=_ax(axis), keepdims=keepdims))


def np_diff(x, n=1, axis=-1, prepend=None, append=None):
    kw = {}
    if prepend is not None:
        kw["prepend"] = prepend
    if append is not None:
        kw["append"] = append
    return np.diff(x, n=n, axis=axis, **kw)


_TRUTH_CASES = (
    C(((),)), C(((5,),)), C(((3, 4),), kwargs={"axis": 1}), C(((3, 4),), kwargs={"axis": -2, "keepdims": True}),
    C(((2, 3, 4),), kwargs={"axis": (0, 2)}), C(((2, 3, 4),), kwargs={"axis": ()}), C(((0,),)),
    C(((2, 0),), kwargs={"axis": 1}), C(((2, 0),), kwargs={"axis": 0, "keepdims": True}),
    C(((),), kwargs={"axis": ()}),
)

RECORDS = [
    CaseRecord(name="all", category="utility", ref=np_all, dtypes="all", cases=_TRUTH_CASES),
    CaseRecord(name="any", category="utility", ref=np_any, dtypes="all", cases=_TRUTH_CASES),
    CaseRecord(name="diff", category="utility", ref=np_diff, dtypes="numeric", differentiable=True,
               cases=(
        C(((6,),)), C(((6,),), kwargs={"n": 2}), C(((6,),), args=(3,)), C(((3, 5),), kwargs={"axis": 0}),
        C(((3, 5),), args=(2, -1)), C(((2, 3, 4),), kwargs={"axis": -2, "n": 2}),
        C(((4,),), kwargs={"n": 0}), C(((3,),), kwargs={"n": 5}), C(((0, 3),), kwargs={"axis": 0}),
        C(((2, 3),), kwargs={"n": 3}),
    )),
]
