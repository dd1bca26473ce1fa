"""Type promotion: the standard's promotion table (transcribed here from the
2025.12 spec, "Type Promotion Rules", independently of minitensor's code) for
every pair, via ``result_type`` and via actual functions and operators; NumPy's
result for the pairs the standard leaves open (mixed kinds, int64 with uint64);
the Python scalar rules (2024.12: bool/int/float/complex scalars take the array's
dtype, a complex scalar with float32 gives complex64); int / int -> float64."""
import itertools
import operator

import numpy as np
import pytest

import minitensor as xp

# ------------------------------------------------- the standard's tables
_CODES = {"b": "bool", "i1": "int8", "i2": "int16", "i4": "int32", "i8": "int64",
          "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64",
          "f4": "float32", "f8": "float64", "c8": "complex64", "c16": "complex128"}

# row | column -> result, exactly as printed in the specification
_SIGNED = """
    i1 i2 i4 i8
i1  i1 i2 i4 i8
i2  i2 i2 i4 i8
i4  i4 i4 i4 i8
i8  i8 i8 i8 i8
"""
_UNSIGNED = """
    u1 u2 u4 u8
u1  u1 u2 u4 u8
u2  u2 u2 u4 u8
u4  u4 u4 u4 u8
u8  u8 u8 u8 u8
"""
_MIXED = """
    u1 u2 u4
i1  i2 i4 i8
i2  i2 i4 i8
i4  i4 i4 i8
i8  i8 i8 i8
"""
_FLOATING = """
     f4  f8  c8  c16
f4   f4  f8  c8  c16
f8   f8  f8  c16 c16
c8   c8  c16 c8  c16
c16  c16 c16 c16 c16
"""


def _parse(table):
    rows = [line.split() for line in table.strip().splitlines()]
    cols = rows[0]
    out = {}
    for row in rows[1:]:
        for col, res in zip(cols, row[1:]):
            out[(_CODES[row[0]], _CODES[col])] = _CODES[res]
            out[(_CODES[col], _CODES[row[0]])] = _CODES[res]
    return out


STANDARD = {("bool", "bool"): "bool"}
for _t in (_SIGNED, _UNSIGNED, _MIXED, _FLOATING):
    STANDARD.update(_parse(_t))

ALL = list(_CODES.values())
PAIRS = list(itertools.product(ALL, ALL))
STANDARD_PAIRS = [p for p in PAIRS if p in STANDARD]
OPEN_PAIRS = [p for p in PAIRS if p not in STANDARD]


def test_table_transcription():
    assert len(STANDARD) == 1 + 16 + 16 + 24 + 16  # 73 ordered pairs
    assert len(OPEN_PAIRS) == 169 - 73


def _dt(name):
    return getattr(xp, name)


def _kind(name):
    return np.dtype(name).kind


# ------------------------------------------------------------- result_type
@pytest.mark.parametrize("a,b", STANDARD_PAIRS, ids=[f"{a}-{b}" for a, b in STANDARD_PAIRS])
def test_result_type_standard(a, b):
    assert xp.result_type(_dt(a), _dt(b)) == _dt(STANDARD[(a, b)])
    assert xp.result_type(xp.ones(1, dtype=_dt(a)), xp.ones((), dtype=_dt(b))) == \
        _dt(STANDARD[(a, b)])


@pytest.mark.parametrize("a,b", OPEN_PAIRS, ids=[f"{a}-{b}" for a, b in OPEN_PAIRS])
def test_result_type_open_pairs_follow_numpy(a, b):
    # Note: mixed-kind promotion and int64/uint64 are left open; NumPy's rule applies
    assert xp.result_type(_dt(a), _dt(b)).name == np.promote_types(a, b).name


# --------------------------------------------- actual functions/operators
# function -> the dtype kinds it accepts ("b", "i"+"u", "f", "c")
_FUNCS = {
    "add": "iufc", "subtract": "iufc", "multiply": "iufc", "pow": "iufc",
    "maximum": "iuf", "minimum": "iuf", "floor_divide": "iuf", "remainder": "iuf",
    "bitwise_and": "biu", "bitwise_or": "biu", "bitwise_xor": "biu",
    "bitwise_left_shift": "iu", "copysign": "f", "atan2": "f", "hypot": "f",
    "logaddexp": "f", "nextafter": "f", "divide": "fc",
}


def _accepts(func, dtype):
    return _kind(dtype) in _FUNCS[func]


def _values(dtype):
    if dtype == "bool":
        return np.array([True, False, True])
    return np.array([1, 2, 3], dtype=dtype)


@pytest.mark.parametrize("func", sorted(_FUNCS))
def test_functions_follow_the_standard_table(func):
    fn = getattr(xp, func)
    for a, b in STANDARD_PAIRS:
        if not (_accepts(func, a) and _accepts(func, b)):
            continue
        out = fn(xp.asarray(_values(a)), xp.asarray(_values(b)))
        assert out.dtype == _dt(STANDARD[(a, b)]), (func, a, b, out.dtype)


