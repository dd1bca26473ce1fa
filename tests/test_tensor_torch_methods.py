"""PyTorch-style Tensor methods (issue 13, item 3) against PyTorch itself.

One table of calls (method name, sample inputs, arguments). Each call runs on a
minitensor tensor and on a torch tensor built from the same NumPy data; the
results must agree in values, dtypes and shapes (named tuples field by field,
Python scalars as such). For the differentiable rows the gradient of
``sum(out * w)`` with respect to every floating input, and a second-order
gradient, must match torch's. Then: in-place semantics (returns self, version
counter, leaf and saved-value errors, no_grad), ``Tensor.size`` both ways,
error types, and the random in-place methods.
"""
import math

import numpy as np
import pytest

import minitensor as xp
from minitensor import autograd

torch = pytest.importorskip("torch")

pytestmark = [pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter"),
              pytest.mark.filterwarnings("ignore:Using torch.cross without specifying the dim")]

RNG = np.random.default_rng(13)
X = RNG.standard_normal((3, 4))
XP = np.abs(X) + 0.5                      # positive (log, sqrt, rsqrt, pow)
XU = RNG.uniform(-0.9, 0.9, (3, 4))      # inside (-1, 1) (asin, acos)
X3 = RNG.standard_normal((2, 3, 4))
Y = RNG.standard_normal((3, 4))
V = RNG.standard_normal(4)
W = RNG.standard_normal(3)
I = np.array([[-7, 7, 3, 0], [5, -2, 9, 4]])
IY = np.array([[2, -3, 3, 1], [2, 5, -4, 3]])
DISTINCT = RNG.permutation(12).reshape(3, 4).astype(np.float64) + RNG.uniform(0, 0.1, (3, 4))
MASK = X > 0
IDX_G = np.array([[0, 2, 1, 0], [2, 1, 1, 0]])          # gather/scatter along dim 0 of (3, 4)
IDX_DUP = np.array([[0, 0, 1], [2, 2, 2]])               # scatter_add along dim 1: repeats
SRC = RNG.standard_normal((2, 3))


class T:
    """A tensor argument (built for both libraries from ``a``); ``grad``: differentiate
    with respect to it too (when it is floating point)."""

    def __init__(self, a, grad=True):
        self.a = np.asarray(a)
        self.grad = grad


def _case(id_, x, method, *args, diff=False, **kwargs):
    return pytest.param(x, method, args, kwargs, diff, id=id_)


