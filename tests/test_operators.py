"""Operators of ``Tensor``: each equals its namespace function (values, dtype,
shape) for every dtype the function accepts, in plain, reflected (Python scalar
or NumPy operand on the left) and in-place forms; in-place keeps dtype and
identity, writes through views, and refuses dtype changes of kind and
shape-changing broadcasts; unsupported operands give NotImplemented (so
``t == None`` is False and ``t + "a"`` a TypeError)."""
import operator
import zlib

import numpy as np
import pytest

import minitensor as xp
from minitensor import _dtypes
from op_records import random_input
from records_elementwise import RECORDS

_BY_NAME = {r.name: r for r in RECORDS}

# (operator, in-place operator, namespace function)
BINARY_OPS = [
    (operator.add, operator.iadd, "add"),
    (operator.sub, operator.isub, "subtract"),
    (operator.mul, operator.imul, "multiply"),
    (operator.truediv, operator.itruediv, "divide"),
    (operator.floordiv, operator.ifloordiv, "floor_divide"),
    (operator.mod, operator.imod, "remainder"),
    (operator.pow, operator.ipow, "pow"),
    (operator.and_, operator.iand, "bitwise_and"),
    (operator.or_, operator.ior, "bitwise_or"),
    (operator.xor, operator.ixor, "bitwise_xor"),
    (operator.lshift, operator.ilshift, "bitwise_left_shift"),
    (operator.rshift, operator.irshift, "bitwise_right_shift"),
]
COMPARISONS = [
    (operator.lt, "less"), (operator.le, "less_equal"), (operator.gt, "greater"),
    (operator.ge, "greater_equal"), (operator.eq, "equal"), (operator.ne, "not_equal"),
]
UNARY_OPS = [
    (operator.neg, "negative"), (operator.pos, "positive"), (abs, "abs"),
    (operator.invert, "bitwise_invert"),
]
_REFLECTED = {  # operator -> the same operation with swapped operands
    operator.lt: operator.gt, operator.le: operator.ge, operator.gt: operator.lt,
    operator.ge: operator.le, operator.eq: operator.eq, operator.ne: operator.ne,
}


def _names(category):
    return [d.name for d in _dtypes._dtype_categories[category]]


def _pair(name, dt, shape1=(3, 4), shape2=(3, 4)):
    rec = _BY_NAME[name]
    rng = np.random.default_rng(zlib.crc32(f"{name}{dt}{shape1}{shape2}".encode()))
    a = random_input(rng, shape1, dt, rec.domain)
    b = random_input(rng, shape2, dt, rec.domain)
    return xp.asarray(a), xp.asarray(b)


def _same(out, expected):
    assert type(out) is xp.Tensor
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_array_equal(out._array, expected._array)


def _scalar(name, dt):
    k = np.dtype(dt).kind
    if k == "b":
        return True
    if k in "iu":
        return 2
    return 0.5 if k == "f" else 0.5 - 1.5j


# ----------------------------------------------------------------- binary
@pytest.mark.parametrize("op,iop,name", BINARY_OPS, ids=[n for _, _, n in BINARY_OPS])
def test_binary_operator_equals_function(op, iop, name):
    fn = getattr(xp, name)
    for dt in _names(_BY_NAME[name].dtypes):
        x1, x2 = _pair(name, dt)
        _same(op(x1, x2), fn(x1, x2))
        # broadcasting, 0-d
        y1, y2 = _pair(name, dt, (3, 1), (4,))
        _same(op(y1, y2), fn(y1, y2))
        z1, z2 = _pair(name, dt, (), (2,))
        _same(op(z1, z2), fn(z1, z2))


@pytest.mark.parametrize("op,iop,name", BINARY_OPS, ids=[n for _, _, n in BINARY_OPS])
def test_python_scalars_and_reflected_forms(op, iop, name):
    fn = getattr(xp, name)
    for dt in _names(_BY_NAME[name].dtypes):
        x, _ = _pair(name, dt)
        s = _scalar(name, dt)
        _same(op(x, s), fn(x, s))
        _same(op(s, x), fn(s, x))  # __rop__
        s0 = xp.asarray(s, dtype=getattr(xp, dt))
        _same(op(s, x), fn(s0, x))


