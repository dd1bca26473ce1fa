"""The float16 extension dtype: ``minitensor.float16`` behaves as NumPy 2's float16.

A table of namespace functions is run on float16 inputs and compared with NumPy
on the same inputs (result dtype exactly, values to a few float16 ulps);
creation, conversion (NumPy, DLPack, astype), the data type functions, the
inspection API (float16 is not listed there), fft/linalg dtypes, tensor methods,
save/load, and the nn/optim paths whose compiled kernels exist for float32 and
float64 only (a float16 array must never reach one).
"""
import numpy as np
import pytest

import minitensor as xp
import minitensor.fft as mfft
import minitensor.linalg as mlinalg

F16 = np.float16
RTOL, ATOL = 4e-3, 1e-3  # float16: eps = 2**-10 ~ 9.8e-4


def _input(seed, shape, lo=-2.0, hi=2.0):
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, shape).astype(F16)


def _check(out, ref, exact=False):
    out = out if isinstance(out, (tuple, list)) else (out,)
    ref = ref if isinstance(ref, (tuple, list)) else (ref,)
    assert len(out) == len(ref)
    for o, r in zip(out, ref):
        assert type(o) is xp.Tensor
        r = np.asarray(r)
        a = np.asarray(o)
        assert a.dtype == r.dtype, (a.dtype, r.dtype)
        assert a.shape == r.shape, (a.shape, r.shape)
        if exact or a.dtype.kind not in "fc":
            np.testing.assert_array_equal(a, r)
        else:
            np.testing.assert_allclose(a, r, rtol=RTOL, atol=ATOL, equal_nan=True)


# ------------------------------------------------------------------ the table
# domains of the unary functions (inputs inside them, float16)
_DOMAIN = {"acos": (-0.9, 0.9), "asin": (-0.9, 0.9), "atanh": (-0.9, 0.9), "acosh": (1.0, 3.0),
           "log": (0.1, 3.0), "log2": (0.1, 3.0), "log10": (0.1, 3.0), "log1p": (-0.5, 3.0),
           "sqrt": (0.0, 3.0), "reciprocal": (0.5, 2.0), "tan": (-1.0, 1.0)}
UNARY = ["abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "conj", "cos", "cosh",
         "exp", "expm1", "floor", "isfinite", "isinf", "isnan", "log", "log1p", "log2", "log10",
         "negative", "positive", "reciprocal", "round", "sign", "signbit", "sin", "sinh", "sqrt",
         "square", "tan", "tanh", "trunc", "real", "imag", "logical_not"]
BINARY = ["add", "subtract", "multiply", "divide", "atan2", "copysign", "hypot", "logaddexp",
          "maximum", "minimum", "nextafter", "remainder", "floor_divide", "equal", "not_equal",
          "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
          "logical_xor"]
REDUCTIONS = ["sum", "prod", "max", "min", "mean", "var", "std", "argmax", "argmin",
              "count_nonzero", "all", "any"]


def _np(name):
    # NumPy 2 has the standard's names; imag/real/round are functions there too
    return getattr(np, name)


def _unary_case(name):
    lo, hi = _DOMAIN.get(name, (-2.0, 2.0))
    a = _input(1, (3, 4), lo, hi)
    return (lambda: getattr(xp, name)(xp.asarray(a))), (lambda: _np(name)(a))


def _binary_case(name):
    a, b = _input(2, (3, 4)), _input(3, (4,), 0.5, 2.0)
    return (lambda: getattr(xp, name)(xp.asarray(a), xp.asarray(b))), (lambda: _np(name)(a, b))


def _reduction_case(name, axis):
    a = _input(4, (3, 5), 0.5, 1.5)
    return ((lambda: getattr(xp, name)(xp.asarray(a), axis=axis)),
            (lambda: _np(name)(a, axis=axis)))