CASES = [
    # sizes and memory
    _case("view_as", X, "view_as", T(np.zeros((2, 6)), False), diff=True),
    _case("expand_as", V, "expand_as", T(np.zeros((3, 4)), False), diff=True),
    _case("repeat", X, "repeat", 2, 1, 3, diff=True),
    _case("repeat_interleave", X, "repeat_interleave", 2, diff=True),
    _case("repeat_interleave-dim", X, "repeat_interleave", 3, dim=1, diff=True),
    _case("repeat_interleave-tensor", V, "repeat_interleave", T([1, 0, 2, 3]), diff=True),
    _case("is_contiguous", X, "is_contiguous"),
    _case("is_contiguous-t", X.T, "is_contiguous"),
    _case("item", X[:1, :1], "item"),
    _case("tolist", I, "tolist"),
    _case("numel", X3, "numel"),
    _case("nelement", X3, "nelement"),
    _case("dim", X3, "dim"),
    _case("ndimension", X3, "ndimension"),
    _case("element_size", X.astype(np.float32), "element_size"),
    _case("stride", X3, "stride"),
    _case("stride-dim", X3, "stride", -2),
    _case("is_floating_point", X, "is_floating_point"),
    _case("is_floating_point-int", I, "is_floating_point"),
    _case("is_complex", X, "is_complex"),
    _case("contiguous", X.T, "contiguous", diff=True),
    _case("clone", X, "clone", diff=True),
    _case("detach", X, "detach"),
    # dtypes
    _case("float", I, "float"), _case("double", X.astype(np.float32), "double", diff=True),
    _case("half", X, "half"), _case("long", X * 3, "long"), _case("int", X * 3, "int"),
    _case("short", X * 3, "short"), _case("byte", np.abs(X) * 9, "byte"),
    _case("char", X * 9, "char"), _case("bool", X, "bool"),
    _case("type", X, "type"), _case("type-int", I, "type"),
    _case("type-name", X, "type", "torch.FloatTensor"),
    _case("type_as", X, "type_as", T(I, False)),
    _case("to-tensor", I, "to", T(X.astype(np.float32), False)),
    _case("to-cpu", X, "to", "cpu", diff=True),
    _case("cpu", X, "cpu", diff=True),
    # comparisons
    _case("eq", I, "eq", T(IY)), _case("eq-scalar", I, "eq", 5), _case("ne", I, "ne", T(IY)),
    _case("lt", X, "lt", T(Y)), _case("le", X, "le", 0.0), _case("gt", X, "gt", T(Y)),
    _case("ge", I, "ge", 3), _case("equal", X, "equal", T(X)), _case("equal-no", X, "equal", T(Y)),
    _case("equal-shape", X, "equal", T(V)),
    _case("isclose", X, "isclose", T(X + 1e-9 * (Y > 0))),
    _case("allclose", X, "allclose", T(X + 1e-9)), _case("allclose-no", X, "allclose", T(Y)),
    # arithmetic
    _case("add", X, "add", T(Y), diff=True), _case("add-alpha", X, "add", T(Y), alpha=2.5, diff=True),
    _case("add-scalar", X, "add", 2.0, diff=True), _case("add-int", I, "add", T(IY), alpha=3),
    _case("sub", X, "sub", T(V), diff=True), _case("sub-alpha", X, "sub", T(Y), alpha=-0.5, diff=True),
    _case("mul", X, "mul", T(Y), diff=True), _case("mul-int", I, "mul", 3),
    _case("div", X, "div", T(XP), diff=True), _case("div-int", I, "div", T(IY)),
    _case("div-trunc", X * 5, "div", T(XP), rounding_mode="trunc", diff=True),
    _case("div-trunc-int", I, "div", T(IY), rounding_mode="trunc"),
    _case("div-floor-int", I, "div", T(IY), rounding_mode="floor"),
    _case("div-floor", X * 5, "div", 2.0, rounding_mode="floor"),
    _case("true_divide", I, "true_divide", 4),
    _case("floor_divide", I, "floor_divide", T(IY)),
    _case("remainder", X * 5, "remainder", T(XP), diff=True),
    _case("remainder-int", I, "remainder", T(IY)),
    _case("fmod", X * 5, "fmod", T(XP), diff=True), _case("fmod-neg", X * 5, "fmod", -1.5, diff=True),
    _case("fmod-int", I, "fmod", T(IY)),
    _case("pow", XP, "pow", 2.5, diff=True), _case("pow-tensor", XP, "pow", T(Y), diff=True),
    _case("pow-int", I, "pow", 2),
    _case("neg", X, "neg", diff=True), _case("negative", I, "negative"),
    _case("abs", X, "abs", diff=True), _case("abs-int", I, "abs"),
    _case("exp", X, "exp", diff=True), _case("exp-int", I, "exp"),
    _case("log", XP, "log", diff=True), _case("log1p", XP, "log1p", diff=True),
    _case("expm1", X, "expm1", diff=True), _case("sqrt", XP, "sqrt", diff=True),
    _case("sqrt-int", np.abs(I), "sqrt"), _case("rsqrt", XP, "rsqrt", diff=True),
    _case("sin", X, "sin", diff=True), _case("cos", X, "cos", diff=True),
    _case("tan", XU, "tan", diff=True), _case("tanh", X, "tanh", diff=True),
    _case("asin", XU, "asin", diff=True), _case("acos", XU, "acos", diff=True),
    _case("atan", X, "atan", diff=True), _case("sinh", X, "sinh", diff=True),
    _case("cosh", X, "cosh", diff=True), _case("log2", XP, "log2", diff=True),
    _case("log10", XP, "log10", diff=True),
    _case("sigmoid", X * 3, "sigmoid", diff=True), _case("relu", X, "relu", diff=True),
    _case("relu-int", I, "relu"), _case("sign", X, "sign", diff=True), _case("sign-int", I, "sign"),
    _case("floor", X * 3, "floor", diff=True), _case("ceil", X * 3, "ceil", diff=True),
    _case("trunc", X * 3, "trunc", diff=True), _case("floor-int", I, "floor"),
    _case("round", np.array([0.5, 1.5, 2.5, -0.5, 2.675, 1.2]), "round", diff=True),
    _case("round-decimals", X * 10, "round", decimals=2, diff=True),
    _case("round-int", I, "round"),
    _case("reciprocal", XP, "reciprocal", diff=True), _case("reciprocal-int", IY, "reciprocal"),
    _case("square", X, "square", diff=True), _case("square-int", I, "square"),
    _case("clamp", X, "clamp", -0.5, 0.5, diff=True),
    _case("clamp-min", X, "clamp", min=0.1, diff=True),
    _case("clamp-tensors", X, "clamp", T(-XP), T(XP * 0.5), diff=True),
    _case("clip", X, "clip", max=0.2, diff=True),
    _case("maximum", X, "maximum", T(Y), diff=True), _case("minimum", X, "minimum", T(Y), diff=True),
    _case("max-other", X, "max", T(Y), diff=True),
    _case("where", X, "where", T(MASK), T(Y), diff=True),
    _case("where-scalar", X, "where", T(MASK), 0.0, diff=True),
    _case("lerp", X, "lerp", T(Y), 0.3, diff=True),
    _case("lerp-tensor-weight", X, "lerp", T(Y), T(XU), diff=True),
    _case("addcmul", X, "addcmul", T(Y), T(XU), value=0.5, diff=True),
    _case("addcdiv", X, "addcdiv", T(Y), T(XP), value=-2.0, diff=True),
    # softmax, norms, reductions, scans
    _case("softmax", X, "softmax", 1, diff=True), _case("softmax-0", X3, "softmax", 0, diff=True),
    _case("softmax-big", X * 1000, "softmax", -1, diff=True),
    _case("log_softmax", X, "log_softmax", -1, diff=True),
    _case("log_softmax-dtype", X.astype(np.float32), "log_softmax", 0, dtype=torch.float64),
    _case("logsumexp", X, "logsumexp", 1, diff=True),
    _case("logsumexp-keep", X3 * 800, "logsumexp", (0, 2), keepdim=True, diff=True),
    _case("logsumexp-int", I, "logsumexp", 0),
    _case("norm", X, "norm", diff=True), _case("norm-1", X, "norm", 1, 1, diff=True),
    _case("norm-3", X3, "norm", 3, (0, 2), keepdim=True, diff=True),
    _case("norm-inf", X, "norm", math.inf, 0),
    _case("norm-fro-dims", X3, "norm", "fro", (1, 2), diff=True),
    _case("sum", X3, "sum", (0, 2), keepdim=True, diff=True), _case("sum-int", I, "sum", 1),
    _case("sum-bool", MASK, "sum"),
    _case("mean", X, "mean", 1, diff=True), _case("prod", XP, "prod", 0, diff=True),
    _case("std", X, "std", 1, diff=True), _case("std-unbiased-false", X, "std", unbiased=False,
                                                 diff=True),
    _case("var", X3, "var", (0, 1), correction=0, keepdim=True, diff=True),
    _case("cumsum", X, "cumsum", 1, diff=True), _case("cumsum-int", I, "cumsum", 0),
    _case("cumsum-int32", I.astype(np.int32), "cumsum", 1),
    _case("cumsum-bool", MASK, "cumsum", 1),
    _case("cumprod", XP, "cumprod", 0, diff=True), _case("cumprod-int", I, "cumprod", 1),
    _case("amax", DISTINCT, "amax", 1, diff=True), _case("amin", DISTINCT, "amin", diff=True),
    _case("argmax", X, "argmax"), _case("argmax-dim", X, "argmax", 1, keepdim=True),
    _case("argmin-dim", X, "argmin", 0),
    _case("max", X, "max", diff=True), _case("max-dim", X, "max", 1, diff=True),
    _case("min-dim-keepdim", X3, "min", 0, keepdim=True, diff=True),
    _case("all", MASK, "all"), _case("all-dim", MASK, "all", 1), _case("any-dim", MASK, "any", 0),
    _case("any-float", X, "any"),
    # sorting and selection
    _case("sort", X, "sort", diff=True), _case("sort-desc", X, "sort", 0, descending=True, diff=True),
    _case("sort-int-stable", np.array([3, 1, 3, 1, 2]), "sort", stable=True),
    _case("argsort", X, "argsort", 0), _case("argsort-desc", X, "argsort", descending=True),
    _case("topk", X, "topk", 2, diff=True), _case("topk-dim0-smallest", X, "topk", 2, 0, False,
                                                  diff=True),
    _case("topk-k0", X, "topk", 0),
    _case("kthvalue", DISTINCT, "kthvalue", 2, diff=True),
    _case("kthvalue-keep", DISTINCT, "kthvalue", 3, 0, True, diff=True),
    _case("median", DISTINCT, "median", diff=True), _case("median-dim", DISTINCT, "median", 1,
                                                           diff=True),
    _case("median-even", DISTINCT[:, :4], "median", 1, keepdim=True, diff=True),
    _case("median-nan", np.array([[1.0, np.nan, 0.0, np.nan], [3.0, 1.0, 2.0, 0.0]]), "median",
          1),
    _case("median-nan-all", np.array([1.0, np.nan, 0.0]), "median"),
    _case("chunk-empty", np.zeros((0, 2)), "chunk", 3),
    # splitting
    _case("split", X, "split", 2, 1, diff=True), _case("split-sizes", X3, "split", [1, 3], 2,
                                                       diff=True),
    _case("chunk", X, "chunk", 3, 1, diff=True), _case("chunk-uneven", np.arange(5.0), "chunk", 2,
                                                       diff=True),
    _case("unbind", X, "unbind", 1, diff=True),
    _case("narrow", X, "narrow", 1, 1, 2, diff=True), _case("narrow-neg", X, "narrow", 0, -2, 2,
                                                            diff=True),
    _case("flatten", X3, "flatten", 1, diff=True), _case("unflatten", X3, "unflatten", 2, (2, -1),
                                                         diff=True),
    _case("squeeze", X3[:, :1], "squeeze", 1, diff=True), _case("unsqueeze", X, "unsqueeze", -1,
                                                                diff=True),
    _case("transpose", X3, "transpose", 0, 2, diff=True), _case("permute", X3, "permute", 2, 0, 1,
                                                                diff=True),
    _case("t", X, "t", diff=True), _case("view", X, "view", 4, 3, diff=True),
    _case("reshape", X, "reshape", -1, diff=True), _case("expand", V, "expand", 2, -1, diff=True),
    # reordering and matrices
    _case("flip", X, "flip", 0, diff=True), _case("flip-dims", X3, "flip", (0, 2), diff=True),
    _case("roll", X, "roll", 1, diff=True), _case("roll-dims", X, "roll", (1, -1), (0, 1),
                                                  diff=True),
    _case("tril", X, "tril", diff=True), _case("triu", X, "triu", 1, diff=True),
    _case("tril-neg", X, "tril", -1, diff=True),
    _case("diag", V, "diag", diff=True), _case("diag-2d", X, "diag", 1, diff=True),
    _case("mm", X, "mm", T(Y.T), diff=True), _case("bmm", X3, "bmm", T(np.swapaxes(X3, 1, 2)),
                                                   diff=True),
    _case("matmul", X3, "matmul", T(V), diff=True), _case("dot", V, "dot", T(V[::-1]), diff=True),
    _case("outer", V, "outer", T(W), diff=True),
    _case("addmm", V[:3], "addmm", T(Y), T(X.T), beta=0.5, alpha=2.0, diff=True),
    _case("addmm-beta0", np.full((3, 3), np.nan), "addmm", T(Y), T(X.T), beta=0),
    _case("clamp_min", X, "clamp_min", 0.1, diff=True),
    _case("clamp_max", X, "clamp_max", T(Y), diff=True),
    # indexing and scatter
    _case("masked_fill", X, "masked_fill", T(MASK), -1.0, diff=True),
    _case("masked_fill-bcast", X, "masked_fill", T(MASK[0]), 2.0, diff=True),
    _case("masked_fill-tensor", X, "masked_fill", T(MASK), T(np.array(0.5)), diff=True),
    _case("masked_fill-int", I, "masked_fill", T(I > 0), 1.7),
    _case("masked_select", X, "masked_select", T(MASK), diff=True),
    _case("masked_select-bcast", X, "masked_select", T(MASK[1]), diff=True),
    _case("nonzero", I, "nonzero"), _case("nonzero-tuple", I, "nonzero", as_tuple=True),
    _case("index_select", X, "index_select", 1, T([3, 0, 3]), diff=True),
    _case("index_select-0", X, "index_select", 0, T([2]), diff=True),
    _case("gather", X, "gather", 0, T(IDX_G), diff=True),
    _case("gather-smaller", X, "gather", 1, T(IDX_DUP), diff=True),
    _case("scatter", X, "scatter", 0, T(IDX_G[:, :3] * 0 + [[0, 1, 2], [1, 2, 0]]), T(SRC),
          diff=True),
    _case("scatter-value", X, "scatter", 1, T(IDX_DUP), 9.0, diff=True),
    _case("scatter-add-reduce", X, "scatter", 1, T(IDX_DUP), T(SRC), reduce="add"),
    _case("scatter_add", X, "scatter_add", 1, T(IDX_DUP), T(SRC), diff=True),
    _case("scatter_add-dim0", X, "scatter_add", 0, T(IDX_G), T(Y[:2]), diff=True),
    _case("index_add", X, "index_add", 0, T([2, 0, 2]), T(Y), diff=True),
    _case("index_add-alpha", X, "index_add", 1, T([1, 1]), T(Y[:, :2]), alpha=-2.0, diff=True),
    _case("index_copy", X, "index_copy", 1, T([3, 0]), T(Y[:, :2]), diff=True),
    # more of PyTorch's
    _case("mv", X, "mv", T(V), diff=True), _case("trace", X, "trace", diff=True),
    _case("trace-int", I, "trace"), _case("trace-int32", I.astype(np.int32), "trace"),
    _case("kron", X[:2, :3], "kron", T(Y[:2, :2]), diff=True),
    _case("kron-ndim", V, "kron", T(X3[:, :2, :2]), diff=True),
    _case("swapaxes", X3, "swapaxes", 0, 2, diff=True), _case("swapdims", X3, "swapdims", 1, -1),
    _case("movedim", X3, "movedim", 0, -1, diff=True),
    _case("movedim-tuple", X3, "moveaxis", (0, 1), (2, 0), diff=True),
    _case("take", X, "take", T([[0, 11], [5, -1]]), diff=True),
    _case("take_along_dim", X, "take_along_dim", T(np.argsort(X, 1)), 1, diff=True),
    _case("take_along_dim-flat", X, "take_along_dim", T([3, 0])),
    _case("logical_not", I, "logical_not"), _case("logical_and", I, "logical_and", T(IY)),
    _case("logical_or", X, "logical_or", T(MASK)), _case("logical_xor", MASK, "logical_xor",
                                                          T(I[:1, :4].repeat(3, 0)[:3])),
    _case("nan_to_num", np.array([np.nan, np.inf, -np.inf, 1.5]), "nan_to_num", diff=True),
    _case("nan_to_num-args", np.array([np.nan, np.inf, -np.inf, 1.5]), "nan_to_num", 1.0, 2.0,
          -3.0),
    _case("frac", X * 3, "frac", diff=True), _case("exp2", X, "exp2", diff=True),
    _case("argwhere", I, "argwhere"), _case("count_nonzero", I, "count_nonzero", 1),
    _case("count_nonzero-all", X, "count_nonzero"),
    _case("diff", X, "diff", diff=True), _case("diff-2", X, "diff", 2, 0, diff=True),
    _case("inverse", X[:3, :3] + 3 * np.eye(3), "inverse", diff=True),
    _case("det", X[:3, :3], "det", diff=True),
    _case("unfold", X, "unfold", 1, 2, 1, diff=True),
    _case("unfold-step", X3, "unfold", 2, 3, 2, diff=True),
    _case("unfold-dim0", X, "unfold", 0, 2, 1, diff=True),
    _case("unique", I, "unique"), _case("unique-all", np.array([3, 1, 3, 2, 1]), "unique",
                                        return_inverse=True, return_counts=True),
    _case("unique-2d-inverse", np.array([[3, 1], [1, 3]]), "unique", return_inverse=True),
    _case("unique-dim", np.array([[1, 2], [1, 2], [0, 1]]), "unique", dim=0,
          return_counts=True),
    _case("index_fill", X, "index_fill", 1, T([0, 2]), 5.0, diff=True),
    _case("index_fill-tensor", X, "index_fill", 0, T([1]), T(np.array(-2.0)), diff=True),
    _case("cross", X3[:, :, :3], "cross", T(X3[:, :, 1:]), diff=True),
    _case("cross-dim", X3[:, :, :3], "cross", T(X3[:, :, 1:]), 2, diff=True),
    _case("nansum", np.where(MASK, X, np.nan), "nansum", 1, diff=True),
    _case("nanmean", np.where(MASK, X, np.nan), "nanmean", 0, diff=True),
    _case("nanmean-all", np.where(MASK, X, np.nan), "nanmean", diff=True),
    # new tensors
    _case("new_zeros", X.astype(np.float32), "new_zeros", 2, 3),
    _case("new_ones", I, "new_ones", (2,)),
    _case("new_full", X, "new_full", (2, 2), 7.0),
    _case("new_tensor", X.astype(np.float32), "new_tensor", [1, 2]),
]


