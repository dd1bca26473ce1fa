"""Op records of the manipulation functions.

Manipulation functions take non-array arguments (a shape, axes, repetitions)
that change the result's shape, so each record carries ``cases``: the calls to
test, each ``fn(*arrays, *case.args, **case.kwargs)`` (the arrays are passed as
one list when ``record.seq``). ``record.shapes`` / ``record.kwargs`` are those
of the cases (for generic consumers of ``OpRecord``); ``case.view`` says the
result must share memory with the first input (NumPy returns a view).
"""
from dataclasses import dataclass, field

import numpy as np

from op_records import OpRecord


@dataclass(frozen=True)
class Case:
    shapes: tuple                  # shapes of the array arguments
    args: tuple = ()               # further positional arguments, after the arrays
    kwargs: dict = field(default_factory=dict)
    view: bool = False             # the result (each result) is a view of the first input

    def __repr__(self):
        parts = [f"shapes={self.shapes}"]
        if self.args:
            parts.append(f"args={self.args}")
        if self.kwargs:
            parts.append(f"kwargs={self.kwargs}")
        return "Case(" + ", ".join(parts) + ")"


@dataclass(frozen=True)
class CaseRecord(OpRecord):
    cases: tuple = ()
    seq: bool = False              # the arrays are passed as one list (concat, stack)
    result: str = "array"          # "array" or "tuple" (a tuple of arrays)
    copies: bool = False           # the result never shares memory with the inputs

    def __post_init__(self):
        if self.cases and not self.shapes:
            object.__setattr__(self, "shapes", tuple(c.shapes for c in self.cases))

    def call(self, fn, arrays, case):
        if self.seq:
            return fn(list(arrays), *case.args, **case.kwargs)
        return fn(*arrays, *case.args, **case.kwargs)


def _rec(name, ref, cases, **kw):
    cases = tuple(cases)
    return CaseRecord(name=name, category="manipulation", ref=ref, dtypes="all",
                      nargs=len(cases[0].shapes), kwargs=cases[0].kwargs, cases=cases,
                      differentiable=True, **kw)


def _np_concat(arrays, axis=0):
    if axis is None:
        return np.concatenate([a.reshape(-1) for a in arrays])
    return np.concatenate(arrays, axis=axis)


def _np_expand_dims(x, axis):
    return np.expand_dims(x, axis)


def _np_repeat(x, repeats, axis=None):
    return np.repeat(x, repeats, axis=axis)


def _np_roll(x, shift, axis=None):
    if axis is None and isinstance(shift, int):
        shift = shift % x.size if x.size else 0  # np.roll overflows for huge shifts
    return np.roll(x, shift, axis)


def _np_unstack(x, axis=0):
    return tuple(np.moveaxis(x, axis, 0)[i] for i in range(x.shape[axis]))