def _other_cases():
    a, b = _input(5, (3, 4)), _input(6, (3, 4))
    v, m = _input(7, (6,)), _input(8, (3, 3))
    A, B, V, M = xp.asarray(a), xp.asarray(b), xp.asarray(v), xp.asarray(m)
    s = np.sort(v)
    return {
        "pow": (lambda: xp.pow(xp.abs(A), B), lambda: np.pow(np.abs(a), b)),
        "clip": (lambda: xp.clip(A, -0.5, 1.0), lambda: np.clip(a, -0.5, 1.0)),
        "cumulative_sum": (lambda: xp.cumulative_sum(A, axis=1),
                           lambda: np.cumulative_sum(a, axis=1)),
        "cumulative_prod": (lambda: xp.cumulative_prod(A, axis=0),
                            lambda: np.cumulative_prod(a, axis=0)),
        "sum_all": (lambda: xp.sum(A), lambda: np.sum(a)),
        "mean_all": (lambda: xp.mean(A), lambda: np.mean(a)),
        "std_keepdims": (lambda: xp.std(A, axis=1, keepdims=True, correction=1),
                         lambda: np.std(a, axis=1, keepdims=True, ddof=1)),
        "sum_float32": (lambda: xp.sum(A, dtype=xp.float32), lambda: np.sum(a, dtype=np.float32)),
        "matmul": (lambda: xp.matmul(A, xp.matrix_transpose(B)), lambda: a @ b.T),
        "tensordot": (lambda: xp.tensordot(A, B, axes=2), lambda: np.tensordot(a, b, axes=2)),
        "vecdot": (lambda: xp.vecdot(A, B), lambda: np.vecdot(a, b)),
        "sort": (lambda: xp.sort(A, axis=0), lambda: np.sort(a, axis=0)),
        "argsort": (lambda: xp.argsort(V), lambda: np.argsort(v, stable=True)),
        "searchsorted": (lambda: xp.searchsorted(xp.asarray(s), V), lambda: np.searchsorted(s, v)),
        "unique_values": (lambda: xp.unique_values(xp.round(A)), lambda: np.unique(np.round(a))),
        "isin": (lambda: xp.isin(A, B), lambda: np.isin(a, b)),
        "where": (lambda: xp.where(A > 0, A, B), lambda: np.where(a > 0, a, b)),
        "concat": (lambda: xp.concat([A, B]), lambda: np.concatenate([a, b])),
        "stack": (lambda: xp.stack([A, B]), lambda: np.stack([a, b])),
        "diff": (lambda: xp.diff(A), lambda: np.diff(a)),
        "take": (lambda: xp.take(A, xp.asarray([2, 0]), axis=1), lambda: np.take(a, [2, 0], axis=1)),
        "flip": (lambda: xp.flip(A), lambda: np.flip(a)),
        "reshape": (lambda: xp.reshape(A, (4, 3)), lambda: np.reshape(a, (4, 3))),
        "tril": (lambda: xp.tril(M), lambda: np.tril(m)),
        "getitem": (lambda: A[1:, ::2], lambda: a[1:, ::2]),
        "operator_scalar": (lambda: A * 2.5 - 1, lambda: a * 2.5 - 1),
        "int8_operand": (lambda: A + xp.ones(4, dtype=xp.int8), lambda: a + np.ones(4, np.int8)),
        "int16_operand": (lambda: A + xp.ones(4, dtype=xp.int16), lambda: a + np.ones(4, np.int16)),
        "float32_operand": (lambda: A * xp.ones(4, dtype=xp.float32),
                            lambda: a * np.ones(4, np.float32)),
        "complex_scalar": (lambda: A + 1j, lambda: a + 1j),
        "linalg.vector_norm": (lambda: mlinalg.vector_norm(A), lambda: np.linalg.vector_norm(a)),
        "linalg.vector_norm_1": (lambda: mlinalg.vector_norm(A, axis=1, ord=1),
                                 lambda: np.linalg.vector_norm(a, axis=1, ord=1)),
        "linalg.matrix_norm": (lambda: mlinalg.matrix_norm(M), lambda: np.linalg.matrix_norm(m)),
        "linalg.matrix_norm_inf": (lambda: mlinalg.matrix_norm(M, ord=np.inf),
                                   lambda: np.linalg.matrix_norm(m, ord=np.inf)),
        "linalg.trace": (lambda: mlinalg.trace(M), lambda: np.linalg.trace(m)),
        "linalg.diagonal": (lambda: mlinalg.diagonal(M), lambda: np.linalg.diagonal(m)),
        "linalg.outer": (lambda: mlinalg.outer(V, V), lambda: np.linalg.outer(v, v)),
        "linalg.cross": (lambda: mlinalg.cross(A[:, :3], B[:, :3]),
                         lambda: np.linalg.cross(a[:, :3], b[:, :3])),
        "linalg.matrix_power": (lambda: mlinalg.matrix_power(M, 2),
                                lambda: np.linalg.matrix_power(m, 2)),
        "fft.fft": (lambda: mfft.fft(V), lambda: np.fft.fft(v)),
        "fft.ifft": (lambda: mfft.ifft(V), lambda: np.fft.ifft(v)),
        "fft.fftn": (lambda: mfft.fftn(A), lambda: np.fft.fftn(a)),
        "fft.rfft": (lambda: mfft.rfft(V), lambda: np.fft.rfft(v)),
        "fft.rfftn": (lambda: mfft.rfftn(A), lambda: np.fft.rfftn(a)),
        "fft.irfft": (lambda: mfft.irfft(V), lambda: np.fft.irfft(v)),
        "fft.hfft": (lambda: mfft.hfft(V), lambda: np.fft.hfft(v)),
        "fft.ihfft": (lambda: mfft.ihfft(V), lambda: np.fft.ihfft(v)),
        "fft.fftshift": (lambda: mfft.fftshift(V), lambda: np.fft.fftshift(v)),
        "fft.fftfreq": (lambda: mfft.fftfreq(6, dtype=xp.float16),
                        lambda: np.fft.fftfreq(6).astype(F16)),
    }


