"""Gradients of every differentiable namespace function.

Driven by the op records (``op_records.RECORDS`` with ``differentiable=True``):
each function's vector-Jacobian product (``autograd.grad`` with a random
cotangent ``w``) is checked against central finite differences of
``Re(sum(conj(w) * f(x + t v)))`` along random directions ``v``, one input at a
time, in float64 and, where the function takes complex input, complex128; on
random inputs inside the record's domain, with broadcasting pairs, Python-scalar
operands, 0-d and non-contiguous inputs. Second derivatives (``create_graph``)
are checked for a representative set. Where PyTorch is importable, the forward
values and the gradients are compared with PyTorch's for every function with a
torch counterpart (skipped without torch). ``test_every_function_has_a_rule``
fails when a namespace function that can be differentiated has no rule.
"""
import inspect
import math
import warnings
import zlib

import numpy as np
import pytest

import minitensor as xp
from minitensor import autograd
from minitensor.autograd import gradcheck, gradgradcheck
from minitensor.autograd._engine import RULES
from op_records import RECORDS

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

DIFF = {r.name: r for r in RECORDS if r.differentiable}
COMPLEX_CATEGORIES = {"numeric", "floating-point", "complex floating-point", "all"}


# ------------------------------------------------------------------ the check
class Case:
    """A call ``fn(*args, **kwargs)``: ``args`` are NumPy arrays or other values,
    ``diff`` the positions of the differentiable (float/complex array) inputs.
    ``seq``: the arrays are passed as one list (concat, stack). ``post`` maps the
    outputs (e.g. to quantities invariant to eigenvector signs)."""

    def __init__(self, name, args, kwargs=None, diff=None, seq=False, post=None, fn=None,
                 torch_fn=None, label=""):
        self.name = name
        self.args = list(args)
        self.kwargs = dict(kwargs or {})
        if diff is None:
            diff = [i for i, a in enumerate(self.args)
                    if isinstance(a, np.ndarray) and a.dtype.kind in "fc"]
        self.diff = list(diff)
        self.seq = seq
        self.post = post
        self.fn = fn or _func(name)
        self.torch_fn = torch_fn
        self.label = label

    def __repr__(self):
        shapes = ",".join(str(a.shape) if isinstance(a, np.ndarray) else repr(a)
                          for a in self.args)
        dt = next((a.dtype.name for a in self.args if isinstance(a, np.ndarray)), "")
        return f"{self.name}[{shapes}|{dt}|{self.kwargs}{self.label}]"

    def call(self, values, module="mt"):
        """Run the function on ``values`` (one per arg: tensors or other values)."""
        if module == "mt":
            fn, post = self.fn, self.post
        else:
            fn, post = self.torch_fn, self.post
        if self.seq:
            out = fn(list(values), **self.kwargs)
        else:
            out = fn(*values, **self.kwargs)
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        if post is not None:
            outs = tuple(post(*outs)) if module == "mt" else tuple(post(*outs, _torch=True))
        return outs


def _func(name):
    obj = xp
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _leaf(a):
    # asarray keeps the array's layout (a non-contiguous view stays one)
    return xp.asarray(a).requires_grad_()


def _value(a):
    return xp.asarray(a) if isinstance(a, np.ndarray) else a


def _random_like(rng, a):
    v = rng.standard_normal(a.shape)
    if a.dtype.kind == "c":
        v = v + 1j * rng.standard_normal(a.shape)
    return np.asarray(v).astype(a.dtype)  # 0-d: an array, not a NumPy scalar


def _is_diff_out(o):
    return isinstance(o, xp.Tensor) and o._array.dtype.kind in "fc"


def _seed(*parts):
    return zlib.crc32(repr(parts).encode())


def check_vjp(case, seed=0, eps=1e-6, ndir=2, rtol=1e-5):
    """autograd.grad's vector-Jacobian product against central differences of
    ``Re(sum(conj(w) * f))`` along random directions, per input (``ndir=0``: no
    finite differences). Returns the leaves, outputs, the indices of the
    differentiable outputs, their cotangents and the gradients."""
    rng = np.random.default_rng(seed)
    leaves = [_leaf(a) if i in case.diff else _value(a) for i, a in enumerate(case.args)]
    outs = case.call(leaves)
    sel = [i for i, o in enumerate(outs) if _is_diff_out(o) and o.requires_grad]
    ws = {i: _random_like(rng, outs[i]._array) for i in sel}
    if sel:
        grads = autograd.grad([outs[i] for i in sel], [leaves[i] for i in case.diff],
                              grad_outputs=[xp.asarray(ws[i]) for i in sel], allow_unused=True)
    else:
        grads = (None,) * len(case.diff)
    for i, g in zip(case.diff, grads):
        if g is not None:
            assert g.shape == case.args[i].shape, (case, i, g.shape, case.args[i].shape)
            assert g._array.dtype == case.args[i].dtype, (case, i, g.dtype, case.args[i].dtype)
            assert type(g) is xp.Tensor, case  # a plain tensor without create_graph

    def phi(values):
        o = case.call([_value(v) for v in values])
        total, mag = 0.0, 0.0
        for i in sel:
            p = np.conj(ws[i]) * o[i]._array
            total += float(np.sum(np.real(p)))
            mag += float(np.sum(np.abs(p)))
        return total, mag

    for j, (i, g) in enumerate(zip(case.diff, grads)):
        a = case.args[i]
        if a.size == 0:
            continue  # nothing to perturb
        for _ in range(ndir):
            v = _random_like(rng, a)
            plus = list(case.args)
            minus = list(case.args)
            plus[i] = a + eps * v
            minus[i] = a - eps * v
            fp, mag = phi(plus)
            fm, _ = phi(minus)
            num = (fp - fm) / (2 * eps)
            ana = 0.0 if g is None else float(np.sum(np.real(np.conj(g._array) * v)))
            # truncation error O(eps^2), rounding error O(1e-16 * mag / eps)
            tol = rtol * (abs(num) + abs(ana)) + 1e-8 * (1 + mag)
            assert abs(num - ana) <= tol, (
                f"{case}: input {i}: analytical directional derivative {ana!r}, "
                f"numerical {num!r}")
    return leaves, outs, sel, ws, grads


# ------------------------------------------------------------- input domains
def _draw(rng, shape, dtype, domain):
    dt = np.dtype(dtype)
    if domain is not None:
        return np.asarray(domain(rng, shape, dt)).astype(dt)
    a = rng.standard_normal(shape)
    if dt.kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return np.asarray(a).astype(dt)  # 0-d: an array, not a NumPy scalar


def _noncontiguous(a):
    """The same values as a non-contiguous view (every other element of a bigger array)."""
    if a.ndim == 0:
        return a
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype)
    big[..., ::2] = a
    v = big[..., ::2]
    assert not v.flags.c_contiguous or a.shape[-1] <= 1
    return v


