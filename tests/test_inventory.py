"""The namespace inventory: every name of the 2025.12 standard, per category.

The name lists are those of the spec stubs (data-apis/array-api,
``src/array_api_stubs/_2025_12/<category>.py``: the functions each stub module
defines; the linalg stub's ``__all__`` omits ``eig``/``eigvals``, which the
module defines and the standard added in 2025.12). A category whose private
module does not exist yet is skipped, with the reason.
"""
import importlib
import importlib.util

import pytest

import minitensor as xp

# category -> (private module implementing it, the standard's names)
SPEC_2025_12 = {
    "constants": ("_constants", ["e", "inf", "nan", "newaxis", "pi"]),
    "data types": ("_dtypes", [
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float32", "float64", "complex64", "complex128"]),
    "creation functions": ("_creation_functions", [
        "arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full", "full_like",
        "linspace", "meshgrid", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like"]),
    "data type functions": ("_data_type_functions", [
        "astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type"]),
    "elementwise functions": ("_elementwise_functions", [
        "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh",
        "bitwise_and", "bitwise_left_shift", "bitwise_invert", "bitwise_or",
        "bitwise_right_shift", "bitwise_xor", "ceil", "clip", "conj", "copysign", "cos",
        "cosh", "divide", "equal", "exp", "expm1", "floor", "floor_divide", "greater",
        "greater_equal", "hypot", "imag", "isfinite", "isinf", "isnan", "less", "less_equal",
        "log", "log1p", "log2", "log10", "logaddexp", "logical_and", "logical_not",
        "logical_or", "logical_xor", "maximum", "minimum", "multiply", "negative",
        "nextafter", "not_equal", "positive", "pow", "real", "reciprocal", "remainder",
        "round", "sign", "signbit", "sin", "sinh", "square", "sqrt", "subtract", "tan",
        "tanh", "trunc"]),
    "indexing functions": ("_indexing_functions", ["take", "take_along_axis"]),
    "inspection": ("_info", ["__array_namespace_info__"]),
    "linear algebra functions": ("_linear_algebra_functions", [
        "matmul", "matrix_transpose", "tensordot", "vecdot"]),
    "manipulation functions": ("_manipulation_functions", [
        "broadcast_arrays", "broadcast_shapes", "broadcast_to", "concat", "expand_dims",
        "flip", "moveaxis", "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack",
        "tile", "unstack"]),
    "searching functions": ("_searching_functions", [
        "argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where"]),
    "set functions": ("_set_functions", [
        "isin", "unique_all", "unique_counts", "unique_inverse", "unique_values"]),
    "sorting functions": ("_sorting_functions", ["argsort", "sort"]),
    "statistical functions": ("_statistical_functions", [
        "cumulative_prod", "cumulative_sum", "max", "mean", "min", "prod", "std", "sum",
        "var"]),
    "utility functions": ("_utility_functions", ["all", "any", "diff"]),
}

# the extensions: names inside the submodule
EXTENSIONS_2025_12 = {
    "linalg": [
        "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "eig", "eigvals", "inv",
        "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer",
        "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "trace", "vecdot",
        "vector_norm"],
    "fft": [
        "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft",
        "fftfreq", "rfftfreq", "fftshift", "ifftshift"],
}

# the methods and attributes of the array object (array_object stub)
ARRAY_ATTRIBUTES_2025_12 = [
    "dtype", "device", "mT", "ndim", "shape", "size", "T",
    "__abs__", "__add__", "__and__", "__array_namespace__", "__bool__", "__complex__",
    "__dlpack__", "__dlpack_device__", "__eq__", "__float__", "__floordiv__", "__ge__",
    "__getitem__", "__gt__", "__index__", "__int__", "__invert__", "__le__", "__lshift__",
    "__lt__", "__matmul__", "__mod__", "__mul__", "__ne__", "__neg__", "__or__", "__pos__",
    "__pow__", "__rshift__", "__setitem__", "__sub__", "__truediv__", "__xor__", "to_device",
]

# public names in dir(minitensor) that are deliberately not in __all__: the
# version string, the lazily imported autograd layer and NumPy-style extras
# (minitensor/__init__.py)
KNOWN_EXTRAS = {"diag", "autograd", "tensor", "no_grad", "enable_grad", "set_grad_enabled",
                "is_grad_enabled", "examples", "nn", "optim", "utils", "torch", "special"}
KNOWN_EXTRAS |= {"distributed", "dask"}   # minitensor.distributed (MPI), minitensor.dask: once imported

# dtypes beyond the standard's 13: exported (in __all__) but not listed by
# __array_namespace_info__().dtypes() (minitensor/_info.py)
KNOWN_EXTRA_DTYPES = {"float16"}


def _module_exists(name):
    return importlib.util.find_spec(f"minitensor.{name}") is not None


@pytest.mark.parametrize("category", sorted(SPEC_2025_12))
def test_category_names_in_namespace(category):
    module, names = SPEC_2025_12[category]
    if not _module_exists(module):
        pytest.skip(f"{category}: minitensor/{module}.py does not exist yet")
    missing_all = [n for n in names if n not in xp.__all__]
    missing_attr = [n for n in names if not hasattr(xp, n)]
    assert not missing_all, f"{category}: not in minitensor.__all__: {missing_all}"
    assert not missing_attr, f"{category}: not attributes of minitensor: {missing_attr}"
    # the names come from (are re-exported by) the category's module
    mod = importlib.import_module(f"minitensor.{module}")
    for n in names:
        assert getattr(mod, n) is getattr(xp, n), f"xp.{n} is not minitensor.{module}.{n}"


@pytest.mark.parametrize("ext", sorted(EXTENSIONS_2025_12))
def test_extension_names(ext):
    if not _module_exists(ext):
        pytest.skip(f"the {ext} extension (minitensor/{ext}.py) does not exist yet")
    assert ext in xp.__all__
    mod = getattr(xp, ext)
    missing = [n for n in EXTENSIONS_2025_12[ext] if not callable(getattr(mod, n, None))]
    assert not missing, f"minitensor.{ext} lacks {missing}"
    if hasattr(mod, "__all__"):
        assert sorted(set(mod.__all__)) == sorted(mod.__all__), f"duplicates in {ext}.__all__"
        assert not [n for n in mod.__all__ if not hasattr(mod, n)]


def test_version_and_info():
    assert xp.__array_api_version__ == "2025.12"
    assert "__array_api_version__" in xp.__all__
    assert "__array_namespace_info__" in xp.__all__


def test_array_object_attributes():
    x = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
    missing = [n for n in ARRAY_ATTRIBUTES_2025_12 if not hasattr(x, n)]
    assert not missing, f"the array object lacks {missing}"
    # the standard's reflected and in-place operator forms
    for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and",
               "or", "xor", "lshift", "rshift"):
        assert hasattr(x, f"__r{op}__") and hasattr(x, f"__i{op}__"), op


def test_all_names_exist_and_are_unique():
    dup = sorted({n for n in xp.__all__ if xp.__all__.count(n) > 1})
    assert not dup, f"duplicates in minitensor.__all__: {dup}"
    absent = [n for n in xp.__all__ if not hasattr(xp, n)]
    assert not absent, f"in __all__ but not in the namespace: {absent}"


def test_public_dir_names_are_in_all():
    public = {n for n in dir(xp) if not n.startswith("_")}
    extra = sorted(public - set(xp.__all__) - KNOWN_EXTRAS)
    assert not extra, f"public names of minitensor missing from __all__: {extra}"


def test_star_import_matches_all():
    ns = {}
    exec("from minitensor import *", ns)
    ns.pop("__builtins__")
    assert set(ns) == set(xp.__all__)


def test_extra_dtypes():
    standard = set(SPEC_2025_12["data types"][1])
    dtypes = {n for n in xp.__all__ if isinstance(getattr(xp, n), type(xp.float64))}
    assert dtypes - standard == KNOWN_EXTRA_DTYPES
    assert standard <= dtypes
    info = xp.__array_namespace_info__()
    assert set(info.dtypes()) == standard
    for kind in ("real floating", "numeric", ("real floating", "complex floating")):
        assert not KNOWN_EXTRA_DTYPES & set(info.dtypes(kind=kind))
