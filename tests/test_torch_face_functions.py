"""The functions of ``minitensor.torch`` against PyTorch's: one table of (name, call).

Each case is a function ``f(lib, T)`` run twice, with ``lib`` the real ``torch`` and
``T = torch.tensor``, then with ``lib`` the face and ``T = minitensor.torch.tensor``;
the results (tensors, tuples of tensors, Python numbers) must agree in shape, dtype
and values. Skipped without PyTorch.
"""
import numpy as np
import pytest

import minitensor
import minitensor.torch as mtorch

torch = pytest.importorskip("torch")

rng = np.random.default_rng(1234)
A = rng.standard_normal((3, 4)).astype(np.float32)
B = rng.standard_normal((3, 4)).astype(np.float32)
C = rng.standard_normal((4, 5)).astype(np.float32)
V = rng.standard_normal(4).astype(np.float32)
W = rng.standard_normal(4).astype(np.float32)
D = rng.standard_normal((2, 3, 4)).astype(np.float32)
E = rng.standard_normal((2, 4, 5)).astype(np.float32)
P = (rng.random((3, 4)) + 0.1).astype(np.float32)          # positive
U = (rng.random((3, 4)) * 1.8 - 0.9).astype(np.float32)     # in (-1, 1)
A64 = A.astype(np.float64)
I = rng.integers(-5, 6, (3, 4)).astype(np.int64)
J = rng.integers(1, 4, (3, 4)).astype(np.int64)
I32 = I.astype(np.int32)
BOOL = A > 0
IDX = np.array([[0, 2], [1, 1], [3, 0]], dtype=np.int64)
ROWS = np.array([2, 0], dtype=np.int64)
SORTED = np.array([-1.0, 0.0, 0.5, 2.0], dtype=np.float32)
SQ = (rng.standard_normal((3, 3)) + 3 * np.eye(3)).astype(np.float32)