def _dtypes(rec):
    out = ["float64"]
    if rec.dtypes in COMPLEX_CATEGORIES:
        out.append("complex128")
    return out


# ----------------------------------------------------------- elementwise cases
_UNARY_SHAPES = [(3, 4), (), (5,)]
_BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3)), ((2, 1, 3), (1, 4, 1))]


def _elementwise_cases():
    for rec in sorted((r for r in DIFF.values() if r.category == "elementwise"),
                      key=lambda r: r.name):
        for dt in _dtypes(rec):
            rng = np.random.default_rng(_seed(rec.name, dt))
            if rec.nargs == 1:
                for shape in _UNARY_SHAPES:
                    yield Case(rec.name, [_draw(rng, shape, dt, rec.domain)], rec.kwargs)
                yield Case(rec.name, [_noncontiguous(_draw(rng, (3, 4), dt, rec.domain))],
                           rec.kwargs, label="|noncontig")
                continue
            for sa, sb in _BINARY_SHAPES:
                yield Case(rec.name, [_draw(rng, sa, dt, rec.domain),
                                      _draw(rng, sb, dt, rec.domain)])
            a = _noncontiguous(_draw(rng, (3, 4), dt, rec.domain))
            yield Case(rec.name, [a, _draw(rng, (4,), dt, rec.domain)], label="|noncontig")
            if rec.scalars:
                s = _draw(rng, (), dt, rec.domain).item()
                x = _draw(rng, (3,), dt, rec.domain)
                yield Case(rec.name, [x, s], label="|scalar")
                yield Case(rec.name, [s, x], label="|scalar")


ELEMENTWISE = list(_elementwise_cases())


# ----------------------------------------------------------- CaseRecord cases
def _case_record_cases(category, dtypes=None, skip=()):
    out = []
    for rec in sorted((r for r in DIFF.values() if r.category == category), key=lambda r: r.name):
        if rec.name in skip:
            continue
        for dt in dtypes or _dtypes(rec):
            rng = np.random.default_rng(_seed(rec.name, dt))
            for k, c in enumerate(rec.cases):
                arrays = [_draw(rng, s, dt, rec.domain) for s in c.shapes]
                if k == 0 and arrays and arrays[0].ndim:
                    arrays[0] = _noncontiguous(arrays[0])
                out.append(Case(rec.name, arrays + list(c.args), c.kwargs,
                                diff=list(range(len(arrays))), seq=rec.seq))
    return out


def _stat_ok(case):
    """Skip var/std where M - correction <= 0 (the result is NaN)."""
    if case.name not in ("var", "std"):
        return True
    with np.errstate(all="ignore"):
        out = case.call([xp.asarray(case.args[0])])[0]
    return not np.isnan(out._array).any()


STATISTICAL = [c for c in _case_record_cases("statistical", ["float64"]) if _stat_ok(c)] + [
    c for c in _case_record_cases("statistical", ["complex128"], skip=("max", "min", "var", "std"))
    if c.args[0].size and c.args[0].ndim <= 2]
MANIPULATION = _case_record_cases("manipulation", ["float64"]) + [
    c for c in _case_record_cases("manipulation", ["complex128"]) if c.args[0].ndim <= 1]
SORTING = _case_record_cases("sorting", ["float64"])
UTILITY = _case_record_cases("utility", ["float64"])


def _where_cases():
    rec = DIFF["where"]
    rng = np.random.default_rng(5)
    for c in rec.cases:
        cond = rng.random(c.shapes[0]) < 0.5
        yield Case("where", [cond, _draw(rng, c.shapes[1], "float64", None),
                             _draw(rng, c.shapes[2], "float64", None)], diff=[1, 2])
    yield Case("where", [rng.random((4,)) < 0.5, 1.5, _draw(rng, (3, 4), "float64", None)],
               diff=[2], label="|scalar")


SEARCHING = list(_where_cases())


def _indexing_cases():
    out = []
    for rec in (DIFF.get("take"), DIFF.get("take_along_axis")):
        if rec is None:
            continue
        rng = np.random.default_rng(7)
        for c in rec.cases:
            (sx, si) = c.shapes
            x = _draw(rng, sx, "float64", None)
            axis = c.kwargs.get("axis", None if rec.name == "take" else -1)
            n = x.size if axis is None else x.shape[axis]
            if n == 0:
                idx = np.zeros(si, dtype=np.int64)
            else:
                idx = rng.integers(-n, n, size=si).astype(np.int64)
            out.append(Case(rec.name, [x, idx], c.kwargs, diff=[0]))
            out.append(Case(rec.name, [x.astype(np.complex128) * (1 + 0.5j), idx], c.kwargs,
                            diff=[0]))
    return out


INDEXING = _indexing_cases()


# -------------------------------------------------------------- linalg cases
def _sym(t, _torch=False):
    return (t + t.mH) / 2 if _torch else (t + xp.conj(xp.matrix_transpose(t))) / 2


def _abs2(t):
    return t * xp.conj(t) if t._array.dtype.kind == "c" else t * t


def _tabs2(t):
    return (t * t.conj()) if t.is_complex() else t * t


def _post_vectors(*outs, _torch=False):
    """Eigen/singular vectors only up to their sign/phase: use |v|^2."""
    f = _tabs2 if _torch else _abs2
    if len(outs) == 2:  # eigenvalues, eigenvectors
        return outs[0], f(outs[1])
    return f(outs[0]), outs[1], f(outs[2])


def _with_sym(name):
    fn = _func(name)

    def f(x, **kw):
        return fn(_sym(x), **kw)
    return f


_LINALG_ADAPT = {
    # name: (function, post, kwargs override)
    "linalg.eigh": (_with_sym("linalg.eigh"), _post_vectors, {}),
    "linalg.eigvalsh": (_with_sym("linalg.eigvalsh"), None, {}),
    "linalg.cholesky": (_with_sym("linalg.cholesky"), None, {}),
    "linalg.eig": (None, _post_vectors, {}),
    "linalg.svd": (None, _post_vectors, {"full_matrices": False}),
}


def _linalg_cases():
    out = []
    for rec in sorted((r for r in DIFF.values() if r.category in ("linalg", "linear_algebra")),
                      key=lambda r: r.name):
        fn, post, kw_over = _LINALG_ADAPT.get(rec.name, (None, None, {}))
        kwargs = dict(rec.kwargs)
        kwargs.update(kw_over)
        extra = []
        if rec.name == "linalg.matrix_power":
            extra = [kwargs.pop("n")]
        for dt in _dtypes(rec):
            rng = np.random.default_rng(_seed(rec.name, dt))
            for shapes in rec.shapes:
                shapes = (shapes,) if rec.nargs == 1 else shapes
                if any(0 in s for s in shapes):
                    continue  # empty: no derivative to check
                if dt == "complex128" and len(shapes[0]) > 3:
                    continue
                arrays = [_draw(rng, s, dt, rec.domain) for s in shapes]
                out.append(Case(rec.name, arrays + extra, kwargs, diff=list(range(len(arrays))),
                                fn=fn, post=post))
    return out