CASES = {}
for _n in UNARY:
    CASES[_n] = _unary_case(_n)
for _n in BINARY:
    CASES[_n] = _binary_case(_n)
for _n in REDUCTIONS:
    CASES[_n] = _reduction_case(_n, None)
    CASES[_n + "_axis0"] = _reduction_case(_n, 0)
CASES.update(_other_cases())
del _n


@pytest.mark.parametrize("name", sorted(CASES))
def test_function_matches_numpy(name):
    ours, numpy_ref = CASES[name]
    with np.errstate(all="ignore"):
        ref = numpy_ref()
    _check(ours(), ref)


def test_float16_results_stay_float16():
    # no function in the table silently widens: float16 in, float16 (or NumPy's dtype) out
    x = xp.asarray(_input(9, (4,)))
    for f in (xp.exp, xp.sin, xp.abs, xp.sum, xp.mean, xp.std, xp.max, xp.sort, xp.cumulative_sum):
        assert f(x).dtype is xp.float16, f.__name__


def test_mean_var_of_many_elements():
    # more elements than float16's max (65504): a float16 count would overflow
    a = np.full(70000, 0.5, F16)
    a[::2] = 1.5
    x = xp.asarray(a)
    _check(xp.mean(x), np.mean(a))
    assert float(xp.mean(x)) == 1.0
    np.testing.assert_allclose(float(xp.var(x)), 0.25, rtol=RTOL)
    np.testing.assert_allclose(float(xp.std(x)), 0.5, rtol=RTOL)
    assert xp.var(x).dtype is xp.float16 and xp.std(x).dtype is xp.float16


@pytest.mark.parametrize("name", ["det", "inv", "cholesky", "eigh", "eigvalsh", "eig", "eigvals",
                                  "qr", "slogdet", "svd", "svdvals", "pinv", "matrix_rank"])
def test_linalg_without_half_precision_raises(name):
    m = xp.asarray((np.eye(3) * 2).astype(F16))
    with pytest.raises(TypeError):  # NumPy: "array type float16 is unsupported in linalg"
        getattr(np.linalg, name, np.linalg.svd)(np.asarray(m))
    with pytest.raises(TypeError, match=rf"{name}\(\).*float16"):
        getattr(mlinalg, name)(m)


