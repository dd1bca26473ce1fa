"""minitensor: a small Array API namespace with Pythran/OpenMP kernels.

The top-level module is a namespace that follows the Python Array API standard
(https://data-apis.org/array-api/): ``import minitensor as xp``.

Examples
--------
>>> import minitensor as xp
>>> x = xp.linspace(0.0, 1.0, 5)
>>> float(xp.sum(x * x))
1.875
>>> x.__array_namespace__() is xp
True
"""
__version__ = "0.1.0"

import os as _os

# NumPy's OpenBLAS keeps its idle threads spinning for 2**28 cycles (~0.1 s) after
# each matrix product; between products they hold the cores the kernels' OpenMP
# threads need (a CNN step on 2 threads: 14 ms/step of an OpenBLAS worker's CPU,
# 4-5 ms with the timeout below). 2**14 cycles (a few us), unless the user chose;
# read when OpenBLAS loads (so it does nothing if NumPy was imported first).
_os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "14")
del _os

# Note: the newest standard version implemented; __array_namespace__ also
# accepts older versions (see _array_object.SUPPORTED_API_VERSIONS).
__array_api_version__ = "2025.12"

# ---------------------------------------------------------------- array object
from ._array_object import Device, Tensor

# ------------------------------------------------------------------- constants
from ._constants import e, inf, nan, newaxis, pi

# ---------------------------------------------------------------------- dtypes
from ._dtypes import (
    bool, complex64, complex128, float32, float64, int8, int16, int32, int64,
    uint8, uint16, uint32, uint64,
)
# Note: not one of the standard's 13 dtypes: NumPy's half precision, an extension
# (not listed by __array_namespace_info__().dtypes(); see docs/guide/dtypes.rst).
from ._dtypes import float16

# ---------------------------------------------------------- creation functions
from ._creation_functions import (
    arange, asarray, empty, empty_like, eye, from_dlpack, full, full_like, linspace,
    meshgrid, ones, ones_like, tril, triu, zeros, zeros_like,
)

# --------------------------------------------------------- data type functions
from ._data_type_functions import astype, can_cast, finfo, iinfo, isdtype, result_type

# ------------------------------------------------------- elementwise functions
from ._elementwise_functions import (
    abs, acos, acosh, add, asin, asinh, atan, atan2, atanh, bitwise_and, bitwise_invert,
    bitwise_left_shift, bitwise_or, bitwise_right_shift, bitwise_xor, ceil, clip, conj,
    copysign, cos, cosh, divide, equal, exp, expm1, floor, floor_divide, greater,
    greater_equal, hypot, imag, isfinite, isinf, isnan, less, less_equal, log, log1p, log2,
    log10, logaddexp, logical_and, logical_not, logical_or, logical_xor, maximum, minimum,
    multiply, negative, nextafter, not_equal, positive, pow, real, reciprocal, remainder,
    round, sign, signbit, sin, sinh, sqrt, square, subtract, tan, tanh, trunc,
)

# ---------------------------------------------------------- indexing functions
from ._indexing_functions import take, take_along_axis

# ---------------------------------------------------- linear algebra functions
from ._linear_algebra_functions import matmul, matrix_transpose, tensordot, vecdot

# ------------------------------------------------------ manipulation functions
from ._manipulation_functions import (
    broadcast_arrays, broadcast_shapes, broadcast_to, concat, expand_dims, flip, moveaxis,
    permute_dims, repeat, reshape, roll, squeeze, stack, tile, unstack,
)

# --------------------------------------------------------- searching functions
from ._searching_functions import (
    argmax, argmin, count_nonzero, nonzero, searchsorted, where,
)

# --------------------------------------------------------------- set functions
from ._set_functions import isin, unique_all, unique_counts, unique_inverse, unique_values

# ----------------------------------------------------------- sorting functions
from ._sorting_functions import argsort, sort

# ------------------------------------------------------- statistical functions
from ._statistical_functions import (
    cumulative_prod, cumulative_sum, max, mean, min, prod, std, sum, var,
)

# --------------------------------------------------------- utility functions
from ._utility_functions import all, any, diff

# ------------------------------------------------------- inspection (info) API
from ._info import __array_namespace_info__