def _mt(v):
    if isinstance(v, T):
        return xp.asarray(v.a.copy())
    return v


def _th(v):
    if isinstance(v, T):
        return torch.from_numpy(v.a.copy())
    return v


_FLOAT_DEFAULT_DEVIATION = {"torch.float32": "float64"}


def _expected_dtype(tdt, inputs):
    """torch's dtype name as minitensor's (float32 from integer inputs is float64 here:
    minitensor's default floating dtype)."""
    name = str(tdt).replace("torch.", "")
    if name == "float32" and not any(np.asarray(a).dtype == np.float32 for a in inputs):
        return ("float32", "float64")
    return (name,)


def _compare(ours, theirs, inputs, where="result"):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, xp.Tensor), (where, type(ours))
        assert ours.shape == tuple(theirs.shape), (where, ours.shape, theirs.shape)
        assert ours.dtype.name in _expected_dtype(theirs.dtype, inputs), (where, ours.dtype,
                                                                          theirs.dtype)
        t = theirs.detach().numpy()
        np.testing.assert_allclose(np.asarray(ours._array, dtype=np.float64) if t.dtype != bool
                                   else ours._array, t, rtol=1e-6 if t.dtype == np.float32 else
                                   1e-12, atol=1e-12, err_msg=where)
    elif isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), (where, ours)
        fields = getattr(type(theirs), "_fields", None) or getattr(theirs, "_fields", None)
        if hasattr(theirs, "values") and hasattr(theirs, "indices"):
            assert ours._fields == ("values", "indices"), where
        for i, (o, t) in enumerate(zip(ours, theirs)):
            _compare(o, t, inputs, f"{where}[{i}]")
        del fields
    elif isinstance(theirs, torch.dtype):
        assert ours.name == str(theirs).replace("torch.", "")
    else:  # Python scalars, lists, strings, torch.Size
        if isinstance(theirs, torch.Size):
            theirs = tuple(theirs)
        assert type(ours) is type(theirs) or isinstance(ours, type(theirs)), (where, ours, theirs)
        if isinstance(theirs, float):
            assert ours == pytest.approx(theirs, rel=1e-12), where
        else:
            assert ours == theirs, (where, ours, theirs)