def test_linalg_solve_and_norms_of_float16():
    m = xp.asarray((np.eye(2) * 2).astype(F16))
    b = xp.asarray(np.ones(2, F16))
    with pytest.raises(TypeError, match="solve.*float16"):
        mlinalg.solve(m, b)
    # with a float32 operand the promoted dtype is float32: solvable, as NumPy
    r = mlinalg.solve(m, xp.astype(b, xp.float32))
    assert r.dtype is xp.float32 and r.tolist() == [0.5, 0.5]
    for o in ("nuc", 2, -2):
        with pytest.raises(TypeError, match="matrix_norm.*float16"):
            mlinalg.matrix_norm(m, ord=o)
    for o in ("fro", 1, -1, np.inf, -np.inf):
        _check(mlinalg.matrix_norm(m, ord=o), np.linalg.matrix_norm(np.asarray(m), ord=o))


# ------------------------------------------------------------------- creation
@pytest.mark.parametrize("dtype", [xp.float16, "float16", np.float16, np.dtype("float16")],
                         ids=["xp", "name", "np-type", "np-dtype"])
def test_creation_functions(dtype):
    like = xp.asarray(np.ones((2, 3), F16))
    made = {
        "zeros": (xp.zeros((2, 3), dtype=dtype), np.zeros((2, 3), F16)),
        "ones": (xp.ones(3, dtype=dtype), np.ones(3, F16)),
        "empty": (xp.empty(3, dtype=dtype), np.empty(3, F16)),
        "full": (xp.full((2,), 1.5, dtype=dtype), np.full((2,), 1.5, F16)),
        "arange": (xp.arange(0, 3, 0.5, dtype=dtype), np.arange(0, 3, 0.5, dtype=F16)),
        "linspace": (xp.linspace(0, 1, 5, dtype=dtype), np.linspace(0, 1, 5, dtype=F16)),
        "eye": (xp.eye(3, k=1, dtype=dtype), np.eye(3, k=1, dtype=F16)),
        "asarray_list": (xp.asarray([1, 2.5], dtype=dtype), np.asarray([1, 2.5], F16)),
        "asarray_scalar": (xp.asarray(0.1, dtype=dtype), np.asarray(0.1, F16)),
        "astype": (xp.astype(xp.asarray([1, 2]), dtype), np.asarray([1, 2]).astype(F16)),
        "zeros_like": (xp.zeros_like(like), np.zeros((2, 3), F16)),
        "full_like": (xp.full_like(xp.zeros(2), 3, dtype=dtype), np.full(2, 3, F16)),
        "ones_like": (xp.ones_like(xp.zeros(2), dtype=dtype), np.ones(2, F16)),
    }
    for name, (out, ref) in made.items():
        if name == "empty":
            assert out.dtype is xp.float16 and out.shape == ref.shape
            continue
        _check(out, ref, exact=True)


def test_asarray_of_numpy_float16_is_zero_copy():
    a = np.arange(6, dtype=F16).reshape(2, 3)
    for t in (xp.asarray(a), xp.asarray(a, copy=False), xp.asarray(a, dtype=xp.float16)):
        assert t.dtype is xp.float16 and np.shares_memory(t._array, a)
    assert not np.shares_memory(xp.asarray(a, copy=True)._array, a)
    assert xp.asarray(np.float16(1.5)).dtype is xp.float16  # NumPy scalar
    big = a.astype(">f2")  # non-native byte order: converted
    t = xp.asarray(big)
    assert t.dtype is xp.float16 and t._array.dtype.isnative
    np.testing.assert_array_equal(t._array, a)
    # NumPy reads it back
    assert np.asarray(xp.asarray(a)).dtype == F16
    assert np.empty(2, dtype=xp.float16).dtype == F16