@pytest.mark.parametrize("func", ["add", "multiply", "maximum", "bitwise_and", "divide"])
def test_functions_open_pairs_follow_numpy(func):
    fn = getattr(xp, func)
    npf = {"add": np.add, "multiply": np.multiply, "maximum": np.maximum,
           "bitwise_and": np.bitwise_and, "divide": np.true_divide}[func]
    for a, b in OPEN_PAIRS:
        if not (_accepts(func, a) and _accepts(func, b)):
            continue
        x1, x2 = _values(a), _values(b)
        try:
            ref = npf(x1, x2)
        except TypeError:  # NumPy has no common dtype (int64 & uint64 bitwise)
            with pytest.raises(TypeError, match=func):
                fn(xp.asarray(x1), xp.asarray(x2))
            continue
        out = fn(xp.asarray(x1), xp.asarray(x2))
        assert out.dtype.name == ref.dtype.name, (func, a, b)
        np.testing.assert_array_equal(out._array, ref)


@pytest.mark.parametrize("op", [operator.add, operator.mul, operator.sub, operator.pow])
def test_operators_follow_the_standard_table(op):
    for a, b in STANDARD_PAIRS:
        if "bool" in (a, b):
            continue
        out = op(xp.asarray(_values(a)), xp.asarray(_values(b)))
        assert out.dtype == _dt(STANDARD[(a, b)]), (op, a, b)


def test_comparisons_of_every_pair():
    """Comparisons promote (as the table) before comparing: values as NumPy's exact
    comparisons, result bool."""
    for a, b in PAIRS:
        if "bool" in (a, b) and a != b:
            continue
        x1 = np.array([1, 2, 3], dtype=a) if a != "bool" else np.array([True, False, True])
        x2 = np.array([1, 3, 2], dtype=b) if b != "bool" else np.array([True, True, False])
        for name, npf in (("equal", np.equal), ("not_equal", np.not_equal)):
            out = getattr(xp, name)(xp.asarray(x1), xp.asarray(x2))
            assert out.dtype == xp.bool
            np.testing.assert_array_equal(out._array, npf(x1, x2))
        if "c" not in _kind(a) + _kind(b) and "bool" not in (a, b):
            out = xp.less(xp.asarray(x1), xp.asarray(x2))
            np.testing.assert_array_equal(out._array, np.less(x1, x2))


def test_int64_uint64_comparison_is_exact():
    big = np.array([2**63 - 1], dtype=np.int64)
    ubig = np.array([2**63], dtype=np.uint64)
    assert not xp.equal(xp.asarray(big), xp.asarray(ubig))._array[0]
    assert xp.less(xp.asarray(big), xp.asarray(ubig))._array[0]


# ---------------------------------------------------------- Python scalars
def _scalar_result(dtype, scalar):
    """The 2024.12 rules (standard), and NumPy's weak-scalar rule where the
    standard is silent (a scalar of a higher kind than the array)."""
    k = _kind(dtype)
    if type(scalar) is bool:
        return dtype
    if type(scalar) is int:
        return "int64" if k == "b" else dtype
    if type(scalar) is float:
        return dtype if k in "fc" else "float64"
    if k == "c":
        return dtype
    return {"float32": "complex64", "float64": "complex128"}.get(dtype, "complex128")


@pytest.mark.parametrize("scalar", [True, 1, 2.5, 1.5 - 0.5j],
                         ids=["bool", "int", "float", "complex"])
def test_python_scalars(scalar):
    for dt in ALL:
        x = xp.asarray(_values(dt))
        expected = _dt(_scalar_result(dt, scalar))
        assert xp.result_type(x, scalar) == expected, (dt, scalar)
        if dt == "bool":
            continue  # add() rejects bool arrays; see test_bool_scalars_with_bool_arrays
        for out in (xp.add(x, scalar), xp.add(scalar, x), x + scalar, scalar + x,
                    xp.multiply(x, scalar), x * scalar):
            assert out.dtype == expected, (dt, scalar, out.dtype)
        ref = np.add(_values(dt), np.asarray(scalar, dtype=expected.name))
        np.testing.assert_array_equal(xp.add(x, scalar)._array, ref)


def test_bool_scalars_with_bool_arrays():
    x = xp.asarray([True, False])
    for out in (x & True, True | x, xp.logical_xor(x, True), x == False):  # noqa: E712
        assert out.dtype == xp.bool
    np.testing.assert_array_equal((x & True)._array, [True, False])


def test_complex_scalar_with_float32_gives_complex64():
    x = xp.asarray([1.0, 2.0], dtype=xp.float32)
    for out in (x + 1j, 1j * x, xp.subtract(x, 2 + 0j), xp.divide(1j, x)):
        assert out.dtype == xp.complex64