def _tensors(out):
    if isinstance(out, tuple):
        return [t for o in out for t in _tensors(o)]
    return [out] if isinstance(out, (xp.Tensor, torch.Tensor)) else []


@pytest.mark.parametrize("x, method, args, kwargs, diff", CASES)
def test_matches_torch(x, method, args, kwargs, diff):
    ours = getattr(xp.asarray(np.array(x)), method)(*[_mt(a) for a in args],
                                                    **{k: _mt(v) for k, v in kwargs.items()
                                                       if k != "dtype"},
                                                    **({"dtype": xp.float64} if "dtype" in kwargs
                                                       else {}))
    theirs = getattr(torch.from_numpy(np.array(x)), method)(*[_th(a) for a in args],
                                                            **{k: _th(v) for k, v in
                                                               kwargs.items()})
    inputs = [x] + [a.a for a in args if isinstance(a, T)]
    if method == "type" and not args:
        assert ours == theirs  # PyTorch's type names
        return
    _compare(ours, theirs, inputs)


def _grad_inputs(x, args):
    return [np.array(a, order="C") for a in [x] + [
        a.a for a in args if isinstance(a, T) and a.grad and a.a.dtype.kind == "f"]]


def _build(lib, x, method, args, kwargs):
    """(inputs that require grad, output tensors) in ``lib`` (xp or torch)."""
    if lib is torch:
        leaves = [torch.tensor(a, requires_grad=True) for a in _grad_inputs(x, args)]
    else:
        leaves = [xp.asarray(a.copy()).requires_grad_() for a in _grad_inputs(x, args)]
    it = iter(leaves[1:])
    conv = _th if lib is torch else _mt
    call_args = [next(it) if isinstance(a, T) and a.grad and a.a.dtype.kind == "f" else conv(a)
                 for a in args]
    out = getattr(leaves[0], method)(*call_args, **{k: conv(v) for k, v in kwargs.items()})
    return leaves, [o for o in _tensors(out) if (o.dtype.is_floating_point if lib is torch
                                                 else o._array.dtype.kind == "f")]