CASES = {
    # joining, splitting, reshaping
    "cat": lambda L, T: L.cat([T(A), T(B)]),
    "cat_dim1": lambda L, T: L.cat((T(A), T(B)), dim=1),
    "cat_promote": lambda L, T: L.cat([T(A), T(I)]),
    "concat": lambda L, T: L.concat([T(A), T(B)], dim=-1),
    "stack": lambda L, T: L.stack([T(A), T(B)], dim=1),
    "hstack": lambda L, T: L.hstack([T(V), T(W)]),
    "vstack": lambda L, T: L.vstack([T(V), T(W)]),
    "dstack": lambda L, T: L.dstack([T(A), T(B)]),
    "column_stack": lambda L, T: L.column_stack([T(V), T(W)]),
    "split_int": lambda L, T: L.split(T(A), 2, dim=1),
    "split_list": lambda L, T: L.split(T(A), [1, 2]),
    "chunk": lambda L, T: L.chunk(T(A), 3, dim=1),
    "unbind": lambda L, T: L.unbind(T(A), 1),
    "flatten": lambda L, T: L.flatten(T(D), 1),
    "flatten_all": lambda L, T: L.flatten(T(D)),
    "ravel": lambda L, T: L.ravel(T(D)),
    "reshape": lambda L, T: L.reshape(T(D), (4, -1)),
    "squeeze": lambda L, T: L.squeeze(T(A[:, :1])),
    "squeeze_dim_noop": lambda L, T: L.squeeze(T(A), 0),
    "squeeze_dim": lambda L, T: L.squeeze(T(A[:1]), 0),
    "unsqueeze": lambda L, T: L.unsqueeze(T(A), -1),
    "transpose": lambda L, T: L.transpose(T(D), 0, 2),
    "swapaxes": lambda L, T: L.swapaxes(T(D), 1, 2),
    "permute": lambda L, T: L.permute(T(D), (2, 0, 1)),
    "movedim": lambda L, T: L.movedim(T(D), 0, -1),
    "t": lambda L, T: L.t(T(A)),
    "flip": lambda L, T: L.flip(T(A), [0, 1]),
    "fliplr": lambda L, T: L.fliplr(T(A)),
    "roll": lambda L, T: L.roll(T(A), 1, 1),
    "roll_flat": lambda L, T: L.roll(T(A), 2),
    "narrow": lambda L, T: L.narrow(T(A), 1, 1, 2),
    "narrow_neg": lambda L, T: L.narrow(T(A), 0, -2, 2),
    "tile": lambda L, T: L.tile(T(V), (2, 2)),
    "repeat_interleave": lambda L, T: L.repeat_interleave(T(A), 2, dim=0),
    "repeat_interleave_flat": lambda L, T: L.repeat_interleave(T(V), 3),
    "repeat_interleave_tensor": lambda L, T: L.repeat_interleave(T(A), T(np.array([1, 0, 2])), dim=0),
    "broadcast_to": lambda L, T: L.broadcast_to(T(V), (3, -1)),
    "broadcast_tensors": lambda L, T: L.broadcast_tensors(T(V), T(A[:, :1])),
    "atleast_2d": lambda L, T: L.atleast_2d(T(V)),
    "atleast_3d": lambda L, T: L.atleast_3d(T(A)),
    "meshgrid_ij": lambda L, T: L.meshgrid(T(V), T(W[:3]), indexing="ij"),
    "meshgrid_xy": lambda L, T: L.meshgrid(T(V), T(W[:3]), indexing="xy"),
    "tril": lambda L, T: L.tril(T(A), -1),
    "triu": lambda L, T: L.triu(T(A), diagonal=1),
    "diag_vec": lambda L, T: L.diag(T(V), 1),
    "diag_mat": lambda L, T: L.diag(T(A)),
    "diagonal": lambda L, T: L.diagonal(T(D), 0, 1, 2),
    "diag_embed": lambda L, T: L.diag_embed(T(A)),
    # indexing
    "where": lambda L, T: L.where(T(BOOL), T(A), T(B)),
    "where_scalar": lambda L, T: L.where(T(A) > 0, T(A), 0.0),
    "where_int_float": lambda L, T: L.where(T(BOOL), T(I), 0.5),
    "where_cond_only": lambda L, T: L.where(T(BOOL)),
    "masked_fill": lambda L, T: L.masked_fill(T(A), T(BOOL), -1.0),
    "masked_select": lambda L, T: L.masked_select(T(A), T(BOOL)),
    "gather": lambda L, T: L.gather(T(A), 1, T(IDX)),
    "scatter": lambda L, T: L.scatter(T(np.zeros((3, 4), np.float32)), 1, T(IDX), T(A[:, :2])),
    "scatter_add": lambda L, T: L.scatter_add(T(np.zeros((3, 4), np.float32)), 1, T(IDX), T(A[:, :2])),
    "index_select": lambda L, T: L.index_select(T(A), 0, T(ROWS)),
    "take": lambda L, T: L.take(T(A), T(IDX)),
    "take_along_dim": lambda L, T: L.take_along_dim(T(A), T(IDX), dim=1),
    "nonzero": lambda L, T: L.nonzero(T(I)),
    "nonzero_tuple": lambda L, T: L.nonzero(T(I), as_tuple=True),
    "argwhere": lambda L, T: L.argwhere(T(BOOL)),
    # reductions
    "max_all": lambda L, T: L.max(T(A)),
    "max_dim": lambda L, T: tuple(L.max(T(A), 1)),
    "max_dim_keepdim": lambda L, T: tuple(L.max(T(A), dim=0, keepdim=True)),
    "max_binary": lambda L, T: L.max(T(A), T(B)),
    "min_dim": lambda L, T: tuple(L.min(T(I), 1)),
    "argmax": lambda L, T: L.argmax(T(A)),
    "argmax_dim": lambda L, T: L.argmax(T(A), dim=1, keepdim=True),
    "argmin": lambda L, T: L.argmin(T(A), 0),
    "amax": lambda L, T: L.amax(T(D), dim=(0, 2)),
    "amin": lambda L, T: L.amin(T(D), 1, keepdim=True),
    "aminmax": lambda L, T: tuple(L.aminmax(T(A), dim=1)),
    "sum": lambda L, T: L.sum(T(A)),
    "sum_dim": lambda L, T: L.sum(T(D), dim=(0, 2), keepdim=True),
    "sum_int32": lambda L, T: L.sum(T(I32), 1),
    "sum_bool": lambda L, T: L.sum(T(BOOL)),
    "sum_dtype": lambda L, T: L.sum(T(A), 0, dtype=L.float64),
    "nansum": lambda L, T: L.nansum(T(np.where(BOOL, A, np.nan))),
    "mean": lambda L, T: L.mean(T(A), 1),
    "mean_dtype": lambda L, T: L.mean(T(I), dtype=L.float64),
    "nanmean": lambda L, T: L.nanmean(T(np.where(BOOL, A, np.nan)), 1),
    "std": lambda L, T: L.std(T(A)),
    "std_dim": lambda L, T: L.std(T(A), 1, keepdim=True),
    "std_unbiased_false": lambda L, T: L.std(T(A), 0, unbiased=False),
    "var_correction": lambda L, T: L.var(T(A), dim=1, correction=0),
    "var": lambda L, T: L.var(T(D), (0, 1)),
    "std_mean": lambda L, T: L.std_mean(T(A), 1),
    "var_mean": lambda L, T: L.var_mean(T(A), 0),
    "prod": lambda L, T: L.prod(T(A), 1),
    "prod_int": lambda L, T: L.prod(T(J)),
    "norm": lambda L, T: L.norm(T(A)),
    "norm_p1": lambda L, T: L.norm(T(A), p=1, dim=1),
    "norm_inf": lambda L, T: L.norm(T(A), p=float("inf"), dim=0, keepdim=True),
    "norm_fro_dims": lambda L, T: L.norm(T(D), dim=(1, 2)),
    "norm_nuc": lambda L, T: L.norm(T(A), p="nuc"),
    "logsumexp": lambda L, T: L.logsumexp(T(A), 1),
    "logsumexp_keep": lambda L, T: L.logsumexp(T(D), dim=(0, 2), keepdim=True),
    "logsumexp_inf": lambda L, T: L.logsumexp(T(np.array([-np.inf, -np.inf], np.float32)), 0),
    "cumsum": lambda L, T: L.cumsum(T(A), dim=1),
    "cumsum_int": lambda L, T: L.cumsum(T(I32), 0),
    "cumprod": lambda L, T: L.cumprod(T(A), 0),
    "cummax": lambda L, T: tuple(L.cummax(T(A), 1)),
    "cummin": lambda L, T: tuple(L.cummin(T(I), 0)),
    "median_all": lambda L, T: L.median(T(A)),
    "median_dim": lambda L, T: tuple(L.median(T(A), 1)),
    "count_nonzero": lambda L, T: L.count_nonzero(T(I), dim=1),
    "all": lambda L, T: L.all(T(BOOL), 1),
    "any": lambda L, T: L.any(T(BOOL)),
    "diff": lambda L, T: L.diff(T(A), dim=1),
    # sorting and sets
    "sort": lambda L, T: tuple(L.sort(T(A), 1)),
    "sort_desc": lambda L, T: tuple(L.sort(T(A), dim=0, descending=True)),
    "argsort": lambda L, T: L.argsort(T(A), dim=1, descending=True),
    "topk": lambda L, T: tuple(L.topk(T(A), 2)),
    "topk_smallest": lambda L, T: tuple(L.topk(T(A), 2, dim=0, largest=False)),
    "kthvalue": lambda L, T: tuple(L.kthvalue(T(A), 2, 1)),
    "unique": lambda L, T: L.unique(T(I)),
    "unique_all": lambda L, T: L.unique(T(I), return_inverse=True, return_counts=True),
    "unique_dim": lambda L, T: L.unique(T(np.array([[1, 2], [1, 2], [0, 1]])), dim=0),
    "searchsorted": lambda L, T: L.searchsorted(T(SORTED), T(A)),
    "searchsorted_right": lambda L, T: L.searchsorted(T(SORTED), T(SORTED), right=True),
    "bucketize": lambda L, T: L.bucketize(T(A), T(SORTED)),
    # comparison
    "allclose": lambda L, T: L.allclose(T(A), T(A + 1e-7)),
    "allclose_false": lambda L, T: L.allclose(T(A), T(B)),
    "isclose": lambda L, T: L.isclose(T(A), T(np.where(BOOL, A, B))),
    "equal": lambda L, T: L.equal(T(A), T(A.copy())),
    "equal_false": lambda L, T: L.equal(T(A), T(B)),
    "eq": lambda L, T: L.eq(T(I), T(J)),
    "eq_scalar": lambda L, T: L.eq(T(I), 1),
    "ne": lambda L, T: L.ne(T(I), 0),
    "lt": lambda L, T: L.lt(T(A), T(B)),
    "le": lambda L, T: L.le(T(I), 0.5),
    "gt": lambda L, T: L.gt(T(A), 0),
    "ge": lambda L, T: L.ge(T(I), T(A)),
    "maximum": lambda L, T: L.maximum(T(A), T(B)),
    "maximum_promote": lambda L, T: L.maximum(T(I), T(A)),
    "minimum": lambda L, T: L.minimum(T(A), T(B)),
    "fmax": lambda L, T: L.fmax(T(np.where(BOOL, A, np.nan)), T(B)),
    "clamp": lambda L, T: L.clamp(T(A), -0.5, 0.5),
    "clamp_min": lambda L, T: L.clamp(T(A), min=0.0),
    "clamp_int_float": lambda L, T: L.clamp(T(I), min=0.5),
    "clamp_tensor": lambda L, T: L.clamp(T(A), min=T(B)),
    "clip": lambda L, T: L.clip(T(I), max=2),
    "isnan": lambda L, T: L.isnan(T(np.where(BOOL, A, np.nan))),
    "isinf": lambda L, T: L.isinf(T(np.array([1.0, np.inf, -np.inf]))),
    "isfinite": lambda L, T: L.isfinite(T(np.array([1.0, np.inf, np.nan]))),
    "isposinf": lambda L, T: L.isposinf(T(np.array([1.0, np.inf, -np.inf]))),
    "logical_and": lambda L, T: L.logical_and(T(BOOL), T(I)),
    "logical_or": lambda L, T: L.logical_or(T(BOOL), T(~BOOL)),
    "logical_not": lambda L, T: L.logical_not(T(I)),
    "logical_xor": lambda L, T: L.logical_xor(T(BOOL), T(I > 0)),
    # elementwise
    "abs": lambda L, T: L.abs(T(A)),
    "abs_int": lambda L, T: L.abs(T(I)),
    "neg": lambda L, T: L.neg(T(A)),
    "exp": lambda L, T: L.exp(T(A)),
    "exp_int": lambda L, T: L.exp(T(I)),
    "exp2": lambda L, T: L.exp2(T(A)),
    "expm1": lambda L, T: L.expm1(T(A)),
    "log": lambda L, T: L.log(T(P)),
    "log2": lambda L, T: L.log2(T(P)),
    "log10": lambda L, T: L.log10(T(P)),
    "log1p": lambda L, T: L.log1p(T(P)),
    "sqrt": lambda L, T: L.sqrt(T(P)),
    "sqrt_int": lambda L, T: L.sqrt(T(J)),
    "rsqrt": lambda L, T: L.rsqrt(T(P)),
    "square": lambda L, T: L.square(T(A)),
    "sin": lambda L, T: L.sin(T(A)),
    "cos": lambda L, T: L.cos(T(A)),
    "tan": lambda L, T: L.tan(T(U)),
    "asin": lambda L, T: L.asin(T(U)),
    "acos": lambda L, T: L.acos(T(U)),
    "atan": lambda L, T: L.atan(T(A)),
    "atan2": lambda L, T: L.atan2(T(A), T(B)),
    "sinh": lambda L, T: L.sinh(T(A)),
    "cosh": lambda L, T: L.cosh(T(A)),
    "tanh": lambda L, T: L.tanh(T(A)),
    "asinh": lambda L, T: L.asinh(T(A)),
    "acosh": lambda L, T: L.acosh(T(P + 1)),
    "atanh": lambda L, T: L.atanh(T(U)),
    "sigmoid": lambda L, T: L.sigmoid(T(A)),
    "sigmoid64": lambda L, T: L.sigmoid(T(A64)),
    "relu": lambda L, T: L.relu(T(A)),
    "softmax": lambda L, T: L.softmax(T(A), dim=1),
    "softmax_dtype": lambda L, T: L.softmax(T(A), 0, dtype=L.float64),
    "log_softmax": lambda L, T: L.log_softmax(T(A), dim=0),
    "erf": lambda L, T: L.erf(T(A)),
    "erf64": lambda L, T: L.erf(T(A64)),
    "erfc": lambda L, T: L.erfc(T(A)),
    "sign": lambda L, T: L.sign(T(I)),
    "signbit": lambda L, T: L.signbit(T(A)),
    "floor": lambda L, T: L.floor(T(A * 3)),
    "ceil": lambda L, T: L.ceil(T(A * 3)),
    "round": lambda L, T: L.round(T(A * 3)),
    "round_half_even": lambda L, T: L.round(T(np.array([0.5, 1.5, 2.5, -0.5], np.float32))),
    "round_decimals": lambda L, T: L.round(T(A * 30), decimals=1),
    "trunc": lambda L, T: L.trunc(T(A * 3)),
    "frac": lambda L, T: L.frac(T(A * 3)),
    "reciprocal": lambda L, T: L.reciprocal(T(P)),
    "reciprocal_int": lambda L, T: L.reciprocal(T(J)),
    "pow": lambda L, T: L.pow(T(A), 2),
    "pow_float_exp": lambda L, T: L.pow(T(P), 0.5),
    "pow_int_float": lambda L, T: L.pow(T(J), 0.5),
    "pow_scalar_base": lambda L, T: L.pow(2, T(J)),
    "pow_tensor": lambda L, T: L.pow(T(P), T(B)),
    "float_power": lambda L, T: L.float_power(T(J), 2),
    "add": lambda L, T: L.add(T(A), T(B)),
    "add_alpha": lambda L, T: L.add(T(A), T(B), alpha=0.5),
    "add_int_float": lambda L, T: L.add(T(I), 0.5),
    "add_int_tensor_float_tensor": lambda L, T: L.add(T(I), T(A)),
    "add_0d_float64": lambda L, T: L.add(T(A), T(np.float64(2.0))),
    "add_int32_int64": lambda L, T: L.add(T(I32), T(I)),
    "sub": lambda L, T: L.sub(T(A), T(B), alpha=2),
    "sub_int": lambda L, T: L.sub(T(I), 1),
    "mul": lambda L, T: L.mul(T(A), T(B)),
    "mul_int_float": lambda L, T: L.mul(T(I), 1.5),
    "mul_bool_int": lambda L, T: L.mul(T(BOOL), 3),
    "div": lambda L, T: L.div(T(A), T(P)),
    "div_int": lambda L, T: L.div(T(I), T(J)),
    "div_int_scalar": lambda L, T: L.div(T(I), 2),
    "div_trunc_int": lambda L, T: L.div(T(I), T(J), rounding_mode="trunc"),
    "div_floor_int": lambda L, T: L.div(T(I), T(J), rounding_mode="floor"),
    "div_trunc_float": lambda L, T: L.div(T(A * 5), T(P), rounding_mode="trunc"),
    "div_floor_float": lambda L, T: L.div(T(A * 5), 0.7, rounding_mode="floor"),
    "true_divide": lambda L, T: L.true_divide(T(I), 4),
    "floor_divide": lambda L, T: L.floor_divide(T(I), 2),
    "remainder": lambda L, T: L.remainder(T(I), 3),
    "remainder_float": lambda L, T: L.remainder(T(A * 5), 1.5),
    "fmod": lambda L, T: L.fmod(T(I), 3),
    "fmod_float": lambda L, T: L.fmod(T(A * 5), -1.5),
    "lerp": lambda L, T: L.lerp(T(A), T(B), 0.3),
    "lerp_tensor": lambda L, T: L.lerp(T(A), T(B), T(P)),
    "hypot": lambda L, T: L.hypot(T(A), T(B)),
    "logaddexp": lambda L, T: L.logaddexp(T(A), T(B)),
    "copysign": lambda L, T: L.copysign(T(P), T(B)),
    "bitwise_and": lambda L, T: L.bitwise_and(T(I), T(J)),
    "bitwise_not": lambda L, T: L.bitwise_not(T(I)),
    "xlogy": lambda L, T: L.xlogy(T(np.where(BOOL, P, 0)), T(P)),
    "nan_to_num": lambda L, T: L.nan_to_num(T(np.array([np.nan, np.inf, -np.inf, 1.0], np.float32))),
    "nan_to_num_args": lambda L, T: L.nan_to_num(T(np.array([np.nan, np.inf, -np.inf])), 1.0, 2.0, -2.0),
    "real": lambda L, T: L.real(T(np.array([1 + 2j], np.complex64))),
    "angle": lambda L, T: L.angle(T(np.array([1 + 2j, -1], np.complex64))),
    "angle_real": lambda L, T: L.angle(T(B)),
    # linear algebra
    "matmul": lambda L, T: L.matmul(T(A), T(C)),
    "matmul_batched": lambda L, T: L.matmul(T(D), T(E)),
    "matmul_vec": lambda L, T: L.matmul(T(A), T(V)),
    "mm": lambda L, T: L.mm(T(A), T(C)),
    "bmm": lambda L, T: L.bmm(T(D), T(E)),
    "mv": lambda L, T: L.mv(T(A), T(V)),
    "addmm": lambda L, T: L.addmm(T(C[0]), T(A), T(C), beta=0.5, alpha=2),
    "einsum_mm": lambda L, T: L.einsum("ij,jk->ik", T(A), T(C)),
    "einsum_bmm": lambda L, T: L.einsum("bij,bjk->bik", T(D), T(E)),
    "einsum_trace": lambda L, T: L.einsum("ii", T(SQ)),
    "einsum_diag": lambda L, T: L.einsum("ii->i", T(SQ)),
    "einsum_outer": lambda L, T: L.einsum("i,j->ij", T(V), T(W)),
    "einsum_implicit": lambda L, T: L.einsum("ij,kj", T(A), T(B)),
    "einsum_sum": lambda L, T: L.einsum("ijk->", T(D)),
    "einsum_ellipsis": lambda L, T: L.einsum("...ij,...jk->...ik", T(D), T(E)),
    "einsum_three": lambda L, T: L.einsum("ij,jk,k->i", T(A), T(C), T(C[0])),
    "einsum_list": lambda L, T: L.einsum("bij->bji", [T(D)]),
    "einsum_attention": lambda L, T: L.einsum("bhqd,bhkd->bhqk", T(D[:, None]), T(D[:, None])),
    "outer": lambda L, T: L.outer(T(V), T(W)),
    "ger": lambda L, T: L.ger(T(V), T(W)),
    "dot": lambda L, T: L.dot(T(V), T(W)),
    "vdot": lambda L, T: L.vdot(T(V), T(W)),
    "inner": lambda L, T: L.inner(T(A), T(B)),
    "tensordot": lambda L, T: L.tensordot(T(D), T(E), dims=([0, 2], [0, 1])),
    "tensordot_int": lambda L, T: L.tensordot(T(A), T(C), dims=1),
    "kron": lambda L, T: L.kron(T(A[:2, :2]), T(B[:2, :3])),
    "trace": lambda L, T: L.trace(T(SQ)),
    "trace_int": lambda L, T: L.trace(T(I[:, :3])),
    "det": lambda L, T: L.det(T(SQ)),
    "inverse": lambda L, T: L.inverse(T(SQ)),
    "cross": lambda L, T: L.cross(T(A[:, :3]), T(B[:, :3]), dim=1),
    "cdist": lambda L, T: L.cdist(T(A), T(B)),
    "cdist_p1": lambda L, T: L.cdist(T(A), T(B), p=1.0),
    # tensors
    "numel": lambda L, T: L.numel(T(D)),
    "is_tensor": lambda L, T: L.is_tensor(T(A)),
    "is_nonzero": lambda L, T: L.is_nonzero(T(np.array([2.0]))),
    "clone": lambda L, T: L.clone(T(A)),
    "is_floating_point": lambda L, T: (L.is_floating_point(T(A)), L.is_floating_point(T(I))),
    "promote_types": lambda L, T: [L.promote_types(a, b) for a, b in
                                   [(L.int64, L.float32), (L.uint8, L.int8),
                                    (L.bool, L.int32), (L.float64, L.complex64),
                                    (L.int16, L.float16), (L.float32, L.float64)]],
    # more top-level functions (_more.py)
    "addcmul": lambda L, T: L.addcmul(T(A), T(B), T(P), value=0.5),
    "addcdiv": lambda L, T: L.addcdiv(T(A), T(B), T(P), value=2),
    "addmv": lambda L, T: L.addmv(T(V), T(A.T), T(A[:, 0]), beta=2),
    "addr": lambda L, T: L.addr(T(A), T(A[:, 0]), T(V), alpha=3),
    "baddbmm": lambda L, T: L.baddbmm(T(np.ones((2, 3, 5), np.float32)), T(D), T(E), beta=0.5),
    "addbmm": lambda L, T: L.addbmm(T(np.ones((3, 5), np.float32)), T(D), T(E), alpha=2),
    "chain_matmul": lambda L, T: L.linalg.multi_dot([T(A), T(C), T(C.T)]) if L is torch
    else L.chain_matmul(T(A), T(C), T(C.T)),
    "clamp_min": lambda L, T: L.clamp_min(T(A), 0.1),
    "clamp_max": lambda L, T: L.clamp_max(T(I), 1),
    "rsub": lambda L, T: L.rsub(T(A), 2.0, alpha=3),
    "positive": lambda L, T: L.positive(T(I)),
    "deg2rad": lambda L, T: L.deg2rad(T(A * 90)),
    "rad2deg": lambda L, T: L.rad2deg(T(A)),
    "heaviside": lambda L, T: L.heaviside(T(np.where(BOOL, A, 0)), T(np.float32(0.5))),
    "gcd": lambda L, T: L.gcd(T(I), T(J)),
    "lcm": lambda L, T: L.lcm(T(I), T(J)),
    "logaddexp2": lambda L, T: L.logaddexp2(T(A), T(B)),
    "ldexp": lambda L, T: L.ldexp(T(A), T(J)),
    "frexp": lambda L, T: tuple(L.frexp(T(A * 10))),
    "sinc": lambda L, T: L.sinc(T(A)),
    "logit": lambda L, T: L.logit(T(P / 2)),
    "tensor_split_n": lambda L, T: L.tensor_split(T(np.arange(7)), 3),
    "tensor_split_idx": lambda L, T: L.tensor_split(T(A), [1, 3], dim=1),
    "hsplit": lambda L, T: L.hsplit(T(A), 2),
    "vsplit": lambda L, T: L.vsplit(T(A), [1]),
    "dsplit": lambda L, T: L.dsplit(T(D), 2),
    "row_stack": lambda L, T: L.row_stack([T(V), T(W)]),
    "unflatten": lambda L, T: L.unflatten(T(D), 2, (2, -1)),
    "select": lambda L, T: L.select(T(D), 1, -1),
    "rot90": lambda L, T: L.rot90(T(A)),
    "rot90_k3": lambda L, T: L.rot90(T(D), 3, (1, 2)),
    "rot90_k2": lambda L, T: L.rot90(T(A), 2),
    "diagflat": lambda L, T: L.diagflat(T(A[:2, :2]), 1),
    "block_diag": lambda L, T: L.block_diag(T(A[:2, :2]), T(V[:3]), T(np.float32(5))),
    "cartesian_prod": lambda L, T: L.cartesian_prod(T(V[:2]), T(W[:3])),
    "combinations": lambda L, T: L.combinations(T(V), 3),
    "combinations_repl": lambda L, T: L.combinations(T(V[:3]), with_replacement=True),
    "tril_indices": lambda L, T: L.tril_indices(3, 4, 1),
    "triu_indices": lambda L, T: L.triu_indices(4, 3, -1),
    "vander": lambda L, T: L.vander(T(V), N=3, increasing=True),
    "vander_int": lambda L, T: L.vander(T(J[0])),
    "unravel_index": lambda L, T: L.unravel_index(T(np.array([0, 5, 11])), (3, 4)),
    "index_add": lambda L, T: L.index_add(T(A), 0, T(np.array([2, 0, 2])), T(B), alpha=2),
    "index_add_dim1": lambda L, T: L.index_add(T(A), 1, T(np.array([1, 1])), T(B[:, :2])),
    "index_copy": lambda L, T: L.index_copy(T(A), 1, T(np.array([3, 0])), T(B[:, :2])),
    "index_fill": lambda L, T: L.index_fill(T(A), 0, T(np.array([1])), -2.0),
    "isin": lambda L, T: L.isin(T(I), T(J)),
    "isin_invert": lambda L, T: L.isin(T(I), T(J), invert=True),
    "bincount": lambda L, T: L.bincount(T(J.reshape(-1))),
    "bincount_w": lambda L, T: L.bincount(T(J.reshape(-1)), T(A.reshape(-1)), minlength=6),
    "histc": lambda L, T: L.histc(T(A), bins=5, min=-1, max=1),
    "histc_auto": lambda L, T: L.histc(T(A), bins=4),
    "msort": lambda L, T: L.msort(T(A)),
    "logcumsumexp": lambda L, T: L.logcumsumexp(T(A), 1),
    "cov": lambda L, T: L.cov(T(A)),
    "cov_corr0": lambda L, T: L.cov(T(A), correction=0),
    "corrcoef": lambda L, T: L.corrcoef(T(A)),
    "dist": lambda L, T: L.dist(T(A), T(B)),
    "dist_p1": lambda L, T: L.dist(T(A), T(B), p=1),
    "quantile": lambda L, T: L.quantile(T(A), 0.3),
    "quantile_dim": lambda L, T: L.quantile(T(A), T(np.array([0.25, 0.5], np.float32)), dim=1),
    "nanquantile": lambda L, T: L.nanquantile(T(np.where(BOOL, A, np.nan)), 0.5, dim=1, keepdim=True),
    "nanmedian": lambda L, T: L.nanmedian(T(np.where(BOOL, A, np.nan))),
    "trapezoid": lambda L, T: L.trapezoid(T(A)),
    "trapezoid_x": lambda L, T: L.trapezoid(T(A), T(SORTED)),
    "trapezoid_dx": lambda L, T: L.trapezoid(T(A), dx=0.5, dim=0),
    "cumulative_trapezoid": lambda L, T: L.cumulative_trapezoid(T(A), dim=1),
    "logdet": lambda L, T: L.logdet(T(SQ @ SQ.T)),
    "slogdet": lambda L, T: tuple(L.slogdet(T(SQ))),
    "matrix_power": lambda L, T: L.matrix_power(T(SQ), 3),
    "matrix_power_neg": lambda L, T: L.matrix_power(T(SQ.astype(np.float64)), -2),
    "pinverse": lambda L, T: L.pinverse(T(A)),
    "unique_consecutive": lambda L, T: L.unique_consecutive(T(np.array([1, 1, 2, 2, 3, 1, 1])),
                                                            return_inverse=True, return_counts=True),
    "is_signed": lambda L, T: (L.is_signed(T(I)), L.is_signed(T(BOOL)), L.is_signed(T(A))),
    "is_same_size": lambda L, T: L.is_same_size(T(A), T(B)),
    "result_type": lambda L, T: [L.result_type(T(I), 1.0), L.result_type(T(I), T(A)),
                                 L.result_type(T(BOOL), 2)],
    "view_as_real": lambda L, T: L.view_as_real(T(np.array([1 + 2j, 3 - 1j], np.complex64))),
    "view_as_complex": lambda L, T: L.view_as_complex(T(A[:, :2].copy())),
    "legacy_types": lambda L, T: [L.FloatTensor([1, 2]), L.LongTensor([1.0]), L.DoubleTensor(2, 1).shape,
                                  isinstance(L.ones(1), L.FloatTensor),
                                  isinstance(L.ones(1), L.LongTensor)],
    "typename": lambda L, T: [L.typename(T(A)), L.typename(T(I)), L.typename(T(BOOL))],
    "torch_conv2d": lambda L, T: L.conv2d(T(np.ones((1, 1, 4, 4), np.float32)),
                                          T(np.ones((2, 1, 3, 3), np.float32)), None, 1, 1),
    "torch_layer_norm": lambda L, T: L.layer_norm(T(A), (4,)),
    "torch_cosine_similarity": lambda L, T: L.cosine_similarity(T(A), T(B), dim=1),
    "torch_dropout_eval": lambda L, T: L.dropout(T(A), 0.5, False),
    "torch_pixel_shuffle": lambda L, T: L.pixel_shuffle(T(np.arange(16, dtype=np.float32).reshape(1, 4, 2, 2)), 2),
    # linalg / fft / special submodules
    "linalg.norm": lambda L, T: L.linalg.norm(T(A)),
    "linalg.norm_ord": lambda L, T: L.linalg.norm(T(A), ord=1),
    "linalg.vector_norm": lambda L, T: L.linalg.vector_norm(T(A), 3, dim=1, keepdim=True),
    "linalg.matrix_norm": lambda L, T: L.linalg.matrix_norm(T(D), ord="fro", dim=(0, 2)),
    "linalg.inv": lambda L, T: L.linalg.inv(T(SQ)),
    "linalg.solve": lambda L, T: L.linalg.solve(T(SQ), T(A[:, :2])),
    "linalg.solve_right": lambda L, T: L.linalg.solve(T(SQ), T(A[:2, :3]), left=False),
    "linalg.cholesky": lambda L, T: L.linalg.cholesky(T(SQ @ SQ.T)),
    "linalg.eigvalsh": lambda L, T: L.linalg.eigvalsh(T(SQ @ SQ.T)),
    "linalg.eigvalsh_U": lambda L, T: L.linalg.eigvalsh(T(np.triu(SQ)), UPLO="U"),
    "linalg.svdvals": lambda L, T: L.linalg.svdvals(T(A)),
    "linalg.det": lambda L, T: L.linalg.det(T(SQ)),
    "linalg.cross": lambda L, T: L.linalg.cross(T(A[:, :3]), T(B[:, :3])),
    "linalg.diagonal": lambda L, T: L.linalg.diagonal(T(D), dim1=0, dim2=2),
    "linalg.vecdot": lambda L, T: L.linalg.vecdot(T(A), T(B), dim=0),
    "linalg.matrix_rank": lambda L, T: L.linalg.matrix_rank(T(SQ)),
    "linalg.pinv": lambda L, T: L.linalg.pinv(T(A)),
    "fft.fft_real": lambda L, T: L.fft.fft(T(V)),
    "fft.fft_n": lambda L, T: L.fft.fft(T(A), 6, 0),
    "fft.ifft": lambda L, T: L.fft.ifft(T(V.astype(np.complex64)), norm="ortho"),
    "fft.rfft": lambda L, T: L.fft.rfft(T(A), dim=0),
    "fft.irfft": lambda L, T: L.fft.irfft(T(np.fft.rfft(V).astype(np.complex64))),
    "fft.fft2": lambda L, T: L.fft.fft2(T(A)),
    "fft.rfftn": lambda L, T: L.fft.rfftn(T(D), dim=(1, 2)),
    "fft.fftfreq": lambda L, T: L.fft.fftfreq(5, d=0.5),
    "fft.rfftfreq": lambda L, T: L.fft.rfftfreq(6),
    "fft.fftshift": lambda L, T: L.fft.fftshift(T(A), dim=1),
    "special.expit": lambda L, T: L.special.expit(T(A)),
    "special.logit": lambda L, T: L.special.logit(T(P / 2)),
    "special.logit_eps": lambda L, T: L.special.logit(T(P), eps=0.1),
    "special.erf": lambda L, T: L.special.erf(T(A)),
    "special.xlogy": lambda L, T: L.special.xlogy(T(P), T(P)),
    "special.sinc": lambda L, T: L.special.sinc(T(np.where(BOOL, A, 0))),
    "special.entr": lambda L, T: L.special.entr(T(np.where(BOOL, P, 0))),
}