def _extra_linalg_cases():
    rng = np.random.default_rng(11)
    out = []
    a = rng.standard_normal((3, 4))
    sq = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    for ordv in ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf):
        out.append(Case("linalg.matrix_norm", [a], {"ord": ordv}))
    out.append(Case("linalg.matrix_norm", [sq], {"ord": "nuc", "keepdims": True}))
    out.append(Case("linalg.matrix_norm", [(a + 1j * rng.standard_normal((3, 4)))], {"ord": 2}))
    v = rng.standard_normal((3, 4))
    for ordv in (2, 1, 3, 0.5, math.inf, -math.inf, -1.5, 0):
        out.append(Case("linalg.vector_norm", [v], {"ord": ordv, "axis": 1}))
    out.append(Case("linalg.vector_norm", [v], {"axis": (0, 1), "keepdims": True}))
    out.append(Case("linalg.vector_norm", [v + 1j * rng.standard_normal((3, 4))],
                    {"ord": 3, "axis": 0}))
    out.append(Case("linalg.matrix_power", [sq, -2]))
    out.append(Case("linalg.matrix_power", [sq, 0]))
    out.append(Case("linalg.matrix_power", [sq, 1]))
    out.append(Case("linalg.cholesky", [rng.standard_normal((3, 3)) @ rng.standard_normal((3, 3)).T
                                        + 3 * np.eye(3)], {"upper": True},
                    fn=_with_sym("linalg.cholesky")))
    for shape, mode in (((4, 3), "complete"), ((3, 5), "complete"), ((3, 5), "reduced")):
        out.append(Case("linalg.qr", [rng.standard_normal(shape)], {"mode": mode},
                        post=(lambda q, r, _torch=False: (q[..., :3], r)) if mode == "complete"
                        and shape[0] > shape[1] else None))
    out.append(Case("linalg.qr", [rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))]))
    out.append(Case("linalg.svd", [rng.standard_normal((3, 3))], post=_post_vectors))
    out.append(Case("linalg.svd", [rng.standard_normal((5, 3))], {"full_matrices": True},
                    post=lambda u, s, vh, _torch=False: (u[..., :3] * u[..., :3], s, vh * vh)))
    for shape in ((4, 2), (2, 5)):
        c = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        out.append(Case("linalg.svd", [c], {"full_matrices": False},
                        post=lambda u, s, vh, _torch=False: (
                            (xp.matmul(u * xp.expand_dims(s, axis=-2), vh) if not _torch
                             else (u * s.unsqueeze(-2)) @ vh), s, _post_vectors(u, s, vh,
                                                                                _torch=_torch)[0])))
    out.append(Case("linalg.pinv", [rng.standard_normal((3, 4))], {"rtol": 1e-10}))
    out.append(Case("linalg.det", [np.array([[1.0, 2.0], [2.0, 4.0]])], label="|singular"))
    out.append(Case("linalg.det", [np.array([[[1.0, 2.0, 0], [2.0, 4.0, 1], [0, 1, 1]]])],
                    label="|singular"))
    out.append(Case("linalg.slogdet", [rng.standard_normal((3, 3)) + 1j *
                                       rng.standard_normal((3, 3))]))
    b = rng.standard_normal((5, 2))
    aa = rng.standard_normal((5, 3))
    out.append(Case("linalg.lstsq", [aa, b]))
    out.append(Case("linalg.lstsq", [aa, b[:, 0]]))
    out.append(Case("linalg.lstsq", [rng.standard_normal((3, 5)), rng.standard_normal((3,))]))
    out.append(Case("linalg.cross", [rng.standard_normal((4, 3)), rng.standard_normal((3,))],
                    {"axis": 1}))
    out.append(Case("linalg.diagonal", [rng.standard_normal((2, 3, 4))], {"offset": 1}))
    out.append(Case("linalg.diagonal", [rng.standard_normal((3, 4))], {"offset": -2}))
    out.append(Case("linalg.trace", [rng.standard_normal((2, 3, 4))], {"offset": -1}))
    out.append(Case("tensordot", [rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 2, 5))],
                    {"axes": ([0, 2], [1, 0])}))
    out.append(Case("tensordot", [rng.standard_normal((2, 3)), rng.standard_normal((4,))],
                    {"axes": 0}))
    out.append(Case("vecdot", [rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4)),
                               rng.standard_normal((2, 1, 4)) + 1j * rng.standard_normal((1, 4))]))
    out.append(Case("vecdot", [rng.standard_normal((4, 3)), rng.standard_normal((4, 3))],
                    {"axis": 0}))
    out.append(Case("matmul", [rng.standard_normal((3,)), rng.standard_normal((2, 3, 4))]))
    out.append(Case("matmul", [rng.standard_normal((2, 4, 3)), rng.standard_normal((3,))]))
    out.append(Case("matmul", [rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4)),
                               rng.standard_normal((4, 2))]))
    return out


LINALG = _linalg_cases() + _extra_linalg_cases()


def _fft_cases():
    out = []
    for rec in sorted((r for r in DIFF.values() if r.category == "fft"), key=lambda r: r.name):
        dts = {"complex floating-point": ["complex128"], "real floating-point": ["float64"],
               "all": ["float64"]}.get(rec.dtypes, ["float64", "complex128"])
        for dt in dts:
            rng = np.random.default_rng(_seed(rec.name, dt))
            for shape in rec.shapes:
                out.append(Case(rec.name, [_draw(rng, shape, dt, None)]))
            out.append(Case(rec.name, [_draw(rng, rec.shapes[1], dt, None)], rec.kwargs))
    # real input to a complex transform; odd lengths of the inverse real transforms
    rng = np.random.default_rng(3)
    out.append(Case("fft.fft", [rng.standard_normal((5,))], {"n": 8}))
    out.append(Case("fft.irfft", [rng.standard_normal((4,)) + 1j * rng.standard_normal((4,))],
                    {"n": 7}))
    out.append(Case("fft.irfft", [rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))],
                    {"n": 4, "axis": 0}))
    out.append(Case("fft.hfft", [rng.standard_normal((5,)) + 1j * rng.standard_normal((5,))],
                    {"n": 6}))
    out.append(Case("fft.rfftn", [rng.standard_normal((3, 4, 5))], {"s": (2, 6), "norm": "ortho"}))
    out.append(Case("fft.irfftn", [rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))],
                    {"s": (4, 5)}))
    out.append(Case("fft.fftn", [rng.standard_normal((3, 4))], {"axes": (1, 0), "s": (2, 6)}))
    return out