def test_astype_to_and_from_float16():
    x = xp.asarray([1.25, -70000.0, 3.0])
    with np.errstate(over="ignore"):
        ref = np.asarray([1.25, -70000.0, 3.0]).astype(F16)
    h = xp.astype(x, xp.float16)
    _check(h, ref, exact=True)  # out of range: -inf, as NumPy
    assert xp.astype(h, xp.float16, copy=False) is h
    _check(xp.astype(h, xp.float32), ref.astype(np.float32), exact=True)
    _check(xp.astype(h[::2], xp.int32), ref[::2].astype(np.int32), exact=True)
    assert xp.astype(h, xp.complex64).dtype is xp.complex64
    with pytest.raises(TypeError):
        xp.astype(xp.asarray([1j]), xp.float16)


def test_dlpack():
    a = np.arange(4, dtype=F16)
    t = xp.from_dlpack(a)
    assert t.dtype is xp.float16 and np.shares_memory(t._array, a)
    assert np.from_dlpack(t).dtype == F16
    torch = pytest.importorskip("torch")
    tt = torch.arange(4, dtype=torch.float16)
    m = xp.from_dlpack(tt)
    assert m.dtype is xp.float16 and m.tolist() == [0.0, 1.0, 2.0, 3.0]
    back = torch.from_dlpack(m)
    assert back.dtype == torch.float16
    assert xp.asarray(tt).dtype is xp.float16


# ------------------------------------------------------ data type functions
def test_finfo_matches_numpy():
    fi, ref = xp.finfo(xp.float16), np.finfo(F16)
    assert fi.bits == 16 and fi.dtype is xp.float16
    assert (fi.eps, fi.max, fi.min, fi.smallest_normal) == \
        (float(ref.eps), float(ref.max), float(ref.min), float(ref.smallest_normal))
    assert xp.finfo(xp.zeros(1, dtype=xp.float16)).eps == 2.0 ** -10
    with pytest.raises(TypeError):
        xp.iinfo(xp.float16)


def test_isdtype():
    for kind, expected in (("real floating", True), ("numeric", True), ("bool", False),
                           ("integral", False), ("complex floating", False),
                           ("signed integer", False), (("integral", "real floating"), True),
                           (xp.float16, True), (xp.float32, False)):
        assert xp.isdtype(xp.float16, kind) is expected, kind
    assert xp.isdtype(np.dtype(F16), "real floating") is True
    assert not xp.isdtype(xp.float32, xp.float16)


def test_dtype_object():
    d = xp.float16
    assert d == xp.float16 and d != xp.float32 and hash(d) == hash(xp.float16)
    assert repr(d) == "minitensor.float16" and d.name == "float16" and d.itemsize == 2
    assert d.kind == "f" and d.type is np.float16
    import pickle
    assert pickle.loads(pickle.dumps(d)) is d


def test_info_lists_only_the_standard_dtypes():
    info = xp.__array_namespace_info__()
    assert "float16" not in info.dtypes()
    assert list(info.dtypes(kind="real floating")) == ["float32", "float64"]
    assert "float16" not in info.dtypes(kind="numeric")
    # the defaults do not change
    assert info.default_dtypes()["real floating"] is xp.float64
    assert xp.asarray(1.0).dtype is xp.float64 and xp.zeros(1).dtype is xp.float64


# --------------------------------------------------- tensor methods, printing
def test_tensor_methods_and_repr():
    x = xp.asarray([1.5, -2.25, 3.0])
    h = x.half()
    assert h.dtype is xp.float16 and h.half() is h
    assert h.float().dtype is xp.float32 and h.double().dtype is xp.float64
    assert h.to(xp.float16) is h and x.to(xp.float16).dtype is xp.float16
    assert repr(h) == "Tensor([ 1.5 , -2.25,  3.  ], dtype=float16)"
    assert h.sum().dtype is xp.float16 and float(h.sum()) == 2.25
    assert h.tolist() == [1.5, -2.25, 3.0] and float(h[0]) == 1.5
    assert h.mean(dim=0).dtype is xp.float16