def _np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if isinstance(x, minitensor.Tensor):
        return np.asarray(x)
    return x


def _dtype_name(d):
    return str(d).rsplit(".", 1)[-1]


def _compare(ours, ref, path="result"):
    if isinstance(ref, (tuple, list)):
        assert isinstance(ours, (tuple, list)), f"{path}: {type(ours).__name__} is not a sequence"
        assert len(ours) == len(ref), f"{path}: {len(ours)} items, torch has {len(ref)}"
        for i, (o, r) in enumerate(zip(ours, ref)):
            _compare(o, r, f"{path}[{i}]")
        return
    if isinstance(ref, torch.dtype):
        assert _dtype_name(ours) == _dtype_name(ref), f"{path}: {ours} vs {ref}"
        return
    if isinstance(ref, torch.Tensor):
        assert isinstance(ours, minitensor.Tensor), f"{path}: got {type(ours).__name__}"
        assert tuple(ours.shape) == tuple(ref.shape), f"{path}: shape {ours.shape} vs {tuple(ref.shape)}"
        assert _dtype_name(ours.dtype) == _dtype_name(ref.dtype), \
            f"{path}: dtype {ours.dtype} vs {ref.dtype}"
        o, r = _np(ours), _np(ref)
        if r.dtype.kind in "fc":
            tol = 1e-5 if r.dtype in (np.float32, np.complex64) else 1e-12
            np.testing.assert_allclose(o, r, rtol=tol, atol=tol, equal_nan=True, err_msg=path)
        else:
            np.testing.assert_array_equal(o, r, err_msg=path)
        return
    assert type(ours) is type(ref), f"{path}: {type(ours).__name__} vs {type(ref).__name__}"
    assert ours == ref, f"{path}: {ours!r} vs {ref!r}"