FFT = _fft_cases()


def _misc_cases():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((3, 4))
    out = [
        Case("clip", [x], {"min": -0.5, "max": 0.5}),
        Case("clip", [x, rng.standard_normal((3, 1)) - 0.5, rng.standard_normal((4,)) + 0.5],
             diff=[0, 1, 2], label="|tensor bounds"),
        Case("clip", [x], {"min": rng.standard_normal((4,)) - 0.5}, label="|min only"),
        Case("astype", [x, xp.float64], diff=[0]),
        Case("astype", [x, xp.complex128], diff=[0]),
        Case("tril", [x], {"k": 1}),
        Case("triu", [rng.standard_normal((2, 3, 3))], {"k": -1}),
        Case("meshgrid", [rng.standard_normal((3,)), rng.standard_normal((4,)),
                          rng.standard_normal((2,))]),
        Case("meshgrid", [rng.standard_normal((3,)), rng.standard_normal((4,))],
             {"indexing": "ij"}),
        Case("diff", [x], {"axis": 0, "prepend": rng.standard_normal((2, 4)),
                           "append": rng.standard_normal((1, 4))}, diff=[0]),
        Case("diff", [x], {"n": 2, "append": rng.standard_normal((3, 2))}, diff=[0],
             label="|tensor append"),
        Case("pow", [np.abs(x) + 0.5, 3], label="|int exponent"),
        Case("pow", [2.0, x], label="|scalar base"),
        Case("maximum", [x, 0.0], label="|relu"),
        Case("prod", [np.array([1.5, 0.0, -2.0, 3.0])], label="|one zero"),
        Case("prod", [np.array([[1.5, 0.0, -2.0, 0.0], [1.0, 2.0, 3.0, 4.0]])], {"axis": 1},
             label="|two zeros"),
        Case("cumulative_prod", [np.array([1.5, -2.0, 0.0, 3.0, 0.0, 2.0])], label="|zeros"),
        Case("cumulative_prod", [np.array([[1.5, 0.0], [0.0, 3.0], [2.0, -1.0]])], {"axis": 0},
             label="|zeros"),
        Case("sort", [x], {"axis": 0, "descending": True}),
        Case("repeat", [x, np.array([1, 0, 3])], {"axis": 0}, diff=[0], label="|tensor repeats"),
    ]
    # clip with the bounds given positionally
    out.append(Case("clip", [x, -0.3, 0.4], diff=[0], label="|positional"))
    # wrap the tensor repeats as a tensor argument
    out[-2].args[1] = xp.asarray(out[-2].args[1])
    return out


MISC = _misc_cases()


def _getitem(key):
    def f(x):
        return x[key]
    return f


def _getitem_cases():
    rng = np.random.default_rng(17)
    x = rng.standard_normal((4, 5))
    keys = [
        (1, 2), (slice(None), 0), (slice(None, None, -2), slice(1, 4)), (Ellipsis, None, 1),
        (np.array([0, 2, 2, -1]),), (np.array([[0, 1], [1, 1]]), np.array([4, 4])),
        (x > 0.3,), (slice(1, 3), np.array([0, 0, 3])), (xp.asarray(np.array([3, 3, 0])),),
        (xp.asarray(np.int64(2)),),
    ]
    return [Case("__getitem__", [x], fn=_getitem(k), label=f"|{k!r}") for k in keys] + [
        Case("__getitem__", [x + 1j * x[::-1]], fn=_getitem((np.array([1, 1]), slice(None))))]


GETITEM = _getitem_cases()

ALL_CASES = (ELEMENTWISE + STATISTICAL + MANIPULATION + SORTING + UTILITY + SEARCHING + INDEXING
             + LINALG + FFT + MISC + GETITEM)


def _by_name(cases):
    """Cases grouped per function: one test item per function keeps the file's
    run time down (pytest's per-item cost dominates these small checks); a
    failure names the case."""
    groups = {}
    for c in cases:
        groups.setdefault(c.name, []).append(c)
    return groups


CASES_BY_NAME = _by_name(ALL_CASES)


@pytest.mark.parametrize("name", sorted(CASES_BY_NAME))
def test_gradient_vs_finite_differences(name):
    for case in CASES_BY_NAME[name]:
        check_vjp(case)


# ------------------------------------------------------------ rule coverage
# Namespace functions that are not differentiable (PyTorch: no derivative, or an
# output that is integer/bool; the engine returns such outputs plain):
NON_DIFFERENTIABLE = {
    # creation functions: results do not depend on tensor inputs' values
    # (asarray/from_dlpack copy or share data outside the graph, as torch.tensor)
    "arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full", "full_like",
    "linspace", "ones", "ones_like", "zeros", "zeros_like",
    # data type functions: no array results
    "can_cast", "finfo", "iinfo", "isdtype", "result_type",
    # elementwise: bool or integer results
    "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "equal", "greater", "greater_equal", "isfinite", "isinf", "isnan", "less",
    "less_equal", "logical_and", "logical_not", "logical_or", "logical_xor", "not_equal",
    "signbit",
    # integer results (indices, counts, ranks)
    "argmax", "argmin", "argsort", "count_nonzero", "nonzero", "searchsorted",
    "linalg.matrix_rank",
    # set functions: PyTorch's unique has no derivative; isin is bool
    "isin", "unique_all", "unique_counts", "unique_inverse", "unique_values",
    # utility: bool results
    "all", "any",
    # manipulation: a shape, not an array
    "broadcast_shapes",
    # fft: sample frequencies (no tensor input)
    "fft.fftfreq", "fft.rfftfreq",
    # extras outside the standard (PyTorch names): threads, random seeds, files
    "get_num_threads", "set_num_threads", "initial_seed", "manual_seed", "seed", "save", "load",
}


def _namespace_functions():
    names = {}
    for n in xp.__all__:
        obj = getattr(xp, n)
        if inspect.isfunction(obj):
            names[n] = obj
    for mod in ("linalg", "fft"):
        m = getattr(xp, mod)
        for n in m.__all__:
            obj = getattr(m, n)
            if not inspect.isfunction(obj):
                continue
            same = [k for k, v in names.items() if v is obj]
            if not same:  # linalg.matmul is xp.matmul
                names[f"{mod}.{n}"] = obj
    return names


def test_every_function_has_a_rule():
    funcs = _namespace_functions()
    missing = sorted(n for n in funcs if n not in NON_DIFFERENTIABLE and n not in RULES)
    assert not missing, f"differentiable functions without a gradient rule: {missing}"
    # every record marked differentiable has a rule, and vice versa
    no_rule = sorted(r.name for r in RECORDS if r.differentiable and r.name not in RULES)
    assert not no_rule, no_rule
    unmarked = sorted(r.name for r in RECORDS if not r.differentiable and r.name in RULES)
    assert not unmarked, f"records of functions with a rule, not marked differentiable: {unmarked}"
    stale = sorted(n for n in NON_DIFFERENTIABLE if n not in funcs)
    assert not stale, f"names in NON_DIFFERENTIABLE that are not namespace functions: {stale}"