def test_scalar_keeps_small_integer_dtype():
    for dt in ("int8", "uint8", "int16", "uint16"):
        x = xp.asarray([1, 2], dtype=_dt(dt))
        for out in (x + 1, 1 + x, x * 3, x - 1, x // 2, x % 2, x ** 2, x & 1, x << 1):
            assert out.dtype == _dt(dt), (dt, out.dtype)


def test_out_of_range_integer_scalar_is_an_error():
    # the standard leaves it unspecified; NumPy (NEP 50) raises OverflowError
    with pytest.raises(OverflowError, match="add.*300"):
        xp.asarray([1], dtype=xp.int8) + 300
    with pytest.raises(OverflowError, match="multiply.*-1"):
        xp.multiply(xp.asarray([1], dtype=xp.uint8), -1)


# ------------------------------------------------------- int / int -> float64
def test_integer_true_division_gives_float64():
    ints = [d for d in ALL if _kind(d) in "iu"]
    for a, b in itertools.product(ints, ints):
        x1, x2 = xp.asarray(_values(a)), xp.asarray(_values(b))
        for out in (xp.divide(x1, x2), x1 / x2):
            assert out.dtype == xp.float64, (a, b)
            expected = _values(a).astype(float) / _values(b).astype(float)
            np.testing.assert_array_equal(out._array, expected)
    for dt in ints:
        x = xp.asarray(_values(dt))
        assert (x / 2).dtype == xp.float64
        assert (2 / x).dtype == xp.float64
        assert (x / 2.0).dtype == xp.float64


def test_float_functions_of_mixed_int_and_float():
    x = xp.asarray([1, 2], dtype=xp.int8)
    f = xp.asarray([0.5, 0.5], dtype=xp.float32)
    # Note: mixed int/float is left open by the standard; NumPy: int8 with float32 -> float32
    assert xp.divide(x, f).dtype == _dt(np.promote_types("int8", "float32").name)
    assert xp.atan2(x, x).dtype == xp.float64
    assert xp.hypot(x, 2).dtype == xp.float64


# ------------------------------------------------ the float16 extension dtype
# Every pair with float16 (outside the standard's table) is NumPy 2's, for
# result_type and for actual functions and operators; Python scalars are weak.
F16_PAIRS = [("float16", d) for d in ALL + ["float16"]] + [(d, "float16") for d in ALL]


@pytest.mark.parametrize("a,b", F16_PAIRS, ids=[f"{a}-{b}" for a, b in F16_PAIRS])
def test_float16_pairs_follow_numpy(a, b):
    expected = np.promote_types(a, b).name
    assert xp.result_type(_dt(a), _dt(b)).name == expected
    assert xp.result_type(xp.ones(1, dtype=_dt(a)), xp.ones((), dtype=_dt(b))).name == expected
    x1, x2 = _values(a), _values(b)
    for func, npf in (("add", np.add), ("multiply", np.multiply), ("equal", np.equal)):
        out = getattr(xp, func)(xp.asarray(x1), xp.asarray(x2))
        ref = npf(x1, x2)
        assert out.dtype.name == ref.dtype.name, (func, a, b)
        np.testing.assert_array_equal(out._array, ref)
    if "bool" not in (a, b) and "c" not in _kind(a) + _kind(b):
        out = xp.maximum(xp.asarray(x1), xp.asarray(x2))
        assert out.dtype.name == np.maximum(x1, x2).dtype.name
        assert (xp.asarray(x1) - xp.asarray(x2)).dtype.name == expected


def test_float16_named_pairs():
    # spelled out (NumPy 2): small integers fit float16, int16 needs float32
    f16 = xp.float16
    for other, res in ((xp.bool, f16), (xp.int8, f16), (xp.uint8, f16), (xp.int16, xp.float32),
                       (xp.uint16, xp.float32), (xp.int32, xp.float64), (xp.int64, xp.float64),
                       (xp.uint64, xp.float64), (xp.float32, xp.float32),
                       (xp.float64, xp.float64), (xp.complex64, xp.complex64),
                       (xp.complex128, xp.complex128), (f16, f16)):
        assert xp.result_type(f16, other) is res and xp.result_type(other, f16) is res
    assert xp.result_type(f16, xp.int8, xp.float32) is xp.float32


@pytest.mark.parametrize("scalar", [True, 1, 2.5, 1.5 - 0.5j],
                         ids=["bool", "int", "float", "complex"])
def test_float16_python_scalars(scalar):
    v = np.array([1, 2, 3], dtype=np.float16)
    x = xp.asarray(v)
    ref = v + scalar  # NumPy's weak scalar (NEP 50): float16, or complex64 for a complex
    assert ref.dtype.name == ("complex64" if type(scalar) is complex else "float16")
    assert xp.result_type(x, scalar).name == ref.dtype.name
    assert xp.result_type(xp.float16, scalar).name == ref.dtype.name
    for out in (x + scalar, scalar + x, xp.add(x, scalar), xp.multiply(scalar, x)):
        assert out.dtype.name == ref.dtype.name
    np.testing.assert_array_equal((x + scalar)._array, ref)


def test_float16_can_cast():
    # float16 sits below float32 in the floating-point graph; across kinds nothing
    # casts (as for the standard's dtypes), and bool casts only to bool
    for d in ALL:
        assert xp.can_cast(xp.float16, _dt(d)) is (_kind(d) in "fc"), d
        assert xp.can_cast(_dt(d), xp.float16) is False, d
    assert xp.can_cast(xp.float16, xp.float16) is True
    assert xp.can_cast(xp.ones(1, dtype=xp.float16), xp.float32) is True
    assert xp.can_cast("float16", np.float64) is True