@pytest.mark.parametrize("name", list(CASES))
def test_against_torch(name):
    case = CASES[name]
    ref = case(torch, torch.tensor)
    ours = case(mtorch, mtorch.tensor)
    _compare(ours, ref)


# --------------------------------------------------------- gradients (float64)
from minitensor.autograd import gradcheck, gradgradcheck  # noqa: E402

GRAD_CASES = {
    "logsumexp": (lambda x: mtorch.logsumexp(x, 1), (A64,)),
    "einsum_pair": (lambda x, y: mtorch.einsum("ij,kj->ik", x, y), (A64, B.astype(np.float64))),
    "einsum_diag": (lambda x: mtorch.einsum("ii->i", x), (SQ.astype(np.float64),)),
    "einsum_three": (lambda x, y: mtorch.einsum("ij,jk,ik->i", x, y, x @ y),
                     (A64[:, :3], SQ.astype(np.float64))),
    "norm_p3": (lambda x: mtorch.norm(x, p=3, dim=0), (A64,)),
    "erf": (lambda x: mtorch.erf(x), (A64,)),
    "kron": (lambda x, y: mtorch.kron(x, y), (A64[:2, :2], B[:2, :3].astype(np.float64))),
    "cdist": (lambda x, y: mtorch.cdist(x, y), (A64, B.astype(np.float64))),
    "xlogy": (lambda x, y: mtorch.xlogy(x, y), (P.astype(np.float64), P.astype(np.float64))),
    "lerp": (lambda x, y: mtorch.lerp(x, y, 0.3), (A64, B.astype(np.float64))),
    "div_true": (lambda x, y: mtorch.div(x, y), (A64, P.astype(np.float64))),
    "std_mean": (lambda x: mtorch.std_mean(x, 1)[0] + mtorch.std_mean(x, 1)[1], (A64,)),
    "fmod": (lambda x: mtorch.fmod(x * 5, 1.5), (A64,)),
    "median": (lambda x: mtorch.median(x, 1).values, (A64,)),
    "linalg.norm": (lambda x: mtorch.linalg.norm(x), (A64,)),
    "special.logit": (lambda x: mtorch.special.logit(x), ((P / 2).astype(np.float64),)),
    "special.sinc": (lambda x: mtorch.special.sinc(x), (A64,)),
    "diag_embed": (lambda x: mtorch.diag_embed(x), (A64,)),
    "index_add": (lambda x, y: mtorch.index_add(x, 1, mtorch.tensor([1, 1, 0]), y, alpha=2),
                  (A64, B[:, :3].astype(np.float64))),
    "index_copy": (lambda x, y: mtorch.index_copy(x, 0, mtorch.tensor([2, 0]), y),
                   (A64, B[:2].astype(np.float64))),
    "logcumsumexp": (lambda x: mtorch.logcumsumexp(x, 1), (A64,)),
    "cov": (lambda x: mtorch.cov(x), (A64,)),
    "corrcoef": (lambda x: mtorch.corrcoef(x), (A64,)),
    "addcdiv": (lambda x, y: mtorch.addcdiv(x, x, y, value=0.5), (A64, P.astype(np.float64))),
    "baddbmm": (lambda x, y: mtorch.baddbmm(x[:, :, :1], x, y, beta=0.5),
                (D.astype(np.float64), E.astype(np.float64))),
    "rot90": (lambda x: mtorch.rot90(x, 3), (A64,)),
    "block_diag": (lambda x, y: mtorch.block_diag(x, y), (A64[:2], B[:1].astype(np.float64))),
    "trapezoid": (lambda x: mtorch.trapezoid(x, dim=0), (A64,)),
    "unflatten_select": (lambda x: mtorch.select(mtorch.unflatten(x, 1, (2, 2)), 2, 1), (A64,)),
    "tensor_split": (lambda x: mtorch.tensor_split(x, 3, dim=1)[1], (A64,)),
    "dist": (lambda x, y: mtorch.dist(x, y, p=3), (A64, B.astype(np.float64))),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradients_float64(name):
    fn, arrays = GRAD_CASES[name]
    inputs = tuple(mtorch.tensor(a, requires_grad=True) for a in arrays)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


@pytest.mark.parametrize("name", ["logsumexp", "einsum_pair", "erf", "cdist", "kron"])
def test_gradients_match_torch(name):
    fn, arrays = GRAD_CASES[name]
    ours = tuple(mtorch.tensor(a, requires_grad=True) for a in arrays)
    fn(*ours).sum().backward()
    tfn = {"logsumexp": lambda x: torch.logsumexp(x, 1),
           "einsum_pair": lambda x, y: torch.einsum("ij,kj->ik", x, y),
           "erf": torch.erf, "cdist": torch.cdist, "kron": torch.kron}[name]
    ref = tuple(torch.tensor(a, requires_grad=True) for a in arrays)
    tfn(*ref).sum().backward()
    for o, r in zip(ours, ref):
        np.testing.assert_allclose(np.asarray(o.grad), r.grad.numpy(), rtol=1e-10, atol=1e-12)