@pytest.mark.parametrize("op,name", COMPARISONS, ids=[n for _, n in COMPARISONS])
def test_comparison_operators(op, name):
    fn = getattr(xp, name)
    for dt in _names(_BY_NAME[name].dtypes):
        x1, x2 = _pair(name, dt)
        if x1.size:
            x2[0, 0] = x1[0, 0]  # some equal elements
        out = op(x1, x2)
        assert out.dtype == xp.bool
        _same(out, fn(x1, x2))
        s = _scalar(name, dt)
        _same(op(x1, s), fn(x1, s))
        # ``s < x`` is evaluated as ``x > s``
        _same(op(s, x1), _REFLECTED[op](x1, s))
        _same(op(s, x1), fn(s, x1))


@pytest.mark.parametrize("op,name", UNARY_OPS, ids=[n for _, n in UNARY_OPS])
def test_unary_operators(op, name):
    fn = getattr(xp, name)
    for dt in _names(_BY_NAME[name].dtypes):
        x, _ = _pair(name, dt)
        _same(op(x), fn(x))
        z = xp.asarray(x._array[0, 0])
        _same(op(z), fn(z))


def test_unary_operators_reject_bad_dtypes():
    with pytest.raises(TypeError, match="bitwise_invert.*float64"):
        ~xp.ones(2)
    with pytest.raises(TypeError, match="negative.*bool"):
        -xp.ones(2, dtype=xp.bool)


def test_matmul_operator():
    rng = np.random.default_rng(0)
    for dt in ("float32", "float64", "complex128", "int64"):
        a = xp.asarray(random_input(rng, (3, 4), dt))
        b = xp.asarray(random_input(rng, (4, 2), dt))
        _same(a @ b, xp.matmul(a, b))
        v = xp.asarray(random_input(rng, (4,), dt))
        _same(a @ v, xp.matmul(a, v))
        # NumPy operand on the left: __rmatmul__
        left = np.ones((2, 3), dtype=dt)
        _same(left @ a, xp.matmul(xp.asarray(left), a))
    with pytest.raises((TypeError, ValueError)):
        xp.ones((2, 2)) @ 2.0
    with pytest.raises(ValueError):
        xp.ones((2, 3)) @ xp.ones((2, 3))


def test_inplace_matmul():
    a = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
    b = xp.asarray([[0.0, 1.0], [1.0, 0.0]])
    expected = xp.matmul(a, b)
    ident = id(a)
    a @= b
    assert id(a) == ident
    _same(a, expected)
    with pytest.raises(ValueError):
        a @= xp.ones((2, 3))  # would change the shape


# --------------------------------------------------------------- in place
@pytest.mark.parametrize("op,iop,name", BINARY_OPS, ids=[n for _, _, n in BINARY_OPS])
def test_inplace_keeps_identity_and_dtype(op, iop, name):
    for dt in _names(_BY_NAME[name].dtypes):
        x1, x2 = _pair(name, dt)
        expected = op(x1, x2)
        if expected.dtype != x1.dtype:  # int / int -> float: tested below
            continue
        buf = x1._array
        ident = id(x1)
        r = iop(x1, x2)
        assert r is x1 and id(x1) == ident
        assert x1._array is buf and x1.dtype == getattr(xp, dt)
        _same(x1, expected)
        # Python scalar, broadcast operand
        s = _scalar(name, dt)
        x3, _ = _pair(name, dt)
        expected = op(x3, s)
        assert iop(x3, s) is x3
        _same(x3, expected)
        x4, row = _pair(name, dt, (3, 4), (4,))
        expected = op(x4, row)
        assert iop(x4, row) is x4
        _same(x4, expected)


def test_inplace_writes_through_views():
    base = xp.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    v = base[:, 1:]
    v += 10.0
    np.testing.assert_array_equal(base._array, [[1.0, 12.0, 13.0], [4.0, 15.0, 16.0]])
    col = base[:, 0]
    col *= xp.asarray([2.0, 3.0])
    np.testing.assert_array_equal(base._array[:, 0], [2.0, 12.0])
    assert np.shares_memory(col._array, base._array)


def test_inplace_same_kind_result_is_cast_back():
    # Note: as NumPy and PyTorch, a result of the same kind is stored (float32 += float64)
    x = xp.asarray([1.0, 2.0], dtype=xp.float32)
    x += xp.asarray([0.5, 0.25], dtype=xp.float64)
    assert x.dtype == xp.float32
    np.testing.assert_array_equal(x._array, [1.5, 2.25])
    y = xp.asarray([1, 2], dtype=xp.int8)
    y += 3
    assert y.dtype == xp.int8
    np.testing.assert_array_equal(y._array, [4, 5])