def test_every_rule_is_wired_and_tested():
    """Each function with a rule reaches the autograd hook (an elementwise table
    function, or wrapped by ``differentiable``) and has a gradient test above."""
    funcs = _namespace_functions()
    tested = {c.name for c in ALL_CASES}
    for name, f in funcs.items():
        if name in NON_DIFFERENTIABLE:
            continue
        assert hasattr(f, "__wrapped_raw__") or hasattr(f, "_category"), name
        assert name in tested, f"{name} has no gradient test"
    # (the rules of the nn primitives, "nn.relu", ..., are tested in tests/test_nn_rules.py
    # and test_nn_gradcheck.py; "special.erf", ... in tests/test_special_functions.py)
    public = {n for n in RULES if not n.startswith(("_", "nn.", "special."))}
    assert public - set(funcs) == set(), public - set(funcs)


def test_non_differentiable_outputs_are_plain():
    x = xp.tensor(np.arange(6.0).reshape(2, 3) - 2.5, requires_grad=True)
    for out in (xp.argmax(x), xp.argsort(x), xp.isnan(x), x > 0, xp.count_nonzero(x),
                xp.linalg.matrix_rank(x)):
        assert not out.requires_grad and out.grad_fn is None


# ------------------------------------------------------------ special points
def _grad(f, *arrays, g=None):
    leaves = [xp.tensor(a, requires_grad=True) for a in arrays]
    out = f(*leaves)
    out.backward(g)
    return [t.grad._array for t in leaves]


