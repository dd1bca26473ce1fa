"""Data type objects, dtype categories and type promotion.

The 13 dtypes of the Array API standard are :class:`DType` singletons that wrap a
native-byte-order ``numpy.dtype``. Type promotion follows the standard's table
exactly; for the pairs the standard leaves undefined (mixed kinds, e.g. int64
with float32, or int64 with uint64) we do what NumPy does (see ``# Note:``).

``float16`` is an extension (NumPy has it and SciPy tests it): a fourteenth
dtype, of kind "real floating", promoted exactly as NumPy 2 promotes it. It is
not listed by ``__array_namespace_info__().dtypes()`` (see minitensor/_info.py).
"""
import builtins
import warnings

import numpy as np

__all__ = [
    "DType",
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128", "float16",
]


class DType:
    """A data type of minitensor arrays (hashable, compares by identity of kind and size).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.asarray([1, 2]).dtype
    minitensor.int64
    >>> xp.float32 == xp.float32, xp.float32 == xp.float64
    (True, False)
    """

    __slots__ = ("_np_dtype", "name")

    def __init__(self, name):
        self._np_dtype = np.dtype(name)
        self.name = name

    def __repr__(self):
        return f"minitensor.{self.name}"

    __str__ = __repr__

    def __eq__(self, other):
        if isinstance(other, DType):
            return self._np_dtype == other._np_dtype
        # Note: a NumPy dtype or scalar type (or Python's bool, int, float, complex)
        # compares as NumPy compares it with ``np.dtype``: Dask and xarray test the
        # dtype of a chunk with ``dtype == bool`` or ``dtype == np.float64``.
        if isinstance(other, np.dtype) or (
                isinstance(other, type) and (issubclass(other, np.generic) or other in (
                    builtins.bool, builtins.int, builtins.float, builtins.complex))):
            try:
                return self._np_dtype == np.dtype(other)
            except TypeError:
                return False
        return NotImplemented

    def __hash__(self):
        return hash(self._np_dtype)

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    @property
    def dtype(self):
        # Note: lets NumPy read our dtypes, e.g. ``np.empty(3, dtype=xp.float32)``
        # and ``np.asarray(x, dtype=x.dtype)``, as it does for torch.dtype users.
        return self._np_dtype

    @property
    def itemsize(self):
        """Size of one element in bytes."""
        return self._np_dtype.itemsize

    # NumPy's dtype attributes, which Dask, xarray and other users of NumPy's
    # protocols read from a chunk's dtype (``dtype.kind in "iu"``, ``meta.dtype.type``,
    # ``dtype == bool``); ``np.dtype(d)`` is the NumPy dtype itself.
    @property
    def kind(self):
        """NumPy's one-letter kind code: ``'b'`` bool, ``'i'`` signed integer, ``'u'``
        unsigned integer, ``'f'`` real floating, ``'c'`` complex floating (for the
        standard's kind names use ``minitensor.isdtype``)."""
        return self._np_dtype.kind

    @property
    def type(self):
        """The NumPy scalar type (``numpy.float64`` for ``float64``), as NumPy's
        ``dtype.type``.

        Examples
        --------
        >>> import minitensor as xp
        >>> xp.float32.type, xp.float32.char, xp.float32.str, xp.float32.itemsize
        (<class 'numpy.float32'>, 'f', '<f4', 4)
        """
        return self._np_dtype.type

    @property
    def char(self):
        """NumPy's one-character type code (``'d'`` for ``float64``)."""
        return self._np_dtype.char

    @property
    def str(self):
        """NumPy's array-protocol type string (``'<f8'`` for ``float64``)."""
        return self._np_dtype.str

    @property
    def num(self):
        """NumPy's type number."""
        return self._np_dtype.num

    @property
    def byteorder(self):
        """NumPy's byte-order character (``'='`` or ``'|'``: native)."""
        return self._np_dtype.byteorder


_KIND_NAME = {"b": "bool", "i": "signed integer", "u": "unsigned integer",
              "f": "real floating", "c": "complex floating"}