def test_save_load_round_trip(tmp_path):
    h = xp.asarray(np.array([[0.1, 2.0], [-3.5, 65504.0]], F16))
    p = tmp_path / "h.mt"
    xp.save({"h": h, "other": xp.ones(2)}, p)
    back = xp.load(p)
    assert back["h"].dtype is xp.float16
    np.testing.assert_array_equal(back["h"]._array, h._array)


# ------------------------------------------------ nn / optim / kernel dispatch
class _Guarded:
    """A compiled kernel module whose functions fail on a float16 argument (the
    kernels are compiled for float32 and float64 only)."""

    def __init__(self, mod):
        self._mod = mod

    def __getattr__(self, name):
        f = getattr(self._mod, name)

        def call(*args):
            for a in args:
                if isinstance(a, np.ndarray) and a.dtype == F16:
                    raise AssertionError(f"a float16 array reached the compiled kernel {name}")
            return f(*args)
        return call


@pytest.fixture
def no_compiled_kernels(monkeypatch):
    """Every call into a compiled kernel module is checked: no float16 argument."""
    from minitensor import _kernels
    from minitensor.nn import _nn_kernels
    mods, nn_mod = _kernels._k(), _nn_kernels._k()
    guarded = tuple(_Guarded(m) for m in mods)
    monkeypatch.setattr(_kernels, "_k", lambda: guarded)
    monkeypatch.setattr(_nn_kernels, "_k", lambda: _Guarded(nn_mod))


def test_guard_catches_float16():
    from minitensor.nn import _nn_kernels
    g = _Guarded(_nn_kernels._k())
    with pytest.raises(AssertionError, match="gelu_erf"):
        h = np.ones(3, F16)
        g.gelu_erf(h, np.empty(3, F16), 1)


def _t16(seed, *shape, grad=False):
    a = np.random.default_rng(seed).standard_normal(shape).astype(F16)
    return xp.tensor(a, requires_grad=True) if grad else xp.asarray(a)


@pytest.mark.parametrize("fname", ["relu", "gelu", "gelu_tanh", "silu", "sigmoid", "tanh",
                                   "softmax", "log_softmax", "layer_norm", "conv2d",
                                   "conv_transpose2d", "max_pool2d", "avg_pool2d", "linear",
                                   "batch_norm", "cross_entropy"])