def test_abs_and_relu_like_kinks():
    (g,) = _grad(lambda x: xp.sum(xp.abs(x)), np.array([-2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(g, [-1.0, 0.0, 1.0])
    ga, gb = _grad(lambda a, b: xp.sum(xp.maximum(a, b)), np.array([1.0, 2.0, 3.0]),
                   np.array([1.0, 5.0, 0.0]))
    np.testing.assert_array_equal(ga, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(gb, [0.5, 1.0, 0.0])
    (g,) = _grad(lambda x: xp.sum(xp.clip(x, min=0.0, max=1.0)), np.array([-1.0, 0.0, 0.5, 1.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0, 1.0, 0.0])  # grad flows where min<=x<=max


def test_max_splits_ties_evenly():
    (g,) = _grad(lambda x: xp.max(x, axis=1), np.array([[1.0, 3.0, 3.0, 3.0], [0.0, 2.0, 1.0, 2.0]]),
                 g=xp.asarray([3.0, 1.0]))
    np.testing.assert_allclose(g, [[0, 1, 1, 1], [0, 0.5, 0, 0.5]])


def test_prod_with_zeros_has_no_nan():
    (g,) = _grad(lambda x: xp.prod(x), np.array([2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(g, [0.0, 6.0, 0.0])
    (g,) = _grad(lambda x: xp.prod(x), np.array([2.0, 0.0, 0.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0])


def test_pow_at_zero():
    (g,) = _grad(lambda x: xp.sum(x ** 2.0), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(g, [0.0, 2.0])
    (g,) = _grad(lambda x: xp.sum(x ** 0.0), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0])
    (g,) = _grad(lambda y: xp.sum(xp.pow(0.0, y)), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_norms_and_std_at_zero():
    (g,) = _grad(lambda x: xp.linalg.vector_norm(x), np.zeros(3))
    np.testing.assert_array_equal(g, np.zeros(3))
    (g,) = _grad(lambda x: xp.std(x), np.ones(4))
    np.testing.assert_array_equal(g, np.zeros(4))


def test_eigenvalues_of_degenerate_matrix():
    # a loss of the eigenvalues alone needs no distinct eigenvalues (no 0/0)
    (g,) = _grad(lambda a: xp.sum(xp.linalg.eigh(a).eigenvalues * xp.asarray([1.0, 2.0, 3.0])),
                 np.eye(3))
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(np.trace(g), 6.0)
    (g,) = _grad(lambda a: xp.sum(xp.linalg.svdvals(a)), np.eye(3))
    np.testing.assert_allclose(g, np.eye(3))


def test_ill_defined_vector_gradients_raise():
    a = xp.tensor(np.random.default_rng(0).standard_normal((4, 2)), requires_grad=True)
    u, s, vh = xp.linalg.svd(a)  # full_matrices=True: U is 4x4
    with pytest.raises(RuntimeError, match="full_matrices"):
        xp.sum(u).backward()
    q, r = xp.linalg.qr(a, mode="complete")
    with pytest.raises(RuntimeError, match="complete"):
        xp.sum(q).backward()


def test_no_rule_raises_clearly():
    x = xp.tensor([1.0, 2.0], requires_grad=True)
    name = "linalg.det"
    saved = RULES.pop(name)
    try:
        with pytest.raises(RuntimeError, match="no gradient rule"):
            xp.linalg.det(xp.reshape(x, (1, 2)) * xp.reshape(x, (2, 1)))
    finally:
        RULES[name] = saved


# ------------------------------------------------------ second derivatives
# Compositions and functions outside the record-driven set above
_SECOND = [
    ("sqrt", lambda x: xp.sqrt(x * x + 1)),
    ("getitem", lambda x: (x * x)[xp.asarray([0, 0, 2]), 1:]),
    ("take", lambda x: xp.take(x * x, xp.asarray([1, 1, 0]), axis=1)),
    ("sort", lambda x: xp.sort(x * x, axis=0)),
    ("linalg.eigh", lambda x: xp.linalg.eigh(x + xp.matrix_transpose(x)).eigenvalues),
    ("linalg.cholesky", lambda x: xp.linalg.cholesky(
        xp.matmul(x, xp.matrix_transpose(x)) + 3 * xp.eye(3))),
    ("fft.rfft", lambda x: xp.real(xp.fft.rfft(x * x))),
]


@pytest.mark.parametrize("name, f", _SECOND, ids=[n for n, _ in _SECOND])
def test_second_derivatives(name, f):
    rng = np.random.default_rng(23)
    x = xp.tensor(rng.standard_normal((3, 3)) + (0.3 if name == "prod" else 0.0),
                  requires_grad=True)
    assert gradgradcheck(f, (x,), atol=1e-5, rtol=1e-4)


# Driven by the records: each listed function's own cases (record domains, shapes,
# kwargs; float64, small inputs), checked two ways: gradgradcheck (second derivatives
# and the backward's derivative with respect to the cotangent), and a Hessian-vector
# product of ``sum(w * f + f * f / 2)`` (``create_graph=True``, then ``grad`` of
# <grad, v>; the square makes even a linear f's backward have to be recorded)
# against central differences of the gradient. sigmoid and logsumexp are built from
# namespace functions.
SECOND_ORDER = [
    # elementwise
    "exp", "log", "tanh", "sqrt", "sin", "expm1", "log1p", "reciprocal", "square", "pow",
    "divide", "multiply", "atan2", "hypot", "logaddexp", "maximum",
    # reductions
    "sum", "mean", "prod", "max", "min", "std", "var", "cumulative_sum", "cumulative_prod",
    # products and linalg
    "matmul", "tensordot", "vecdot", "linalg.inv", "linalg.det", "linalg.slogdet",
    "linalg.solve", "linalg.vector_norm", "linalg.eigvalsh",
]


def _composite_cases():
    rng = np.random.default_rng(31)
    x = rng.standard_normal((3, 4))
    return [
        Case("sigmoid", [x], fn=lambda t: 1 / (1 + xp.exp(-t)), label="|1/(1+exp(-x))"),
        Case("logsumexp", [x], {"axis": 1},
             fn=lambda t, axis: xp.log(xp.sum(xp.exp(t - xp.max(t, axis=axis, keepdims=True)),
                                              axis=axis)) + xp.max(t, axis=axis),
             label="|max-shifted"),
        # matrix products with a contraction (the records' cases are larger)
        Case("matmul", [rng.standard_normal((2, 3)), rng.standard_normal((3, 2))]),
        Case("tensordot", [rng.standard_normal((2, 3)), rng.standard_normal((3, 2))],
             {"axes": 1}),
    ]


def _second_order_cases():
    """Up to two small float64 record cases per function: the most dimensions
    first, distinct shapes/keywords."""
    groups = {}
    for name in SECOND_ORDER:
        eligible = [c for c in CASES_BY_NAME[name]
                    if c.diff and c.post is None
                    and all(c.args[i].dtype == np.float64 and c.args[i].size for i in c.diff)
                    and sum(c.args[i].size for i in c.diff) <= 16]
        eligible.sort(key=lambda c: -sum(c.args[i].ndim for i in c.diff))
        picked, seen = [], set()
        for c in eligible:
            sig = (tuple(c.args[i].shape for i in c.diff), tuple(sorted(c.kwargs)))
            if sig not in seen and len(picked) < 2:
                seen.add(sig)
                picked.append(c)
        assert picked, f"no small float64 record case for {name}"
        groups[name] = picked
    for c in _composite_cases():
        groups.setdefault(c.name, []).append(c)
    return groups


SECOND_BY_NAME = _second_order_cases()


def _diff_fn(case):
    """``f(*tensors)``: the case's function of its differentiable inputs (the
    other arguments fixed), returning its differentiable outputs."""
    def f(*ts):
        values = [_value(a) for a in case.args]
        for i, t in zip(case.diff, ts):
            values[i] = t
        return tuple(o for o in case.call(values) if _is_diff_out(o))
    return f


def check_hvp(case, seed=0, eps=1e-5):
    """H v of ``L = sum(w * f + f * f / 2)`` by double backward vs central
    differences of the gradient along v."""
    rng = np.random.default_rng(seed)
    f = _diff_fn(case)
    arrays = [case.args[i] for i in case.diff]
    ws = [_random_like(rng, o._array) for o in f(*[_value(a) for a in arrays])]
    vs = [_random_like(rng, a) for a in arrays]

    def gradient(arrs, create_graph=False):
        ts = [_leaf(a) for a in arrs]
        loss = 0.0
        for o, w in zip(f(*ts), ws):
            loss = loss + xp.sum(o * xp.asarray(w) + o * o / 2)
        gs = autograd.grad(loss, ts, create_graph=create_graph, allow_unused=True)
        return ts, [g if g is not None else xp.zeros_like(t) for g, t in zip(gs, ts)]

    ts, gs = gradient(arrays, create_graph=True)
    assert all(g.requires_grad for g in gs), f"{case}: create_graph gave a constant gradient"
    dot = sum(xp.sum(g * xp.asarray(v)) for g, v in zip(gs, vs))
    hv = autograd.grad(dot, ts, allow_unused=True)
    _, gp = gradient([a + eps * v for a, v in zip(arrays, vs)])
    _, gm = gradient([a - eps * v for a, v in zip(arrays, vs)])
    for k, (h, p, m) in enumerate(zip(hv, gp, gm)):
        num = (p._array - m._array) / (2 * eps)
        ana = np.zeros_like(num) if h is None else h._array
        np.testing.assert_allclose(ana, num, rtol=1e-5, atol=1e-6 * (1 + np.abs(num).max()),
                                   err_msg=f"Hessian-vector product, input {k} of {case}")


@pytest.mark.parametrize("name", sorted(SECOND_BY_NAME))
def test_second_derivatives_from_records(name):
    for case in SECOND_BY_NAME[name]:
        f = _diff_fn(case)
        xs = tuple(_leaf(case.args[i]) for i in case.diff)
        assert gradgradcheck(f, xs, atol=1e-5, rtol=1e-4), case
        check_hvp(case)


def test_second_derivative_of_prod_with_a_zero():
    x = xp.tensor(np.array([[2.0, 0.0, 3.0, -1.0], [1.0, 2.0, 0.5, 4.0]]), requires_grad=True)
    assert gradgradcheck(lambda t: xp.prod(t, axis=1), (x,), atol=1e-5, rtol=1e-4)


def test_third_derivative():
    x = xp.tensor([0.3, -0.7], requires_grad=True)
    y = xp.sum(xp.sin(x) * x)
    (g1,) = autograd.grad(y, x, create_graph=True)
    (g2,) = autograd.grad(xp.sum(g1), x, create_graph=True)
    (g3,) = autograd.grad(xp.sum(g2), x)
    v = np.array([0.3, -0.7])
    # d3/dx3 (x sin x) = -3 sin x - x cos x
    np.testing.assert_allclose(g3._array, -3 * np.sin(v) - v * np.cos(v), rtol=1e-12)


def test_gradcheck_full_jacobian_representative():
    rng = np.random.default_rng(29)
    x = xp.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    y = xp.tensor(rng.standard_normal((3,)), requires_grad=True)
    assert gradcheck(lambda a, b: xp.atan2(a, b * b + 1) * xp.sum(a * b, axis=1, keepdims=True),
                     (x, y))
    assert gradcheck(lambda a: xp.concat([a, xp.flip(a, axis=0)], axis=1)[:, ::2], (x,))


# ------------------------------------------------------------------ PyTorch
_T_ELEMENTWISE = {
    "divide": "div", "multiply": "mul", "subtract": "sub", "negative": "neg",
    "pow": "pow", "clip": "clamp", "floor_divide": "floor_divide",
}


def _t_reduce_kwargs(kw, ndim):
    out = {}
    axis = kw.get("axis")
    if axis is not None:
        out["dim"] = tuple(axis) if isinstance(axis, (tuple, list)) else axis
    elif kw.get("keepdims"):
        out["dim"] = tuple(range(ndim))
    if kw.get("keepdims"):
        out["keepdim"] = True
    return out


def _t_cumulative(op):
    def f(x, axis=None, include_initial=False):
        if x.ndim == 0:
            x = x.reshape(1)
        ax = 0 if axis is None else axis
        r = op(x, dim=ax)
        if include_initial:
            shape = list(r.shape)
            shape[ax] = 1
            init = torch.zeros(shape, dtype=r.dtype) if op is torch.cumsum else \
                torch.ones(shape, dtype=r.dtype)
            r = torch.cat([init, r], dim=ax)
        return r
    return f


def _t_take(x, idx, axis=None):
    if axis is None:
        return x.reshape(-1)[idx]
    return x[(slice(None),) * (axis % x.ndim) + (idx,)]


def _t_take_along_axis(x, idx, axis=-1):
    n = x.shape[axis]
    return torch.take_along_dim(x, idx % n if n else idx, dim=axis)


def _t_repeat(x, r, axis=None):
    if axis is None:
        return torch.repeat_interleave(x.reshape(-1), r)
    return torch.repeat_interleave(x, r, dim=axis)


def _t_roll(x, shift, axis=None):
    if isinstance(axis, tuple) and isinstance(shift, int):
        shift = (shift,) * len(axis)  # the standard broadcasts one shift over the axes
    return torch.roll(x, shift, dims=axis)


def _t_cross(a, b, axis=-1):
    # torch.linalg.cross broadcasts only between inputs of equal ndim
    axis = _t_neg_axis(axis, a, b)
    a, b = torch.broadcast_tensors(a, b)
    return torch.linalg.cross(a, b, dim=axis)


def _t_matmul(a, b):
    dt = torch.promote_types(a.dtype, b.dtype)  # torch.matmul does not promote
    return torch.matmul(a.to(dt), b.to(dt))


def _t_concat(arrays, axis=0):
    if axis is None:
        return torch.cat([a.reshape(-1) for a in arrays])
    return torch.cat(arrays, dim=axis)


def _t_norm_kw(kw):
    out = dict(kw)
    if "axis" in out:
        out["dim"] = out.pop("axis")
    if "keepdims" in out:
        out["keepdim"] = out.pop("keepdims")
    return out


def _t_fft(name):
    f = getattr(torch.fft, name)

    def g(x, **kw):
        kw = dict(kw)
        if "axis" in kw:
            kw["dim"] = kw.pop("axis")
        if "axes" in kw:
            kw["dim"] = kw.pop("axes")
        return f(x, **kw)
    return g


def _torch_fn(case):
    """The torch counterpart of a case's function (None: no counterpart)."""
    name = case.name
    T = torch
    # arguments PyTorch does not take, or where its derivative is not the one we check
    if name == "roll" and isinstance(case.kwargs.get("shift"), int) and \
            abs(case.kwargs["shift"]) >= 2 ** 63:
        return None  # shift beyond int64
    if name == "linalg.qr" and case.kwargs.get("mode") == "complete" and \
            case.args[0].shape[-2] > case.args[0].shape[-1]:
        return None  # PyTorch: "not differentiable when mode='complete' and nrows > ncols"
    if name == "linalg.det" and case.label == "|singular" and case.args[0].shape[-1] == 2:
        # PyTorch 2.x returns a zero gradient for an exactly singular 2x2 matrix; the
        # gradient is the adjugate's transpose (finite differences above confirm ours)
        return None
    if name == "imag" and not np.iscomplexobj(case.args[0]):
        return lambda x: x * 0  # PyTorch: imag of a real tensor raises; ours is 0
    if name in ("linalg.eigh", "linalg.eigvalsh", "linalg.cholesky"):
        # the cases symmetrise the input
        base = {"linalg.eigh": T.linalg.eigh, "linalg.eigvalsh": T.linalg.eigvalsh,
                "linalg.cholesky": T.linalg.cholesky}[name]
        return lambda x, **kw: base(_sym(x, _torch=True), **kw)
    if name == "__getitem__":
        key = case.fn.__closure__[0].cell_contents

        def conv(k):
            if isinstance(k, np.ndarray):
                return T.as_tensor(k)
            if isinstance(k, xp.Tensor):
                a = k._array
                return int(a) if a.ndim == 0 else T.as_tensor(a)
            return k
        if any(isinstance(k, slice) and (k.step or 1) < 0 for k in key):
            return None  # PyTorch: no negative slice steps
        tkey = tuple(conv(k) for k in key)
        return lambda x: x[tkey]
    if case.category == "elementwise" or name == "clip":
        if name in ("nextafter", "floor_divide"):
            return None  # PyTorch: no derivative
        if name == "round" and any(np.iscomplexobj(a) for a in case.args):
            return None  # PyTorch: no complex round
        if name == "sign" and any(np.iscomplexobj(a) for a in case.args):
            return T.sgn
        tname = _T_ELEMENTWISE.get(name, name)
        f = getattr(T, tname)
        if name == "clip":
            return lambda x, *b, min=None, max=None: f(x, *(b or (min, max)))
        return f
    simple = {
        "sum": lambda x, **kw: T.sum(x, **_t_reduce_kwargs(kw, x.ndim)) if kw.get("axis") != ()
        else None,
        "mean": lambda x, **kw: T.mean(x, **_t_reduce_kwargs(kw, x.ndim)),
        "max": lambda x, **kw: T.amax(x, **_t_reduce_kwargs(kw, x.ndim)),
        "min": lambda x, **kw: T.amin(x, **_t_reduce_kwargs(kw, x.ndim)),
        "var": lambda x, correction=0.0, **kw: T.var(x, correction=correction,
                                                      **_t_reduce_kwargs(kw, x.ndim)),
        "std": lambda x, correction=0.0, **kw: T.std(x, correction=correction,
                                                      **_t_reduce_kwargs(kw, x.ndim)),
        "cumulative_sum": _t_cumulative(T.cumsum),
        "cumulative_prod": _t_cumulative(T.cumprod),
        "broadcast_to": lambda x, shape: T.broadcast_to(x, shape),
        "broadcast_arrays": lambda *a: T.broadcast_tensors(*a),
        "concat": _t_concat,
        "stack": lambda arrays, axis=0: T.stack(arrays, dim=axis),
        "unstack": lambda x, axis=0: T.unbind(x, dim=axis),
        "flip": lambda x, axis=None: T.flip(x, dims=tuple(range(x.ndim)) if axis is None else
                                            (axis if isinstance(axis, tuple) else (axis,))),
        "permute_dims": lambda x, axes: T.permute(x, axes),
        "moveaxis": lambda x, s, d: T.movedim(x, s, d),
        "reshape": lambda x, shape, copy=None: T.reshape(x, shape),
        "repeat": _t_repeat,
        "tile": lambda x, reps: T.tile(x, reps),
        "roll": _t_roll,
        "take": _t_take,
        "take_along_axis": _t_take_along_axis,
        "sort": lambda x, axis=-1, descending=False, stable=True: T.sort(
            x, dim=axis, descending=descending, stable=True).values,
        "where": lambda c, a, b: T.where(c, a, b),
        "matmul": _t_matmul,
        "matrix_transpose": lambda x: x.mT,
        "tensordot": lambda a, b, axes=2: T.tensordot(a, b, dims=axes),
        "vecdot": lambda a, b, axis=-1: T.linalg.vecdot(a, b, dim=_t_neg_axis(axis, a, b)),
        "linalg.cross": _t_cross,
        "linalg.det": T.linalg.det,
        "linalg.diagonal": lambda x, offset=0: T.diagonal(x, offset=offset, dim1=-2, dim2=-1),
        "linalg.eig": T.linalg.eig,
        "linalg.eigvals": T.linalg.eigvals,
        "linalg.inv": T.linalg.inv,
        "linalg.matrix_norm": lambda x, **kw: T.linalg.matrix_norm(x, **_t_norm_kw(kw)),
        "linalg.vector_norm": lambda x, **kw: T.linalg.vector_norm(x, **_t_norm_kw(kw)),
        "linalg.matrix_power": T.linalg.matrix_power,
        "linalg.outer": T.outer,
        "linalg.pinv": lambda x, rtol=None: T.linalg.pinv(x, rtol=rtol),
        "linalg.qr": lambda x, mode="reduced": T.linalg.qr(x, mode=mode),
        "linalg.slogdet": T.linalg.slogdet,
        "linalg.solve": T.linalg.solve,
        "linalg.svd": lambda x, full_matrices=True: T.linalg.svd(x, full_matrices=full_matrices),
        "linalg.svdvals": T.linalg.svdvals,
        "linalg.trace": lambda x, offset=0: T.diagonal(x, offset=offset, dim1=-2,
                                                       dim2=-1).sum(-1),
        "tril": lambda x, k=0: T.tril(x, diagonal=k),
        "triu": lambda x, k=0: T.triu(x, diagonal=k),
        "meshgrid": lambda *a, indexing="xy": T.meshgrid(*a, indexing=indexing),
        "diff": lambda x, n=1, axis=-1, prepend=None, append=None: T.diff(
            x, n=n, dim=axis, prepend=prepend, append=append),
        "astype": lambda x, dt: x.to({"float32": T.float32, "float64": T.float64,
                                       "complex128": T.complex128}[dt.name]),
    }
    if name in simple:
        return simple[name]
    if name == "prod":
        def prod(x, axis=None, keepdims=False):
            if axis is None and not keepdims:
                return T.prod(x)
            if isinstance(axis, int):
                return T.prod(x, dim=axis, keepdim=keepdims)
            return None
        return prod
    if name.startswith("fft."):
        return _t_fft(name[4:])
    return None


Case.category = property(lambda self: DIFF[self.name].category if self.name in DIFF else "")


def _t_neg_axis(axis, a, b):
    """minitensor's non-negative vecdot/cross axis counts in the broadcast shape."""
    return axis - max(a.ndim, b.ndim) if axis >= 0 else axis


def _to_torch(v):
    # np.array copies to C order and, unlike np.ascontiguousarray, keeps 0-d arrays 0-d
    if isinstance(v, np.ndarray):
        return torch.from_numpy(np.array(v))
    if isinstance(v, xp.Tensor):
        return torch.from_numpy(np.array(v._array))
    if isinstance(v, np.generic):
        return torch.from_numpy(np.array(v))
    if type(v) is float:
        return torch.tensor(v, dtype=torch.float64)
    if type(v) is complex:
        return torch.tensor(v, dtype=torch.complex128)
    return v


def _t_numpy(t):
    """A torch tensor's values (conj/neg views, e.g. from torch.conj, resolved)."""
    return t.detach().resolve_conj().resolve_neg().numpy()


TORCH_CASES = [c for c in ALL_CASES if c.name not in ("linalg.lstsq", "nextafter")
               and not any(str(k) == "()" for k in c.kwargs.values())]


TORCH_BY_NAME = _by_name(TORCH_CASES)


@needs_torch
@pytest.mark.parametrize("name", sorted(TORCH_BY_NAME))
def test_forward_and_backward_match_pytorch(name):
    compared = sum(_compare_with_torch(case) for case in TORCH_BY_NAME[name])
    if not compared:
        pytest.skip(f"no PyTorch counterpart for {name} on these arguments")


def _compare_with_torch(case):
    """Forward values and vector-Jacobian products of one case against PyTorch's;
    False when PyTorch has no counterpart for the case."""
    tfn = _torch_fn(case)
    if tfn is None:
        return False
    case.torch_fn = tfn
    leaves, outs, sel, ws, grads = check_vjp(case, ndir=0)
    targs = [_to_torch(a) for a in case.args]
    for i in case.diff:
        targs[i] = targs[i].clone().requires_grad_()
    tkw = {k: _to_torch(v) for k, v in case.kwargs.items()}
    saved = case.kwargs
    case.kwargs = tkw
    try:
        with warnings.catch_warnings():
            # var/std with correction >= M: NaN as ours, plus a UserWarning
            warnings.filterwarnings("ignore", "(var|std).*degrees of freedom", UserWarning)
            touts = case.call(targs, module="torch")
    finally:
        case.kwargs = saved
    if any(t is None for t in touts):
        return False
    assert len(touts) == len(outs)
    for o, t in zip(outs, touts):
        np.testing.assert_allclose(o._array, _t_numpy(t), rtol=1e-9, atol=1e-10,
                                   err_msg=f"forward of {case}")
    if not sel:
        return True
    used = [(touts[i], ws[i]) for i in sel]
    tin = [targs[i] for i in case.diff]
    tgrads = torch.autograd.grad([t for t, _ in used],
                                 tin, grad_outputs=[torch.from_numpy(w) for _, w in used],
                                 allow_unused=True)
    for i, g, tg in zip(case.diff, grads, tgrads):
        if tg is None:
            assert g is None or not np.any(g._array), (case, i)
            continue
        assert g is not None, (case, i)
        np.testing.assert_allclose(g._array, _t_numpy(tg), rtol=1e-7, atol=1e-9,
                                   err_msg=f"gradient of input {i} of {case}")
    return True