bool = DType("bool")
int8 = DType("int8")
int16 = DType("int16")
int32 = DType("int32")
int64 = DType("int64")
uint8 = DType("uint8")
uint16 = DType("uint16")
uint32 = DType("uint32")
uint64 = DType("uint64")
float32 = DType("float32")
float64 = DType("float64")
complex64 = DType("complex64")
complex128 = DType("complex128")
# Note: not one of the standard's 13 dtypes; an extension (NumPy's half precision).
float16 = DType("float16")

# the standard's 13 dtypes (what __array_namespace_info__().dtypes() lists)
_standard_dtypes = (bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
                    float32, float64, complex64, complex128)
# every dtype minitensor arrays can have: the 13 and the float16 extension
_all_dtypes = (bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
               float16, float32, float64, complex64, complex128)
_extension_dtypes = (float16,)
_boolean_dtypes = (bool,)
_signed_integer_dtypes = (int8, int16, int32, int64)
_unsigned_integer_dtypes = (uint8, uint16, uint32, uint64)
_integer_dtypes = _signed_integer_dtypes + _unsigned_integer_dtypes
_real_floating_dtypes = (float16, float32, float64)
_complex_floating_dtypes = (complex64, complex128)
_floating_dtypes = _real_floating_dtypes + _complex_floating_dtypes
_real_numeric_dtypes = _integer_dtypes + _real_floating_dtypes
_numeric_dtypes = _real_numeric_dtypes + _complex_floating_dtypes
_integer_or_boolean_dtypes = _boolean_dtypes + _integer_dtypes

# The dtype categories of the standard, by the names the elementwise tables use.
_dtype_categories = {
    "all": _all_dtypes,
    "boolean": _boolean_dtypes,
    "integer": _integer_dtypes,
    "integer or boolean": _integer_or_boolean_dtypes,
    "real numeric": _real_numeric_dtypes,
    "numeric": _numeric_dtypes,
    "real floating-point": _real_floating_dtypes,
    "complex floating-point": _complex_floating_dtypes,
    "floating-point": _floating_dtypes,
}

# The kind names of ``isdtype`` and ``__array_namespace_info__().dtypes(kind=)``
_KIND_DTYPES = {
    "bool": _boolean_dtypes,
    "signed integer": _signed_integer_dtypes,
    "unsigned integer": _unsigned_integer_dtypes,
    "integral": _integer_dtypes,
    "real floating": _real_floating_dtypes,
    "complex floating": _complex_floating_dtypes,
    "numeric": _numeric_dtypes,
}

_BY_NAME = {d.name: d for d in _all_dtypes}
_STANDARD_BY_NAME = {d.name: d for d in _standard_dtypes}
# numpy.dtype -> DType; the hot path of ``Tensor.dtype``
_FROM_NP = {d._np_dtype: d for d in _all_dtypes}


def _dtype_by_name(name):
    return _BY_NAME[name]


def _np(dtype):
    """Return the numpy.dtype of a minitensor DType (TypeError for anything else)."""
    if isinstance(dtype, DType):
        return dtype._np_dtype
    raise TypeError(f"expected a minitensor dtype (e.g. minitensor.float64), got {dtype!r}")


def _as_dtype(dtype, *, what="dtype"):
    """Normalise a user-given dtype: a minitensor DType, or (NumPy-style conveniences)
    a NumPy dtype / scalar type / name of one of the 13 standard dtypes or float16."""
    if isinstance(dtype, DType):
        return dtype
    # Note: NumPy dtypes and names ("float32", np.float32) are accepted too, as
    # NumPy and PyTorch users write them; anything outside the 13 dtypes and
    # float16 (e.g. longdouble, bfloat16, strings) is an error.
    if isinstance(dtype, str):
        d = _BY_NAME.get(dtype)
        if d is not None:
            return d
    if dtype is not None and not isinstance(dtype, (builtins.int, builtins.float)):
        try:
            with warnings.catch_warnings():
                # deprecated NumPy aliases (e.g. "a") are not accepted
                warnings.simplefilter("error", DeprecationWarning)
                d = _FROM_NP.get(np.dtype(dtype).newbyteorder("="))
        except (TypeError, ValueError, DeprecationWarning):
            d = None
        if d is not None:
            return d
    raise TypeError(f"{what} must be one of the 13 Array API dtypes (minitensor.bool, "
                    f"int8..int64, uint8..uint64, float32, float64, complex64, complex128) "
                    f"or the float16 extension, got {dtype!r}")