# ------------------------------------------------------------------ extensions
from . import fft, linalg
from . import _special_functions  # noqa: F401  (erf, erfc: Tensor methods, the PyTorch face)
# an extra, not in __all__: the special functions SciPy looks for as xp.special
from . import special  # noqa: E402

__all__ = [
    "__array_api_version__", "__array_namespace_info__",
    # array object
    "Device", "Tensor",
    # constants
    "e", "inf", "nan", "newaxis", "pi",
    # dtypes
    "bool", "complex64", "complex128", "float32", "float64", "int8", "int16", "int32",
    "int64", "uint8", "uint16", "uint32", "uint64",
    "float16",  # the extension dtype
    # creation functions
    "arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full", "full_like",
    "linspace", "meshgrid", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like",
    # data type functions
    "astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type",
    # elementwise functions
    "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and",
    "bitwise_invert", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "ceil", "clip", "conj", "copysign", "cos", "cosh", "divide", "equal",
    "exp", "expm1", "floor", "floor_divide", "greater", "greater_equal", "hypot", "imag",
    "isfinite", "isinf", "isnan", "less", "less_equal", "log", "log1p", "log2", "log10",
    "logaddexp", "logical_and", "logical_not", "logical_or", "logical_xor", "maximum",
    "minimum", "multiply", "negative", "nextafter", "not_equal", "positive", "pow", "real",
    "reciprocal", "remainder", "round", "sign", "signbit", "sin", "sinh", "sqrt", "square",
    "subtract", "tan", "tanh", "trunc",
    # indexing functions
    "take", "take_along_axis",
    # linear algebra functions
    "matmul", "matrix_transpose", "tensordot", "vecdot",
    # manipulation functions
    "broadcast_arrays", "broadcast_shapes", "broadcast_to", "concat", "expand_dims", "flip",
    "moveaxis", "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack", "tile",
    "unstack",
    # searching functions
    "argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where",
    # set functions
    "isin", "unique_all", "unique_counts", "unique_inverse", "unique_values",
    # sorting functions
    "argsort", "sort",
    # statistical functions
    "cumulative_prod", "cumulative_sum", "max", "mean", "min", "prod", "std", "sum", "var",
    # utility functions
    "all", "any", "diff",
    # extensions
    "fft", "linalg",
    # not in the standard: kernel threads, random seed, persistence
    "get_num_threads", "set_num_threads", "initial_seed", "manual_seed", "seed", "load", "save",
]

# ------------------------------------------------ autograd (the optional layer)
# Note: not part of the Array API standard. ``import minitensor`` loads only the
# cheap hook; the autograd package is imported on first use of these names
# (PEP 562 module __getattr__), e.g. ``minitensor.tensor(..., requires_grad=True)``.

# ------------------------------------------------------ kernel threads (OpenMP)
# Note: not part of the Array API standard. MINITENSOR_NUM_THREADS sets the default.
from ._kernels import get_num_threads, set_num_threads  # noqa: E402

# ------------------------------------------------ random seed (PyTorch's names)
# Note: not part of the Array API standard. One global NumPy Generator feeds
# nn.init, dropout and data shuffling (minitensor/_random.py).
from ._random import initial_seed, manual_seed, seed  # noqa: E402

# --------------------------------------------- serialization (PyTorch's names)
# Note: not part of the Array API standard. A pickle-free .npz format with a JSON
# structure entry; atomic writes (minitensor/_serialization.py).
from ._serialization import load, save  # noqa: E402

# --------------------------------------------------------- NumPy-style extras
# Note: not part of the Array API standard; SciPy calls it on its generic paths
# (see docs/interop.md).
from ._creation_functions import diag  # noqa: E402

_LAZY_AUTOGRAD = ("autograd", "tensor", "no_grad", "enable_grad", "set_grad_enabled",
                  "is_grad_enabled")


def __getattr__(name):
    if name in _LAZY_AUTOGRAD:
        import importlib
        autograd = importlib.import_module(".autograd", __name__)
        return autograd if name == "autograd" else getattr(autograd, name)
    if name in ("nn", "optim", "utils"):  # subpackages that import the autograd layer
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'minitensor' has no attribute {name!r}")