C = Case
RECORDS = [
    _rec("broadcast_arrays", lambda *a: np.broadcast_arrays(*a), [
        C(((3, 1), (4,)), view=True), C(((2, 1, 3), (5, 1), ()), view=True), C(((0, 3), (1, 3))),
        C(((2, 3),), view=True), C(((), ()), view=True),
    ], result="tuple"),
    _rec("broadcast_to", np.broadcast_to, [
        C(((3,),), kwargs={"shape": (2, 3)}, view=True), C(((),), kwargs={"shape": (2, 2)}, view=True),
        C(((2, 1),), kwargs={"shape": (4, 2, 5)}, view=True), C(((0, 1),), kwargs={"shape": (0, 4)}, view=True),
        C(((2, 3),), kwargs={"shape": (2, 3)}, view=True),
    ]),
    _rec("concat", _np_concat, [
        C(((2, 3), (4, 3))), C(((2, 3), (2, 1)), kwargs={"axis": -1}),
        C(((2, 3), (4,), ()), kwargs={"axis": None}), C(((0, 3), (2, 3), (0, 3))),
        C(((3,),)), C(((2, 0, 2), (2, 3, 2)), kwargs={"axis": 1}),
    ], seq=True, copies=True),
    _rec("stack", lambda arrays, axis=0: np.stack(arrays, axis=axis), [
        C(((2, 3), (2, 3))), C(((2, 3), (2, 3), (2, 3)), kwargs={"axis": -1}),
        C(((), ())), C(((0, 2), (0, 2)), kwargs={"axis": 1}), C(((4,),), kwargs={"axis": -2}),
    ], seq=True, copies=True),
    _rec("unstack", _np_unstack, [
        C(((3, 4),), view=True), C(((3, 4, 2),), kwargs={"axis": -1}, view=True),
        C(((5,),), view=True), C(((0, 3),), view=True), C(((2, 0),), kwargs={"axis": 1}, view=True),
    ], result="tuple"),
    _rec("expand_dims", _np_expand_dims, [
        C(((2, 3),), kwargs={"axis": 0}, view=True), C(((2, 3),), kwargs={"axis": -1}, view=True),
        C(((),), kwargs={"axis": 0}, view=True), C(((2, 3),), kwargs={"axis": (0, 3)}, view=True),
        C(((2, 3),), kwargs={"axis": (-1, 1)}, view=True), C(((0,),), kwargs={"axis": (1, 0)}, view=True),
    ]),
    _rec("squeeze", lambda x, axis: np.squeeze(x, axis), [
        C(((1, 3),), kwargs={"axis": 0}, view=True), C(((2, 1, 1),), kwargs={"axis": (-1, 1)}, view=True),
        C(((1,),), kwargs={"axis": -1}, view=True), C(((1, 0, 1),), kwargs={"axis": (2,)}, view=True),
        C(((3,),), kwargs={"axis": ()}, view=True),
    ]),
    _rec("flip", lambda x, axis=None: np.flip(x, axis), [
        C(((2, 3),), view=True), C(((2, 3, 4),), kwargs={"axis": 1}, view=True),
        C(((2, 3, 4),), kwargs={"axis": (0, -1)}, view=True), C(((),), view=True),
        C(((0, 3),), kwargs={"axis": -1}, view=True),
    ]),
    _rec("permute_dims", lambda x, axes: np.transpose(x, axes), [
        C(((2, 3, 4),), kwargs={"axes": (2, 0, 1)}, view=True),
        C(((2, 3),), kwargs={"axes": (-1, -2)}, view=True), C(((),), kwargs={"axes": ()}, view=True),
        C(((0, 2, 1),), kwargs={"axes": (1, 2, 0)}, view=True),
    ]),
    _rec("moveaxis", np.moveaxis, [
        C(((2, 3, 4),), args=(0, -1), view=True), C(((2, 3, 4),), args=((0, 1), (2, 0)), view=True),
        C(((2, 3, 4, 5),), args=((-1, 0), (1, 3)), view=True), C(((5,),), args=(0, 0), view=True),
        C(((0, 3),), args=(1, 0), view=True),
    ]),
    _rec("reshape", lambda x, shape, copy=None: np.reshape(x, shape, copy=copy), [
        C(((2, 3),), kwargs={"shape": (3, 2)}, view=True), C(((2, 3),), kwargs={"shape": (-1,)}, view=True),
        C(((2, 3, 4),), kwargs={"shape": (4, -1, 2)}, view=True), C(((),), kwargs={"shape": (1, 1)}, view=True),
        C(((1, 1),), kwargs={"shape": ()}, view=True), C(((0, 3),), kwargs={"shape": (3, 0, 5)}, view=True),
        C(((2, 3),), kwargs={"shape": (6,), "copy": False}, view=True),
        C(((2, 3),), kwargs={"shape": (3, 2), "copy": True}),
    ]),
    _rec("repeat", _np_repeat, [
        C(((2, 3),), args=(2,)), C(((2, 3),), args=(3,), kwargs={"axis": 1}),
        C(((2, 3),), args=(0,), kwargs={"axis": -2}), C(((),), args=(3,)),
        C(((0, 2),), args=(4,), kwargs={"axis": 0}), C(((4,),), args=(1,)),
    ], copies=True),
    _rec("tile", np.tile, [
        C(((2, 3),), args=((2, 1),)), C(((3,),), args=((2, 2, 2),)), C(((2, 3, 4),), args=((2,),)),
        C(((),), args=((3,),)), C(((2, 0),), args=((2, 3),)), C(((2, 3),), args=((0, 1),)),
        C(((2, 3),), args=((1, 1),)),
    ], copies=True),
    _rec("roll", _np_roll, [
        C(((2, 3),), kwargs={"shift": 1}), C(((2, 3),), kwargs={"shift": -4, "axis": 1}),
        C(((2, 3, 4),), kwargs={"shift": (1, -2), "axis": (0, -1)}),
        C(((2, 3),), kwargs={"shift": (1, 1), "axis": (1, 1)}), C(((),), kwargs={"shift": 5}),
        C(((0, 3),), kwargs={"shift": 2, "axis": 0}), C(((5,),), kwargs={"shift": 10**20 + 3}),
        C(((2, 3),), kwargs={"shift": 2, "axis": (0, 1)}),
    ], copies=True),
]