@pytest.mark.parametrize("target,other,iop", [
    ("int8", 1.5, operator.iadd), ("int64", "float64", operator.iadd),
    ("int32", 2, operator.itruediv), ("float64", "complex128", operator.imul),
    ("float32", 1j, operator.iadd), ("bool", 1, operator.iadd), ("uint8", "int8", operator.iadd),
])
def test_inplace_dtype_that_cannot_be_stored_is_type_error(target, other, iop):
    x = xp.ones(3, dtype=getattr(xp, target)) if target != "bool" else xp.asarray([True, False])
    before = x._array.copy()
    if isinstance(other, str):
        other = xp.ones(3, dtype=getattr(xp, other))
    with pytest.raises(TypeError, match="in-place|add"):  # bool: add() rejects it
        iop(x, other)
    np.testing.assert_array_equal(x._array, before)  # untouched


def test_inplace_shape_changing_broadcast_is_value_error():
    x = xp.ones(3)
    with pytest.raises(ValueError) as info:
        x += xp.ones((2, 3))
    assert "(2, 3)" in str(info.value) and "(3,)" in str(info.value)
    np.testing.assert_array_equal(x._array, [1.0, 1.0, 1.0])
    z = xp.asarray(1.0)
    with pytest.raises(ValueError):
        z *= xp.ones(2)


def test_inplace_special_cases_follow_the_functions():
    x = xp.asarray([float("inf"), 1.0, -0.0])
    x //= xp.asarray([2.0, float("-inf"), 3.0])
    np.testing.assert_array_equal(x._array, [np.inf, -0.0, -0.0])
    assert np.signbit(x._array[1])
    y = xp.asarray([1, 0], dtype=xp.int16)
    y //= 0  # no warning, NumPy's value
    np.testing.assert_array_equal(y._array, [0, 0])


# ------------------------------------------------------ unsupported operands
def test_eq_ne_with_unsupported_operands():
    t = xp.asarray([1.0, 2.0])
    assert (t == None) is False  # noqa: E711
    assert (t != None) is True  # noqa: E711
    assert (t == "abc") is False
    assert (t == [1.0, 2.0]) is False
    assert t.__eq__(None) is NotImplemented


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv,
                                operator.floordiv, operator.mod, operator.pow, operator.and_,
                                operator.or_, operator.xor, operator.lshift, operator.rshift,
                                operator.lt, operator.le, operator.gt, operator.ge,
                                operator.matmul])
def test_unsupported_operand_is_type_error(op):
    t = xp.asarray([1, 2])
    for bad in ("a", None, [1, 2], object()):
        with pytest.raises(TypeError):
            op(t, bad)
        if isinstance(bad, str) and op is operator.mod:
            continue  # "a" % t is str formatting
        with pytest.raises(TypeError):
            op(bad, t)


def test_inplace_unsupported_operand_is_type_error():
    t = xp.asarray([1.0, 2.0])
    with pytest.raises(TypeError):
        t += "a"
    assert t.__iadd__("a") is NotImplemented
    assert t.__radd__(None) is NotImplemented


def test_numpy_operands_on_the_left_give_tensors():
    t = xp.asarray([1.0, 2.0])
    for left in (np.float64(2.0), np.ones(2), np.float32(3.0)):
        for op, name in ((operator.add, "add"), (operator.mul, "multiply"),
                         (operator.lt, "less")):
            out = op(left, t)
            assert type(out) is xp.Tensor, (type(left), name)
            np.testing.assert_array_equal(out._array, op(np.asarray(left), t._array))


def test_operators_are_the_functions_forwarded():
    # the dunders forward to the namespace functions (one path for checks)
    for dunder, name in (("__add__", "add"), ("__lt__", "less"), ("__neg__", "negative")):
        assert hasattr(xp.Tensor, dunder), dunder
    with pytest.raises(TypeError, match="bitwise_and"):
        xp.ones(2) & xp.ones(2)
    with pytest.raises(TypeError, match="bitwise_left_shift"):
        xp.ones(2, dtype=xp.int8) << 1.5