def test_nn_functional_float16_matches_torch(fname, no_compiled_kernels):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    import minitensor.nn.functional as F
    img = (2, 3, 6, 6)
    shapes = {"conv2d": [img, (4, 3, 3, 3)], "conv_transpose2d": [img, (3, 2, 3, 3)],
              "max_pool2d": [img], "avg_pool2d": [img], "linear": [(4, 8), (3, 8)],
              "batch_norm": [(4, 3, 5)]}.get(fname, [(4, 8)])
    ours = [_t16(i, *s, grad=True) for i, s in enumerate(shapes)]
    theirs = [torch.tensor(np.asarray(o.detach()), requires_grad=True) for o in ours]
    tgt = [0, 1, 2, 3]
    calls = {
        "gelu_tanh": (lambda f, x: f.gelu(x, approximate="tanh")),
        "softmax": (lambda f, x: f.softmax(x, dim=1)),
        "log_softmax": (lambda f, x: f.log_softmax(x, dim=1)),
        "layer_norm": (lambda f, x: f.layer_norm(x, (8,))),
        "conv2d": (lambda f, x, w: f.conv2d(x, w, padding=1)),
        "conv_transpose2d": (lambda f, x, w: f.conv_transpose2d(x, w, stride=2)),
        "max_pool2d": (lambda f, x: f.max_pool2d(x, 2)),
        "avg_pool2d": (lambda f, x: f.avg_pool2d(x, 3, stride=1, padding=1)),
        "batch_norm": (lambda f, x: f.batch_norm(x, None, None, training=True)),
        "cross_entropy": None,
    }
    if fname == "cross_entropy":
        y = F.cross_entropy(ours[0], xp.asarray(tgt))
        yt = TF.cross_entropy(theirs[0], torch.tensor(tgt))
    else:
        call = calls.get(fname, lambda f, *a: getattr(f, fname)(*a))
        y, yt = call(F, *ours), call(TF, *theirs)
    assert y.dtype is xp.float16 and yt.dtype == torch.float16
    np.testing.assert_allclose(np.asarray(y.detach()).astype(float),
                               yt.detach().numpy().astype(float), rtol=1e-2, atol=1e-2)
    (y * y).sum().backward()
    (yt * yt).sum().backward()
    for o, t in zip(ours, theirs):
        assert o.grad.dtype is xp.float16
        np.testing.assert_allclose(np.asarray(o.grad).astype(float),
                                   t.grad.numpy().astype(float), rtol=3e-2, atol=3e-2)


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01)), ("AdamW", dict(lr=0.01)), ("Adam", dict(lr=0.01, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)), ("Adagrad", dict(lr=0.1)),
    ("Adamax", dict(lr=0.1)), ("NAdam", dict(lr=0.1)),
], ids=lambda v: v if isinstance(v, str) else "-".join(f"{k}={w}" for k, w in v.items()))
def test_optimizer_step_on_float16_parameter(name, kwargs, no_compiled_kernels):
    torch = pytest.importorskip("torch")
    import minitensor.nn as nn
    import minitensor.optim as optim
    start = np.linspace(-1, 1, 7).astype(F16)
    p = nn.Parameter(xp.asarray(start.copy()))
    opt = getattr(optim, name)([p], **kwargs)
    pt = torch.nn.Parameter(torch.tensor(start.copy()))
    optt = getattr(torch.optim, name)([pt], **kwargs)
    for _ in range(3):
        opt.zero_grad()
        (p * p * p).sum().backward()
        opt.step()
        optt.zero_grad()
        (pt * pt * pt).sum().backward()
        optt.step()
    assert p.dtype is xp.float16
    for v in opt.state[p].values():
        if isinstance(v, xp.Tensor) and v.ndim:
            assert v.dtype is xp.float16
    np.testing.assert_allclose(np.asarray(p.detach()).astype(float),
                               pt.detach().numpy().astype(float), rtol=5e-3, atol=5e-3)


def test_module_half_trains(no_compiled_kernels):
    import minitensor.nn as nn
    import minitensor.optim as optim
    xp.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.GELU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(12, 2)).half()
    assert all(q.dtype is xp.float16 for q in m.parameters())
    # Note: Adam's default eps=1e-8 is 0 in float16, so a zero gradient gives NaN, as
    # in PyTorch; hence eps=1e-4 here
    opt = optim.Adam(m.parameters(), lr=1e-2, eps=1e-4)
    x = _t16(0, 4, 2, 4, 4)
    y = xp.asarray([0, 1, 0, 1])
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(m(x), y)
        assert loss.dtype is xp.float16
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < losses[0]
    assert all(q.dtype is xp.float16 for q in m.parameters())


def test_kernel_glue_on_float16_arrays(no_compiled_kernels):
    # the glue functions themselves, on NumPy float16 buffers
    from minitensor import _kernels as K
    from minitensor.nn import _nn_kernels as NK
    h = np.linspace(-2, 2, 37).astype(F16)
    assert K.sum_all(h).dtype == F16
    assert K.gelu(h).dtype == F16 and K.sigmoid(h).dtype == F16
    g = NK.gelu_erf(h)  # computed by the float32 kernel, rounded to float16
    assert g.dtype == F16
    from math import erf, sqrt
    exact = np.array([v * 0.5 * (1 + erf(v / sqrt(2))) for v in h.astype(float)])
    np.testing.assert_allclose(g.astype(float), exact, rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(g, NK.gelu_erf(h.astype(np.float32)).astype(F16))
    x = np.arange(2 * 16, dtype=F16).reshape(2, 4, 4)
    out, idx = NK.maxpool2d(x, (2, 2), (2, 2), (0, 0), (1, 1), (2, 2))
    assert out.dtype == F16 and idx.dtype.kind == "i"
    np.testing.assert_array_equal(out, x.reshape(2, 2, 2, 2, 2).max(axis=(2, 4)))