@pytest.mark.parametrize("x, method, args, kwargs, diff",
                         [c for c in CASES if c.values[4]])
def test_gradients_match_torch(x, method, args, kwargs, diff):
    x = np.array(x, dtype=np.float64)
    rng = np.random.default_rng(0)
    t_leaves, t_outs = _build(torch, x, method, args, kwargs)
    m_leaves, m_outs = _build(xp, x, method, args, kwargs)
    ws = [rng.standard_normal(tuple(o.shape)) for o in t_outs]
    t_loss = sum((o * torch.from_numpy(w)).sum() for o, w in zip(t_outs, ws))
    m_loss = sum((o * xp.asarray(w)).sum() for o, w in zip(m_outs, ws))
    t_g = torch.autograd.grad(t_loss, t_leaves, create_graph=True, allow_unused=True)
    m_g = autograd.grad(m_loss, m_leaves, create_graph=True, allow_unused=True)
    _assert_grads_equal(m_g, t_g, t_leaves, 1e-9, "grad")
    # second order: d/d(inputs) of sum(grad * v)
    vs = [rng.standard_normal(tuple(t.shape)) for t in t_leaves]
    t_h = _grad_of_dot(torch.autograd, t_g, vs, t_leaves)
    m_h = _grad_of_dot(autograd, m_g, vs, m_leaves)
    _assert_grads_equal(m_h, t_h, t_leaves, 1e-8, "second order")


def _grad_of_dot(lib, grads, vs, leaves):
    """The gradient of ``sum(grads * vs)`` (None where a gradient is constant)."""
    conv = torch.from_numpy if lib is torch.autograd else xp.asarray
    terms = [(g * conv(v)).sum() for g, v in zip(grads, vs)
             if g is not None and g.requires_grad]
    terms = [t for t in terms if t.requires_grad]
    if not terms:
        return [None] * len(leaves)
    return lib.grad(sum(terms), leaves, allow_unused=True)


def _assert_grads_equal(ours, theirs, leaves, rtol, what):
    for i, (a, b) in enumerate(zip(ours, theirs)):
        shape = tuple(leaves[i].shape)
        b = np.zeros(shape) if b is None else b.detach().numpy(force=True)
        a = np.zeros(shape) if a is None else np.asarray(a._array)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol / 10, err_msg=f"{what} {i}")


def test_gradients_match_finite_differences():
    x = xp.asarray(X.copy())
    f = {
        "softmax": lambda t: (t.softmax(1) * xp.asarray(Y)).sum(),
        "logsumexp": lambda t: t.logsumexp(0).sum(),
        "fmod": lambda t: (t.fmod(0.7) * xp.asarray(Y)).sum(),
        "scatter_add": lambda t: (t.scatter_add(1, xp.asarray(IDX_DUP), t[:2, :3] ** 2)
                                  * xp.asarray(Y)).sum(),
        "topk": lambda t: (t.topk(2, 0).values ** 2).sum(),
        "norm": lambda t: t.norm(3, 1).sum(),
    }
    for name, fn in f.items():
        assert autograd.gradcheck(fn, (x.detach().requires_grad_(),)), name
        assert autograd.gradgradcheck(fn, (x.detach().requires_grad_(),)), name


# ------------------------------------------------------------------ in place
INPLACE = [
    ("add_", (T(Y),), {"alpha": 2.0}), ("sub_", (1.5,), {}), ("mul_", (T(Y),), {}),
    ("div_", (T(XP),), {}), ("pow_", (2,), {}), ("neg_", (), {}), ("abs_", (), {}),
    ("exp_", (), {}), ("log_", (), {}), ("sqrt_", (), {}), ("sigmoid_", (), {}),
    ("tanh_", (), {}), ("relu_", (), {}), ("floor_", (), {}), ("ceil_", (), {}),
    ("trunc_", (), {}), ("round_", (), {}), ("reciprocal_", (), {}), ("square_", (), {}),
    ("zero_", (), {}), ("fill_", (2.5,), {}), ("clamp_", (-0.5, 0.5), {}),
    ("clip_", (), {"min": 0.0}), ("copy_", (T(V),), {}), ("lerp_", (T(Y), 0.25), {}),
    ("addmm_", (T(np.eye(3)), T(Y)), {"beta": 0.5, "alpha": 2.0}),
    ("addcmul_", (T(Y), T(X)), {"value": 0.5}), ("addcdiv_", (T(Y), T(XP)), {"value": 2}),
    ("masked_fill_", (T(MASK), 0.0), {}),
    ("index_add_", (0, T([2, 2, 0]), T(Y)), {"alpha": 3.0}),
    ("index_copy_", (1, T([0, 3]), T(Y[:, :2])), {}),
    ("scatter_", (1, T(IDX_DUP), T(SRC)), {}),
    ("scatter_add_", (0, T(IDX_G), T(Y)), {}),
    ("fill_diagonal_", (4.0,), {}),
    ("index_fill_", (1, T([3, 1]), -1.0), {}),
]


