"""Op records of the indexing functions (``take``, ``take_along_axis``).

Each case gives the shapes of ``x`` and of ``indices``; the test draws indices in
``[-n, n)`` for the indexed axis (``n`` = its length, or ``x.size`` for
``axis=None``) in every integer dtype. Calls are ``fn(x, indices, **case.kwargs)``.
"""
import numpy as np

from records_manipulation import Case, CaseRecord


def _np_take_along_axis(x, indices, axis=-1):
    return np.take_along_axis(x, indices, axis=axis)


C = Case
RECORDS = [
    CaseRecord(name="take", category="indexing", ref=lambda x, i, axis=None: np.take(x, i, axis=axis),
               nargs=2, dtypes="all", differentiable=True, cases=(
                   C(((5,), (3,))), C(((5,), (0,))), C(((2, 3), (4,)), kwargs={"axis": 1}),
                   C(((2, 3, 4), (2,)), kwargs={"axis": -1}), C(((2, 3), (5,)), kwargs={"axis": 0}),
                   C(((0, 3), (2,)), kwargs={"axis": 1}), C(((2, 3), (2, 2)), kwargs={"axis": 1}),
                   C(((2, 3), (4,))), C(((), (2,))), C(((4,), ()), kwargs={"axis": 0}),
               )),
    CaseRecord(name="take_along_axis", category="indexing", ref=_np_take_along_axis,
               nargs=2, dtypes="all", differentiable=True, cases=(
                   C(((5,), (3,))), C(((2, 3), (2, 4)), kwargs={"axis": 1}),
                   C(((2, 3), (4, 3)), kwargs={"axis": 0}), C(((2, 3, 4), (2, 3, 1)), kwargs={"axis": -1}),
                   C(((2, 3, 4), (1, 2, 4)), kwargs={"axis": 1}), C(((2, 3), (2, 0)), kwargs={"axis": 1}),
                   C(((0, 3), (0, 2)), kwargs={"axis": 1}), C(((2, 1), (2, 3)), kwargs={"axis": 0}),
               )),
]