# The standard's promotion table (array-api 2024.12, "Type Promotion Rules").
_standard_promotion = {}


def _fill_standard():
    def put(a, b, r):
        _standard_promotion[(a, b)] = r
        _standard_promotion[(b, a)] = r

    put(bool, bool, bool)
    for fam in (_signed_integer_dtypes, _unsigned_integer_dtypes, (float32, float64),
                _complex_floating_dtypes):
        for i, a in enumerate(fam):
            for b in fam[i:]:
                put(a, b, b)
    # mixed signed/unsigned integers: the smallest signed type holding both
    signed_for = {uint8: int16, uint16: int32, uint32: int64}
    for u in (uint8, uint16, uint32):
        for s in _signed_integer_dtypes:
            put(u, s, s if s.itemsize > u.itemsize else signed_for[u])
    # mixed real/complex floating point
    put(float32, complex64, complex64)
    put(float32, complex128, complex128)
    put(float64, complex64, complex128)
    put(float64, complex128, complex128)


_fill_standard()

# Every pair: the standard's result where it is defined, else NumPy's.
# Note: mixed-kind promotion (bool/integer/floating/complex) and int64 with uint64
# are left open by the standard; NumPy's rules apply (int64 + float32 -> float64,
# int64 + uint64 -> float64, bool + int8 -> int8). SciPy and scikit-learn rely on it.
# Every pair with the float16 extension is NumPy 2's too: float16 + int8/uint8/bool
# -> float16, float16 + int16/uint16 -> float32, float16 + int32/int64 -> float64,
# float16 + float32 -> float32, float16 + complex64 -> complex64.
_promotion_table = {}
for _a in _all_dtypes:
    for _b in _all_dtypes:
        _r = _standard_promotion.get((_a, _b))
        if _r is None:
            _r = _FROM_NP[np.promote_types(_a._np_dtype, _b._np_dtype)]
        _promotion_table[(_a, _b)] = _r
del _a, _b, _r


def _result_type(a, b):
    """Promote two DTypes."""
    return _promotion_table[(a, b)]


_SCALAR_KIND_ORDER = {"bool": 0, "int": 1, "float": 2, "complex": 3}


def _scalar_kind(s):
    t = type(s)
    if t is float or t is int or t is complex:
        return t.__name__
    if isinstance(s, (builtins.bool, np.bool_)):
        return "bool"
    if isinstance(s, int):
        return "int"
    if isinstance(s, float):
        return "float"
    if isinstance(s, complex):
        return "complex"
    return None


def _dtype_with_scalar(dtype, scalar):
    """The result dtype of an array of ``dtype`` with a Python scalar (2024.12 rules).

    A Python ``bool``/``int``/``float``/``complex`` takes the array's dtype when it is
    of the same or a lower kind. Note: a scalar of a higher kind (``int8`` array with
    ``1.5``, ``bool`` array with ``2``) is left open by the standard; NumPy's weak
    scalar rule (NEP 50) applies: the default dtype of the scalar's kind, i.e.
    float64 / int64 / complex128 (complex64 for a float32 or float16 array with a
    complex, as NumPy).
    """
    k = _scalar_kind(scalar)
    dk = dtype._np_dtype.kind
    if k == "bool" or (k == "int" and dk != "b") or (k == "float" and dk in "fc") or k is None:
        return dtype
    if k == "complex":
        if dk == "c":
            return dtype
        return complex64 if dtype is float32 or dtype is float16 else complex128
    if k == "float":
        return float64
    return int64  # int scalar with bool array