@pytest.mark.parametrize("method, args, kwargs", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_matches_torch_and_returns_self(method, args, kwargs):
    base = XP if method in ("log_", "sqrt_") else X
    ours = xp.asarray(base.copy())
    theirs = torch.from_numpy(base.copy())
    r = getattr(ours, method)(*[_mt(a) for a in args], **kwargs)
    getattr(theirs, method)(*[_th(a) for a in args], **kwargs)
    assert r is ours
    np.testing.assert_allclose(ours._array, theirs.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method, args, kwargs", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_autograd_rules(method, args, kwargs):
    base = XP if method in ("log_", "sqrt_") else X
    # a leaf that requires grad: error outside no_grad (as torch), allowed inside
    w = xp.asarray(base.copy()).requires_grad_()
    tw = torch.tensor(base.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(w, method)(*[_mt(a) for a in args], **kwargs)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(tw, method)(*[_th(a) for a in args], **kwargs)
    with autograd.no_grad():
        assert getattr(w, method)(*[_mt(a) for a in args], **kwargs) is w
    assert w.requires_grad and w.is_leaf
    # a value saved for backward, changed in place: backward raises (torch: too)
    p = xp.asarray(base.copy()).requires_grad_()
    c = xp.asarray(base.copy() + 1.0)
    y = (p * c).sum()  # saves c
    getattr(c, method)(*[_mt(a) for a in args], **kwargs)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_inplace_version_counter():
    a = xp.asarray(X.copy()).requires_grad_()
    b = a * 2.0          # a non-leaf
    y = (b.sin()).sum()  # sin saves its input b
    with autograd.no_grad():
        b.mul_(3.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_inplace_dtype_rules_as_torch():
    i = xp.asarray([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.add_(1.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.div_(2)
    assert i.mul_(3).tolist() == [3, 6] and i.div_(2, rounding_mode="floor").tolist() == [1, 3]
    f = xp.zeros(2, dtype=xp.float32)
    assert f.add_(xp.ones(2)).dtype == xp.float32  # float64 into float32: cast back
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        xp.zeros(2).add_(xp.ones((3, 2)))
    # as PyTorch: a plain tensor updated with a value that requires grad joins the graph
    assert xp.zeros(2).add_(xp.ones(2).requires_grad_()).requires_grad


def test_random_inplace_methods_follow_the_seed():
    xp.manual_seed(3)
    a = xp.empty((4, 5)).uniform_(-2, 3)
    b = xp.empty(6).normal_(1.0, 2.0)
    c = xp.empty(1000, dtype=xp.float32).bernoulli_(0.3)
    d = xp.empty(2000).exponential_(4.0)
    xp.manual_seed(3)
    assert xp.all(xp.empty((4, 5)).uniform_(-2, 3) == a)
    assert xp.all(xp.empty(6).normal_(1.0, 2.0) == b)
    assert float(a.min()) >= -2 and float(a.max()) < 3
    assert set(c.tolist()) <= {0.0, 1.0} and c.dtype == xp.float32
    assert abs(float(c.mean()) - 0.3) < 0.06 and abs(float(d.mean()) - 0.25) < 0.03
    assert float(d.min()) >= 0
    xp.manual_seed(3)
    assert xp.all(xp.nn.init.uniform_(xp.empty((4, 5)), -2, 3) == a)  # one stream
    w = xp.zeros(3).requires_grad_()
    with pytest.raises(RuntimeError, match="leaf"):
        w.normal_()
    with autograd.no_grad():
        w.uniform_()
    with pytest.raises(RuntimeError):
        xp.empty(2).bernoulli_(1.5)
    with pytest.raises(RuntimeError):
        xp.empty(2).exponential_(0.0)


@pytest.mark.parametrize("method, args", [("unsqueeze_", (1,)), ("squeeze_", ()),
                                          ("squeeze_", (0,)), ("t_", ()),
                                          ("transpose_", (0, 1))])
def test_inplace_view_methods(method, args):
    a = X[:1].copy()
    ours, theirs = xp.asarray(a), torch.from_numpy(a.copy())
    assert getattr(ours, method)(*args) is ours
    getattr(theirs, method)(*args)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours._array, theirs.numpy())
    assert np.shares_memory(ours._array, a)  # still a view of the same memory
    w = xp.asarray(a.copy()).requires_grad_()
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(w, method)(*args)
    with pytest.raises(RuntimeError):
        getattr(torch.tensor(a, requires_grad=True), method)(*args)
    c = xp.asarray(a.copy())
    y = (xp.asarray(a.copy()).requires_grad_() * c).sum()  # saves c
    getattr(c, method)(*args)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_multinomial_and_random_():
    xp.manual_seed(5)
    w = xp.asarray([[0.0, 1.0, 3.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    s = w.multinomial(2)
    assert s.shape == (2, 2) and s.dtype == xp.int64
    assert set(s[0].tolist()) == {1, 2} and len(set(s[1].tolist())) == 2
    draws = xp.asarray([0.0, 1.0, 3.0]).multinomial(4000, replacement=True)
    counts = np.bincount(draws._array, minlength=3)
    assert counts[0] == 0 and abs(counts[2] / 4000 - 0.75) < 0.03
    xp.manual_seed(5)
    assert xp.all(w.multinomial(2) == s)  # the global generator
    for bad, exc in (([1.0, -1.0], RuntimeError), ([0.0, 0.0], RuntimeError)):
        with pytest.raises(exc):
            xp.asarray(bad).multinomial(1)
        with pytest.raises(exc):
            torch.tensor(bad).multinomial(1)
    # without replacement: the positive weights first, then zero weights (as torch)
    assert xp.asarray([0.0, 1.0, 0.0]).multinomial(2).tolist() == \
        torch.tensor([0.0, 1.0, 0.0]).multinomial(2).tolist() == [1, 0]
    with pytest.raises(RuntimeError):
        xp.asarray([0.0, 1.0]).multinomial(3)
    with pytest.raises(RuntimeError):
        torch.tensor([0.0, 1.0]).multinomial(3)
    r = xp.zeros(1000, dtype=xp.int32).random_(2, 6)
    assert set(r.tolist()) == {2, 3, 4, 5} and r.dtype == xp.int32
    assert set(xp.zeros(200).random_(3).tolist()) == {0.0, 1.0, 2.0}


def test_optimizer_style_updates_under_no_grad():
    p = xp.asarray(X.copy()).requires_grad_()
    (p ** 2).sum().backward()
    m, v = xp.zeros_like(p), xp.zeros_like(p)
    tp = torch.tensor(X.copy(), requires_grad=True)
    (tp ** 2).sum().backward()
    tm, tv = torch.zeros_like(tp), torch.zeros_like(tp)
    with autograd.no_grad():
        m.mul_(0.9).add_(p.grad, alpha=0.1)
        v.mul_(0.99).addcmul_(p.grad, p.grad, value=0.01)
        p.addcdiv_(m, v.sqrt().add_(1e-8), value=-0.1)
        p.data.add_(p.grad, alpha=-0.01)
    with torch.no_grad():
        tm.mul_(0.9).add_(tp.grad, alpha=0.1)
        tv.mul_(0.99).addcmul_(tp.grad, tp.grad, value=0.01)
        tp.addcdiv_(tm, tv.sqrt().add_(1e-8), value=-0.1)
        tp.data.add_(tp.grad, alpha=-0.01)
    np.testing.assert_allclose(p._array, tp.detach().numpy(), rtol=1e-12)
    assert p.is_leaf and p.requires_grad


# ------------------------------------------------------------------- size
def test_size_is_an_int_and_a_method():
    x = xp.zeros((2, 3, 4))
    s = x.size
    assert isinstance(s, int) and s == 24 and s + 1 == 25 and hash(s) == hash(24)
    assert {s: 1}[24] == 1 and int(s) == 24 and s * 2 == 48 and str(s) == "24"
    assert x.size() == (2, 3, 4) == tuple(torch.zeros(2, 3, 4).size())
    assert x.size(0) == 2 and x.size(-1) == 4 and x.size(1) == torch.zeros(2, 3, 4).size(1)
    for bad in (3, -4):
        with pytest.raises(IndexError):
            x.size(bad)
        with pytest.raises(IndexError):
            torch.zeros(2, 3, 4).size(bad)
    with pytest.raises(IndexError):
        xp.zeros(()).size(0)
    assert xp.zeros(()).size() == () and xp.zeros(()).size == 1
    with pytest.raises(TypeError):
        x.size(1.0)
    import pickle
    assert pickle.loads(pickle.dumps(s)) == 24
    r = xp.asarray(X).requires_grad_() * 2.0  # a _GradTensor
    assert r.size == 12 and r.size(1) == 4
    # with tensors, x.size is the plain element count (the operators take it as an int)
    t = xp.asarray(X.copy())
    for got, want in ((t / t.size, X / 12), (t.size * t, 12 * X), (t.size - t, 12 - X),
                      (t ** (t.size // 6), X ** 2), (t.sum() / t.size, X.mean())):
        np.testing.assert_allclose(got._array, want, rtol=1e-15)
        assert got.dtype == xp.float64
    t /= t.size
    np.testing.assert_allclose(t._array, X / 12, rtol=1e-15)
    assert xp.arange(t.size).shape == (12,) and xp.zeros(t.size).shape == (12,)
    assert xp.reshape(t, (t.size,)).shape == (12,)


# ------------------------------------------------------------------ errors
ERRORS = [
    ("mean-int", I, "mean", (), {}, RuntimeError),
    ("clamp-none", X, "clamp", (), {}, RuntimeError),
    ("topk-too-big", X, "topk", (5,), {}, RuntimeError),
    ("kthvalue-0", X, "kthvalue", (0,), {}, RuntimeError),
    ("mm-vector", X, "mm", (T(V),), {}, RuntimeError),
    ("bmm-2d", X, "bmm", (T(X),), {}, RuntimeError),
    ("masked_fill-int-mask", X, "masked_fill", (T(np.ones((3, 4), int)), 0.0), {},
     RuntimeError),
    ("masked_fill-1d-value", X, "masked_fill", (T(MASK), T(V)), {}, RuntimeError),
    ("gather-out-of-range", X, "gather", (1, T([[5]])), {}, RuntimeError),
    ("gather-negative", X, "gather", (1, T([[-1]])), {}, RuntimeError),
    ("gather-float-index", X, "gather", (1, T([[1.0]])), {}, RuntimeError),
    ("index_select-out-of-range", X, "index_select", (1, T([4])), {}, RuntimeError),
    ("narrow-too-long", X, "narrow", (1, 2, 3), {}, RuntimeError),
    ("split-bad-sizes", X, "split", ([1, 1], 1), {}, RuntimeError),
    ("chunk-0", X, "chunk", (0,), {}, RuntimeError),
    ("repeat-few-dims", X, "repeat", (2,), {}, RuntimeError),
    ("view_as-bad", X, "view_as", (T(V),), {}, RuntimeError),
    ("softmax-int", I, "softmax", (0,), {}, (RuntimeError, NotImplementedError)),
    ("div-bad-mode", X, "div", (2.0,), {"rounding_mode": "up"}, RuntimeError),
    ("transpose-dim", X, "transpose", (0, 2), {}, IndexError),
    ("unflatten-bad", X, "unflatten", (1, (3, 2)), {}, RuntimeError),
    ("scatter-dtype", X, "scatter_add", (1, T(IDX_DUP), T(SRC.astype(np.float32))), {},
     RuntimeError),
    ("roll-misaligned", X, "roll", ((1, 2), 0), {}, RuntimeError),
    ("flip-dup", X, "flip", (0, 0), {}, RuntimeError),
    ("add-int-float-alpha", I, "add", (T(IY),), {"alpha": 0.5}, RuntimeError),
    ("uniform_-int", I, "uniform_", (), {}, RuntimeError),
    ("normal_-int", I, "normal_", (), {}, RuntimeError),
]


@pytest.mark.parametrize("x, method, args, kwargs, exc",
                         [pytest.param(*e[1:], id=e[0]) for e in ERRORS])
def test_errors_as_torch(x, method, args, kwargs, exc):
    with pytest.raises(exc):
        getattr(torch.from_numpy(np.array(x)), method)(*[_th(a) for a in args], **kwargs)
    ours = exc[0] if isinstance(exc, tuple) else exc
    with pytest.raises(ours):
        getattr(xp.asarray(np.array(x)), method)(*[_mt(a) for a in args], **kwargs)


def test_cuda_and_devices():
    x = xp.ones(2)
    with pytest.raises(RuntimeError, match="CUDA"):
        x.cuda()
    with pytest.raises(RuntimeError, match="device"):
        x.to("cuda:0")
    assert x.is_cuda is False and x.cpu() is x and x.to("cpu", non_blocking=True) is x


def test_device_attributes_and_accelerator_errors_as_torch():
    import pickle

    import minitensor.torch as mtorch
    for lib in (torch, mtorch):
        d = lib.ones(2).device
        assert (d.type, d.index, str(d), f"{d}") == ("cpu", None, "cpu", "cpu"), lib
        assert lib.device("cpu") == d and d == lib.device("cpu")
        assert hash(d) == hash(lib.device("cpu"))
    d = xp.ones(1).device
    assert repr(d) == "Device('cpu')" and pickle.loads(pickle.dumps(d)) == d and d == "cpu"
    x, mx = torch.ones(1), mtorch.ones(1)
    # PyTorch without CUDA raises AssertionError ("Torch not compiled with CUDA
    # enabled"); minitensor's error is an AssertionError and a RuntimeError
    for move in (lambda t: t.to("cuda"), lambda t: t.to("cuda:0"), lambda t: t.cuda(),
                 lambda t: t.to(type(t.device)("cuda") if t is x else mtorch.device("cuda")),
                 lambda t: t.to("cuda", torch.float64 if t is x else
                                                   mtorch.float64)):
        for t in (x, mx):
            with pytest.raises(AssertionError):
                move(t)
        with pytest.raises(RuntimeError, match="minitensor has no"):
            move(mx)
    for make in (lambda lib: lib.ones(1, device="cuda"), lambda lib: lib.nn.Linear(1, 1).to("cuda")):
        for lib in (torch, mtorch):
            with pytest.raises(AssertionError):
                make(lib)
    for lib in (torch, mtorch):  # no mps backend, no accelerator 0: RuntimeError
        with pytest.raises(RuntimeError):
            lib.ones(1).to("mps")
        with pytest.raises(RuntimeError):
            lib.ones(1).to(0)
    # the namespace's own device checks keep the standard's ValueError
    with pytest.raises(ValueError):
        xp.ones(1).to_device("cuda")
    with pytest.raises(ValueError):
        xp.ones(1, device="cuda")
    with pytest.raises(ValueError):
        xp.ones(1).to("tpu")


def test_views_share_memory():
    x = xp.asarray(X.copy())
    parts = x.split(2, 1) + x.chunk(2, 0) + x.unbind(0) + (x.narrow(1, 1, 2), x.view_as(x.T))
    for p in parts:
        assert np.shares_memory(p._array, x._array)
    assert not np.shares_memory(x.repeat(1, 1)._array, x._array)


def test_integer_inputs_give_default_float():
    # Note: torch gives float32 (its default dtype); minitensor its default, float64
    i = xp.asarray([1, 4])
    for name in ("sqrt", "exp", "log", "sin", "rsqrt", "reciprocal", "true_divide"):
        args = (2,) if name == "true_divide" else ()
        assert getattr(i, name)(*args).dtype == xp.float64, name
    assert i.logsumexp(0).dtype == xp.float64 and i.norm().dtype == xp.float64


def test_a_torch_style_loss_composed_of_methods():
    logits, y = RNG.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])

    def loss(lib, t, target):
        lp = t.log_softmax(1).gather(1, target.unsqueeze(1)).squeeze(1)
        top = t.topk(2, dim=1).values.sum(-1)
        return lp.mean().neg() + 0.1 * top.sub(t.logsumexp(1)).square().mean() \
            + 0.01 * t.norm(2, 1).max()

    m = xp.asarray(logits.copy()).requires_grad_()
    t = torch.tensor(logits.copy(), requires_grad=True)
    lm, lt = loss(xp, m, xp.asarray(y)), loss(torch, t, torch.from_numpy(y))
    assert lm.item() == pytest.approx(lt.item(), rel=1e-12)
    lm.backward()
    lt.backward()
    np.testing.assert_allclose(m.grad._array, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_namespace_functions_take_size_as_an_int():
    t = xp.ones((2, 3))
    assert xp.asarray(t.size) == 6 and xp.full((2,), t.size)[0] == 6
    assert xp.divide(t, t.size)[0, 0] == 1 / 6
    assert xp.add(t, t.size)[0, 0] == 7 and xp.subtract(t.size, t)[0, 0] == 5
    assert type(xp.asarray(t.size)) is xp.Tensor and xp.asarray(t.size).dtype == xp.int64
    assert xp.asarray([t.size, 2]).dtype == xp.int64
    assert xp.full_like(t, t.size)[0, 0] == 6 and xp.full(t.size, 0).shape == (6,)
    assert xp.arange(t.size).shape == (6,) and xp.linspace(0, 1, t.size).shape == (6,)
    assert xp.where(t > 0, t.size, 0)[0, 0] == 6 and xp.clip(t, t.size, None)[0, 0] == 6
    assert bool(xp.isin(t.size, xp.asarray([6])))
    assert int(xp.searchsorted(xp.arange(10), t.size)) == 6


def test_namespace_takes_int_and_float_subclasses_as_python_scalars():
    import enum

    class E(enum.IntEnum):
        THREE = 3

    class F(float):
        pass

    # weak Python scalars, as PyTorch takes them (NumPy agrees on the values; its
    # NEP 50 rule makes only exact Python scalars weak): the array's dtype is kept
    i8 = xp.asarray([1, 2], dtype=xp.int8)
    f32 = xp.asarray([1.0, 2.0], dtype=xp.float32)
    ti8 = torch.tensor([1, 2], dtype=torch.int8)
    tf32 = torch.tensor([1.0, 2.0])
    for r, ref in ((xp.add(i8, E.THREE), torch.add(ti8, E.THREE)),
                   (xp.multiply(E.THREE, i8), torch.mul(E.THREE, ti8)),
                   (xp.multiply(f32, F(2.5)), torch.mul(tf32, F(2.5))),
                   (xp.maximum(f32, F(1.5)), torch.clamp(tf32, min=F(1.5))),
                   (i8 - E.THREE, ti8 - E.THREE)):
        assert str(r.dtype).split(".")[1] == str(ref.dtype).split(".")[1]
        np.testing.assert_array_equal(r._array, ref.numpy())
    for r, ref in ((xp.asarray(E.THREE), np.asarray(E.THREE)),
                   (xp.asarray(F(0.5)), np.asarray(F(0.5))),
                   (xp.asarray([E.THREE, F(0.5)]), np.asarray([E.THREE, F(0.5)]))):
        assert r.dtype == xp.asarray(ref).dtype
        np.testing.assert_array_equal(r._array, ref)
    x = xp.zeros(2, dtype=xp.float32)
    x[0] = E.THREE
    assert x.dtype == xp.float32 and x[0] == 3
    # a category still applies to the converted value; two scalars still raise
    with pytest.raises(TypeError):
        xp.bitwise_and(i8, F(1.0))
    with pytest.raises(TypeError):
        xp.add(E.THREE, E.THREE)
    # bool and NumPy scalars keep their own meaning (not subclass conversions)
    assert xp.add(i8, True).dtype == xp.int8
    assert xp.add(f32, np.float64(1.0)).dtype == xp.float64
