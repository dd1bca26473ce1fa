"""Tests of the Pythran kernels (minitensor/_pythran) and their glue (minitensor/_kernels.py)."""
import math
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import minitensor._pythran as P
from minitensor import _kernels as K

KERNEL_DIR = pathlib.Path(P.__file__).parent
DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}

# sizes: empty, tiny, odd, not a multiple of any block size, above the parallel thresholds
# (2**17 for exp/tanh kernels and optimizers, 2**20 for memory-bound kernels and sums)
BIG = 2 ** 20 + 4097
SIZES = [0, 1, 37, 16387, 300001, BIG]
C_GELU = np.sqrt(2.0 / np.pi)


@pytest.fixture(scope="module")
def src():
    return {name: P._load_source(name) for name in P.KERNEL_MODULES}


def rand(n, dtype, seed=0, scale=3.0):
    return (scale * np.random.default_rng(seed).standard_normal(n)).astype(dtype)


# ---------------------------------------------------------------------------
# references (float64, written independently of the kernels)

def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _gelu_bw(x, g):
    t = np.tanh(C_GELU * (x + 0.044715 * x ** 3))
    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C_GELU * (1 + 3 * 0.044715 * x * x))


UNARY = {
    "erf": np.vectorize(math.erf, otypes=[np.float64]),
    "erfc": np.vectorize(math.erfc, otypes=[np.float64]),
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(C_GELU * (x + 0.044715 * x ** 3))),
    "sigmoid": _sig,
    "silu": lambda x: x * _sig(x),
}
try:   # references of the special-function kernels (also in tests/test_special_functions.py)
    import scipy.special as _ss
except ImportError:  # pragma: no cover
    _ss = None
if _ss is not None:
    UNARY.update(gammaln=_ss.gammaln, digamma=_ss.psi, ndtri=_ss.ndtri)
SPECIAL_KERNELS = ("gammaln", "digamma", "ndtri")
BINARY = {   # (first argument, grad) -> reference
    "gelu_backward": _gelu_bw,
    "sigmoid_backward": lambda y, g: g * y * (1 - y),
    "silu_backward": lambda x, g: g * _sig(x) * (1 + x * (1 - _sig(x))),
    "tanh_backward": lambda y, g: g * (1 - y * y),
    "relu_backward": lambda x, g: np.where(x > 0, g, 0.0),
}
FIRST_ARG = {"sigmoid_backward": lambda x: _sig(x), "tanh_backward": np.tanh}


def _first(name, n, dtype):
    x = rand(n, np.float64)
    return FIRST_ARG.get(name, lambda v: v)(x).astype(dtype)


def _close(got, ref, dtype, scale=1.0):
    tol = TOL[dtype]
    np.testing.assert_allclose(got.astype(np.float64), ref, rtol=tol["rtol"], atol=tol["atol"] * scale)


# ---------------------------------------------------------------------------
# build and loader

# the source tree (meson.build is not installed with the package)
SRC_KERNEL_DIR = pathlib.Path(__file__).resolve().parents[1] / "minitensor" / "_pythran"


def test_kernel_module_lists_agree():
    meson = (SRC_KERNEL_DIR / "meson.build").read_text()
    m = re.search(r"kernel_modules\s*=\s*\[([^\]]*)\]", meson)
    assert m, "kernel_modules list not found in minitensor/_pythran/meson.build"
    in_meson = re.findall(r"'([^']+)'", m.group(1))
    on_disk = sorted(p.stem for p in SRC_KERNEL_DIR.glob("*.py") if p.name != "__init__.py")
    assert sorted(P.KERNEL_MODULES) == sorted(in_meson) == on_disk


def test_kernels_compiled():
    missing = [name for name, ok in P.COMPILED.items() if not ok]
    pure = os.environ.get("MINITENSOR_PURE_PYTHON", "0").lower() not in ("", "0", "false", "no")
    if "CI" in os.environ and not pure:
        assert not missing, f"kernel modules not compiled in CI: {missing}"
    elif missing:
        pytest.skip(f"kernel modules not compiled (variant {P.variant!r}): {missing}")
    assert set(P.COMPILED) == set(P.KERNEL_MODULES)


# ---------------------------------------------------------------------------
# compiled kernels vs their own Python source (direct kernel calls, small odd sizes)

def _kernel_cases(dtype):
    n = 37
    x, g, y, z = (rand(n, dtype, s) for s in range(4))
    cases = [("_fused", k, lambda x=x: (x, np.empty_like(x), 1)) for k in UNARY]
    cases += [("_fused", k, lambda x=x: (x, np.empty_like(x), 1)) for k in SPECIAL_KERNELS
              if k not in UNARY]
    p = (0.5 + 0.1 * x).astype(dtype)                     # (ndtri: in [0, 1] mostly)
    cases.append(("_fused", "ndtri", lambda: (p, np.empty_like(p), 1)))
    cases += [("_fused", "polygamma", lambda m=m: (m, x, np.empty_like(x), 1)) for m in (1, 3)]
    cases += [("_fused", k, lambda x=x, g=g: (x, g, np.empty_like(x), 1)) for k in BINARY]
    cases.append(("_fused", "muladd", lambda: (x, y, z, np.empty_like(x), 1)))
    x2 = rand(7 * 13, dtype, 5).reshape(7, 13)
    cases.append(("_fused", "add_row", lambda: (x2, x2[0].copy(), np.empty_like(x2), 1)))
    cases.append(("_reduce", "sum_all", lambda: (rand(4099, dtype, 6), np.empty(1, dtype), 1)))
    x3 = rand(5 * 301, dtype, 7).reshape(5, 301)
    cases.append(("_reduce", "sum_rows", lambda: (x3, np.empty(5, dtype), 1)))
    cases.append(("_reduce", "sum_cols", lambda: (x3, np.empty(301, dtype), 1)))
    v = np.abs(y)
    cases.append(("_optim", "sgd", lambda: (x.copy(), g, z.copy(), 0.1, 0.9, 0.1, 0.01,
                                            False, False, False, 1)))
    cases.append(("_optim", "adam", lambda: (x.copy(), g, y.copy(), v.copy(), v.copy(), 1e-2, 0.9,
                                             0.999, 1e-8, 0.01, True, False, True, 0.1, 0.002, 1)))
    # optimizer kernels of minitensor.optim (more in tests/test_optim_kernels.py)
    cases.append(("_optim", "rmsprop", lambda: (x.copy(), g, v + 1.0, 0.1 * z, y.copy(), 1e-2,
                                                0.9, 1e-8, 0.01, 0.9, True, False, 1)))
    cases.append(("_optim", "adagrad", lambda: (x.copy(), g, v.copy(), 1e-2, 1e-10, 0.01,
                                                True, 1)))
    cases.append(("_optim", "adamax", lambda: (x.copy(), g, y.copy(), v.copy(), 1e-2, 0.9,
                                               0.999, 1e-8, 0.01, False, 1)))
    cases.append(("_optim", "nadam", lambda: (x.copy(), g, y.copy(), v.copy(), 1e-2, 0.9, 0.999,
                                              1e-8, 0.01, True, False, 0.002, -1e-3, -2e-3, 1)))
    return cases


@pytest.mark.parametrize("dtype", DTYPES)
def test_compiled_matches_source(dtype, src):
    if not all(P.COMPILED.values()):
        pytest.skip("kernels not compiled")
    mods = {"_fused": P._fused, "_reduce": P._reduce, "_optim": P._optim}
    checked = set()
    for mod, name, make in _kernel_cases(dtype):
        a_c, a_s = make(), make()
        r_c = getattr(mods[mod], name)(*a_c)
        r_s = getattr(src[mod], name)(*a_s)
        assert r_c is None and r_s is None
        for u, w in zip(a_c, a_s):     # compare every array argument (outputs and in-place state)
            if isinstance(u, np.ndarray):
                assert u.dtype == dtype
                np.testing.assert_allclose(u, w, rtol=TOL[dtype]["rtol"], atol=TOL[dtype]["atol"],
                                           err_msg=f"{mod}.{name}")
        checked.add(name)
    exported = {n for m in mods.values() for n in dir(m) if not n.startswith("_")
                and callable(getattr(m, n))}
    assert exported <= checked, f"untested kernels: {exported - checked}"


# ---------------------------------------------------------------------------
# glue vs NumPy references

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, n, dtype):
    x = rand(n, dtype)
    got = getattr(K, name)(x)
    assert got.dtype == dtype and got.shape == x.shape
    if name in SPECIAL_KERNELS and dtype == np.float64:
        # (SciPy's psi next to a pole is ~1e-12 off; tests/test_special_functions.py
        # checks the accuracy)
        np.testing.assert_allclose(got, UNARY[name](x), rtol=1e-10, atol=1e-14)
        return
    _close(got, UNARY[name](x.astype(np.float64)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name, n, dtype):
    a = _first(name, n, dtype)
    g = rand(n, dtype, 1)
    got = getattr(K, name)(a, g)
    assert got.dtype == dtype and got.shape == a.shape
    _close(got, BINARY[name](a.astype(np.float64), g.astype(np.float64)), dtype, scale=30.0)


def test_relu_backward_edges():
    x = np.array([-1.0, -0.0, 0.0, 1e-30, np.nan, np.inf, -np.inf], np.float32)
    g = np.arange(1, 8, dtype=np.float32)
    np.testing.assert_array_equal(K.relu_backward(x, g), [0, 0, 0, 4, 5, 6, 0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_muladd(n, dtype):
    x, y, z = (rand(n, dtype, s) for s in range(3))
    got = K.muladd(x, y, z)
    assert got.dtype == dtype and got.shape == (n,)
    _close(got, x.astype(np.float64) * y + z, dtype, scale=10.0)


def test_muladd_broadcast_and_other_dtypes():
    x = rand(12, np.float32).reshape(3, 4)
    y = rand(4, np.float32, 1)
    z = np.float32(2.0) * np.ones((3, 1), np.float32)
    np.testing.assert_array_equal(K.muladd(x, y, z), x * y + z)
    i = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(K.muladd(i, i, i), i * i + i)
    h = np.arange(5, dtype=np.float16)
    assert K.muladd(h, h, h).dtype == np.float16
    m = K.muladd(np.arange(3), np.ones(3, np.float32), np.zeros(3, np.float32))
    assert m.dtype == np.float64


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (1, 1), (7, 13), (3, 40000), (30000, 11), (2, 3, 5)])
def test_add_row(shape, dtype):
    x = rand(int(np.prod(shape)), dtype).reshape(shape)
    row = rand(shape[-1], dtype, 1)
    got = K.add_row(x, row)
    assert got.dtype == dtype and got.shape == shape
    np.testing.assert_array_equal(got, x + row)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES + [65536 * 3 + 4096 + 300])
def test_sum_all(n, dtype):
    x = rand(n, dtype)
    got = K.sum_all(x)
    assert got.shape == () and got.dtype == dtype
    ref = np.sum(x.astype(np.float64))
    tol = 1e-6 if dtype == np.float32 else 1e-14
    assert abs(float(got) - ref) <= tol * (np.sum(np.abs(x.astype(np.float64))) + 1e-30)


def test_sum_all_float32_accuracy():
    """Relative error on 1e7 float32 values near 1: at most NumPy's (or within 2x)."""
    n = 10_000_000
    x = (1.0 + 1e-3 * np.random.default_rng(42).standard_normal(n)).astype(np.float32)
    ref = np.sum(x, dtype=np.float64)        # float64 pairwise: exact enough here
    err_np = abs(float(np.sum(x)) - ref) / ref
    err = abs(float(K.sum_all(x)) - ref) / ref
    assert err <= max(err_np, 2 * err_np, 6e-8), (err, err_np)
    # the kernel sums in float64 partials: the result is the correctly rounded sum here
    assert float(K.sum_all(x)) == float(np.float32(ref))


def _sum_data(kind, n, dtype):
    """Test data for the accuracy of sums: normal, all-positive, or cancelling
    (large values of both signs whose sum is small)."""
    rng = np.random.default_rng(7)
    if kind == "normal":
        x = rng.standard_normal(n)
    elif kind == "positive":
        x = rng.uniform(0.5, 1.5, n)
    else:
        x = 1e3 * rng.standard_normal(n)
        x[1::2] = -x[::2][:n // 2] + rng.standard_normal(n // 2)
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["normal", "positive", "cancelling"])
@pytest.mark.parametrize("case", ["full", "rows", "cols", "rows300", "rows1000", "rows4100"])
def test_sum_accuracy_vs_numpy(case, kind, dtype):
    """Errors vs the sum in extended precision, relative to the sum of absolute
    values (the scale of the usual error bounds), over many sums that take the
    grouped paths (128-element blocks, groups of 32 blocks, segments, row blocks,
    tails; rows shorter than a segment, several to a task).
    float32 (the sums routed to the kernels): RMS error at most NumPy's pairwise
    sum's (10% for sampling noise: on cancelling data both add 16 float32 values
    per accumulator first, and they tie). float64: within a few times NumPy's."""
    shape = {"full": (96, 70001), "rows": (96, 70001), "cols": (4099, 300),
             "rows300": (4000, 300), "rows1000": (1000, 1000), "rows4100": (600, 4100)}[case]
    x = _sum_data(kind, math.prod(shape), dtype).reshape(shape)
    axis = {"full": None, "cols": 0}.get(case, 1)
    x_ld = x.astype(np.longdouble)
    if axis is None:
        got = np.array([K.sum_all(r) for r in x])
        mine = np.array([np.sum(r) for r in x])
        axis = 1
    else:
        got, mine = K.sum_axis(x, axis), np.sum(x, axis=axis)
    ref, scale = np.sum(x_ld, axis=axis), np.sum(np.abs(x_ld), axis=axis)
    rms = np.sqrt(np.mean(((got.astype(np.longdouble) - ref) / scale) ** 2))
    rms_np = np.sqrt(np.mean(((mine.astype(np.longdouble) - ref) / scale) ** 2))
    if dtype == np.float32:
        assert rms <= 1.1 * rms_np, (rms, rms_np)
        if kind != "cancelling":   # float64 partials: clearly better than NumPy
            assert rms <= 0.8 * rms_np, (rms, rms_np)
    else:
        assert rms <= 4 * rms_np, (rms, rms_np)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_kernel_routing(dtype, monkeypatch):
    """xp.sum / xp.mean and the torch face's sum / mean of large float32 tensors
    run the kernels (float64 and small tensors: NumPy), with the same values."""
    import minitensor as xp
    import minitensor.torch as torch
    from minitensor import _statistical_functions as sf
    calls = []
    for name in ("sum_all", "_sum_all_ready", "_sum_pnp"):   # (sum_axis runs _sum_pnp)
        f = getattr(K, name)
        monkeypatch.setattr(K, name, lambda *a, _f=f, _n=name, **k: calls.append(_n) or _f(*a, **k))
    big = rand(300 * 301, dtype).reshape(300, 301)
    small = big[:20, :20].copy()
    x, xs = xp.asarray(big), xp.asarray(small)
    t = torch.from_numpy(big)
    results = [(xp.sum(x), np.sum(big, dtype=np.float64)),
               (xp.sum(x, axis=1), np.sum(big, axis=1, dtype=np.float64)),
               (xp.sum(x, axis=0), np.sum(big, axis=0, dtype=np.float64)),
               (xp.mean(x), np.mean(big, dtype=np.float64)),
               (xp.mean(x, axis=0), np.mean(big, axis=0, dtype=np.float64)),
               (torch.sum(t), np.sum(big, dtype=np.float64)),
               (torch.sum(t, dim=1), np.sum(big, axis=1, dtype=np.float64)),
               (t.mean(0), np.mean(big, axis=0, dtype=np.float64))]
    expected = 8 if dtype in sf._KERNEL_DTYPES else 0
    assert big.size >= sf._KERNEL_MIN and len(calls) == expected, calls
    for r, ref in results:
        assert r.dtype == xp.asarray(big).dtype
        _close(np.asarray(r), ref, dtype, scale=30)
    calls.clear()
    xp.sum(xs), xp.mean(xs, axis=1)
    assert small.size < sf._KERNEL_MIN and calls == []


def test_sum_kernel_full_unaligned_and_shapes():
    """The full-sum route (no glue checks for aligned C-contiguous float32): an
    unaligned or 2-D array gets the same value as through K.sum_all, keepdims too."""
    from minitensor import _statistical_functions as sf
    n = 3000
    buf = np.zeros(4 * n + 1, np.uint8)
    u = buf[1:].view(np.float32)
    u[:] = rand(n, np.float32)
    assert not u.flags.aligned and u.flags.c_contiguous
    ref = float(K.sum_all(u))
    assert float(sf._sum_kernel(u, None, False)) == ref
    a = u.copy().reshape(60, 50)
    assert float(sf._sum_kernel(a, None, False)) == ref
    r = sf._sum_kernel(a, (0, 1), True)
    assert r.shape == (1, 1) and r.dtype == np.float32 and float(r[0, 0]) == ref
    assert ref == pytest.approx(np.sum(u, dtype=np.float64), rel=1e-6)
    # the axis route (straight to the (pre, n, post) step): shapes and keepdims
    b = rand(4 * 50 * 60, np.float32).reshape(4, 50, 60)
    for axes in [(0,), (1,), (2,), (0, 1), (1, 2)]:
        for keepdims in (False, True):
            got = sf._sum_kernel(b, axes, keepdims)
            ref = np.sum(b.astype(np.float64), axis=axes, keepdims=keepdims)
            assert got.dtype == np.float32 and got.shape == ref.shape, (axes, keepdims)
            _close(got, ref, np.float32, scale=30)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", [
    ((0, 4), 0), ((0, 4), 1), ((4, 0), 0), ((4, 0), 1), ((3,), 0), ((7, 301), 1), ((7, 301), 0),
    ((3, 70000), 1), ((70000, 3), 0), ((600, 700), 0), ((600, 700), 1), ((700, 5000), 0),
    ((4, 5, 6), 1), ((4, 5, 6), -1), ((4, 5, 6), (1, 2)), ((4, 5, 6), (0, 1)), ((4, 5, 6), (0, 2)),
    ((40, 50, 3), 1), ((2, 3), ()), ((), None), ((3, 4), None),
])
def test_sum_axis(shape, axis, dtype):
    x = rand(int(np.prod(shape)), dtype).reshape(shape)
    for keepdims in (False, True):
        got = K.sum_axis(x, axis, keepdims=keepdims)
        ref = np.sum(x.astype(np.float64), axis=axis, keepdims=keepdims)
        assert got.dtype == dtype and got.shape == ref.shape
        n = max(1, x.size // max(1, ref.size))
        _close(got, ref, dtype, scale=np.sqrt(n) * 10)


def test_sum_other_dtypes():
    i = np.arange(12, dtype=np.int32).reshape(3, 4)
    assert K.sum_all(i) == 66 and K.sum_all(i).dtype == np.sum(i).dtype
    np.testing.assert_array_equal(K.sum_axis(i, 0), np.sum(i, 0))
    b = np.ones(5, bool)
    assert K.sum_all(b) == 5
    h = np.ones(7, np.float16)
    assert K.sum_all(h) == 7 and K.sum_all(h).dtype == np.float16
    assert K.sum_all(h, dtype=np.float32).dtype == np.float32
    f = np.full(10, 0.1, np.float32)
    assert K.sum_all(f, dtype=np.float64) == pytest.approx(np.sum(f, dtype=np.float64))
    c = np.array([1 + 2j, 3 - 1j])
    assert K.sum_all(c) == 4 + 1j


# ---------------------------------------------------------------------------
# serial vs parallel: bit-identical

@pytest.mark.parametrize("dtype", DTYPES)
def test_threads_bit_identical(dtype, threads):
    x, g, y = rand(BIG, dtype), rand(BIG, dtype, 1), rand(BIG, dtype, 2)
    x2 = rand(7 * 160001, dtype, 3).reshape(-1, 7)
    x3 = rand(17 * 65536 + 77, dtype, 4)
    calls = [(f, (x,)) for f in (K.gelu, K.sigmoid, K.silu)]
    calls += [(getattr(K, f), (x, g)) for f in BINARY]
    calls += [(K.muladd, (x, g, y)), (K.add_row, (x2, x2[0])), (K.sum_all, (x3,)),
              (K.sum_axis, (x2, 0)), (K.sum_axis, (x2, 1)), (K.sum_axis, (x3.reshape(1, -1), 1)),
              (K.sum_axis, (x3[:-77].reshape(-1, 2 ** 12), 0))]
    # short rows, several to a task (tails, and rows shorter than a block)
    x4 = x3[:1100 * 1000]
    calls += [(K.sum_axis, (x4.reshape(-1, n), 1)) for n in (100, 1000)]
    calls.append((K.sum_axis, (x3[:-77].reshape(-1, 256), 1)))
    for f, args in calls:
        threads(1)
        r1 = f(*args)
        threads(2)
        r2 = f(*args)
        np.testing.assert_array_equal(r1, r2, err_msg=f.__name__)
    for kw in (dict(momentum=0.9, nesterov=True), dict(weight_decay=0.1, maximize=True)):
        res = []
        for nt in (1, 2):
            threads(nt)
            p = x.copy()
            buf = K.sgd_step(p, g, lr=0.1, **kw)
            K.sgd_step(p, g, buf, lr=0.1, **kw)
            res.append((p, buf))
        np.testing.assert_array_equal(res[0][0], res[1][0])
    res = []
    for nt in (1, 2):
        threads(nt)
        st = [x.copy(), np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)]
        K.adam_step(st[0], g, st[1], st[2], lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                    bias_correction1=0.1, bias_correction2=0.001, weight_decay=0.01,
                    amsgrad=True, max_exp_avg_sq=st[3])
        res.append(st)
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------
# optimizers vs a NumPy transcription of torch.optim.SGD / Adam

def _sgd_ref(p, g, buf, lr, momentum, dampening, wd, nesterov, maximize):
    d = -g if maximize else g
    if wd != 0:
        d = d + wd * p
    if momentum != 0:
        buf = d.copy() if buf is None else buf * momentum + (1 - dampening) * d
        d = d + momentum * buf if nesterov else buf
    return p - lr * d, buf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [0, 1, 37, 8195, 300001])
@pytest.mark.parametrize("kw", [
    dict(), dict(momentum=0.9), dict(momentum=0.9, dampening=0.3, weight_decay=1e-2),
    dict(momentum=0.8, nesterov=True, maximize=True), dict(weight_decay=0.1, maximize=True),
])
def test_sgd(kw, n, dtype):
    p0, g = rand(n, dtype), rand(n, dtype, 1)
    full = {**dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False),
            **kw}
    p, buf = p0.copy(), None
    rp, rbuf = p0.astype(np.float64), None
    for _ in range(3):
        buf = K.sgd_step(p, g, buf, lr=0.05, **kw)
        rp, rbuf = _sgd_ref(rp, g.astype(np.float64), rbuf, 0.05, full["momentum"],
                            full["dampening"], full["weight_decay"], full["nesterov"],
                            full["maximize"])
    _close(p, rp, dtype, scale=10)
    if full["momentum"]:
        assert buf.dtype == dtype and buf.shape == p.shape
        _close(buf, rbuf, dtype, scale=10)
    else:
        assert buf is None


def _adam_ref(p, g, m, v, vmax, step, lr, b1, b2, eps, wd, decoupled, maximize, amsgrad):
    g = -g if maximize else g
    if wd != 0:
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
    m = m + (1 - b1) * (g - m)
    v = v * b2 + (1 - b2) * g * g
    bc1, bc2 = 1 - b1 ** step, 1 - b2 ** step
    if amsgrad:
        vmax = np.maximum(vmax, v)
    den = np.sqrt(vmax if amsgrad else v) / np.sqrt(bc2) + eps
    return p - (lr / bc1) * m / den, m, v, vmax


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [0, 1, 37, 8195, 300001])
@pytest.mark.parametrize("kw", [
    dict(), dict(weight_decay=0.01), dict(weight_decay=0.01, decoupled_weight_decay=True),
    dict(amsgrad=True, maximize=True), dict(beta1=0.3, amsgrad=True, weight_decay=0.1),
])
def test_adam(kw, n, dtype):
    kw = dict(kw)
    b1, b2 = kw.pop("beta1", 0.9), 0.999
    amsgrad = kw.get("amsgrad", False)
    p = rand(n, dtype)
    m, v, vmax = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    r = [p.astype(np.float64), np.zeros(n), np.zeros(n), np.zeros(n)]
    for step in range(1, 4):
        g = rand(n, dtype, step)
        K.adam_step(p, g, m, v, lr=1e-2, beta1=b1, beta2=b2, eps=1e-8,
                    bias_correction1=1 - b1 ** step, bias_correction2=1 - b2 ** step,
                    max_exp_avg_sq=vmax if amsgrad else None, **kw)
        r = _adam_ref(*r[:1], g.astype(np.float64), *r[1:], step, 1e-2, b1, b2, 1e-8,
                      kw.get("weight_decay", 0.0), kw.get("decoupled_weight_decay", False),
                      kw.get("maximize", False), amsgrad)
    r = [r[0], r[1], r[2], r[3]]
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    for got, ref in zip((p, m, v, vmax), r):
        np.testing.assert_allclose(got, ref, **tol)
    if not amsgrad:
        assert not vmax.any()


def test_optimizer_float16_fallback_and_strided_state():
    p = np.linspace(-1, 1, 11).astype(np.float16)
    g = np.ones(11, np.float16)
    buf = K.sgd_step(p, g, lr=0.5, momentum=0.5)
    assert buf.dtype == np.float16
    np.testing.assert_allclose(p, np.linspace(-1, 1, 11) - 0.5, atol=1e-3)
    # in-place state that is strided / big-endian: updated through a copy written back
    base = np.zeros(22, np.float64)
    ps = base[::2]
    ps[:] = 1.0
    m = np.zeros(11, ">f8")
    v = np.zeros(11, np.float64)
    K.adam_step(ps, np.ones(11), m, v, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8,
                bias_correction1=0.1, bias_correction2=0.001)
    np.testing.assert_allclose(base[::2], 0.9, rtol=1e-6)
    assert not base[1::2].any()
    np.testing.assert_allclose(m, 0.1)
    assert m.dtype == np.dtype(">f8")


# ---------------------------------------------------------------------------
# bad inputs: never out of bounds, clear errors

def test_bad_shapes():
    a, b = np.ones(5, np.float32), np.ones(6, np.float32)
    for name in BINARY:
        with pytest.raises(ValueError, match=r"\(5,\).*\(6,\)"):
            getattr(K, name)(a, b)
    with pytest.raises(ValueError, match="shape"):
        K.gelu_backward(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="broadcast"):
        K.muladd(a, b, a)
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(5,\)"):
        K.add_row(np.ones((3, 4)), np.ones(5))
    with pytest.raises(ValueError, match="shape"):
        K.add_row(np.ones((3, 4)), np.ones((1, 4)))
    with pytest.raises(ValueError, match="shape"):
        K.add_row(np.ones(()), np.ones(1))
    with pytest.raises(ValueError, match=r"\(5,\).*\(6,\)"):
        K.sgd_step(a.copy(), b, lr=0.1)
    with pytest.raises(ValueError, match="momentum_buffer"):
        K.sgd_step(a.copy(), a, b.copy(), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="exp_avg_sq"):
        K.adam_step(a.copy(), a, a.copy(), b.copy(), lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8,
                    bias_correction1=0.1, bias_correction2=0.01)
    with pytest.raises(np.exceptions.AxisError):
        K.sum_axis(np.ones((2, 3)), 2)
    with pytest.raises(ValueError, match="repeated"):
        K.sum_axis(np.ones((2, 3)), (1, -1))


def test_bad_dtypes():
    i = np.arange(5)
    f = np.ones(5)
    for name in UNARY:
        with pytest.raises(TypeError, match=f"{name}.*int64"):
            getattr(K, name)(i)
    for name in BINARY:
        with pytest.raises(TypeError, match=f"{name}.*int64"):
            getattr(K, name)(f, i)
    with pytest.raises(TypeError, match="gelu.*complex128"):
        K.gelu(np.ones(3, complex))
    with pytest.raises(TypeError, match="muladd.*<U1"):
        K.muladd(np.array(["a"]), np.ones(1), np.ones(1))
    with pytest.raises(TypeError, match="sum_all.*object"):
        K.sum_all(np.array([1, None]))
    with pytest.raises(TypeError, match="sgd_step.*int64"):
        K.sgd_step(i.copy(), i, lr=0.1)
    with pytest.raises(TypeError, match="grad has dtype float32"):
        K.sgd_step(f.copy(), f.astype(np.float32), lr=0.1)
    with pytest.raises(TypeError, match="numpy.ndarray"):
        K.gelu([1.0, 2.0])
    with pytest.raises(TypeError, match="lr"):
        K.sgd_step(f.copy(), f, lr="0.1")
    with pytest.raises(ValueError, match="lr"):
        K.sgd_step(f.copy(), f, lr=-1.0)
    with pytest.raises(ValueError, match="nesterov"):
        K.sgd_step(f.copy(), f, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta2"):
        K.adam_step(f.copy(), f, f.copy(), f.copy(), lr=0.1, beta1=0.9, beta2=1.0, eps=1e-8,
                    bias_correction1=0.1, bias_correction2=0.1)
    with pytest.raises(ValueError, match="max_exp_avg_sq"):
        K.adam_step(f.copy(), f, f.copy(), f.copy(), lr=0.1, beta1=0.9, beta2=0.9, eps=1e-8,
                    bias_correction1=0.1, bias_correction2=0.1, amsgrad=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_float16_and_longdouble_fallback(dtype):
    x = rand(33, np.float16)
    assert K.gelu(x).dtype == np.float16
    np.testing.assert_allclose(K.gelu(x).astype(np.float64), UNARY["gelu"](x.astype(np.float64)),
                               rtol=5e-3, atol=5e-3)
    np.testing.assert_allclose(K.silu_backward(x, x.astype(dtype)),
                               BINARY["silu_backward"](x.astype(np.float64), x.astype(np.float64)),
                               rtol=2e-5 if dtype == np.float32 else 1e-3, atol=1e-3)
    ld = rand(17, np.longdouble)
    assert K.sigmoid(ld).dtype == np.longdouble
    np.testing.assert_allclose(K.sigmoid(ld).astype(np.float64), _sig(ld.astype(np.float64)))


def test_read_only_inplace_arguments():
    f = np.ones(5)
    ro = np.ones(5)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="param is read-only"):
        K.sgd_step(ro, f, lr=0.1)
    with pytest.raises(ValueError, match="momentum_buffer is read-only"):
        K.sgd_step(f.copy(), f, ro, lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="exp_avg is read-only"):
        K.adam_step(f.copy(), f, ro, f.copy(), lr=0.1, beta1=0.9, beta2=0.9, eps=1e-8,
                    bias_correction1=0.1, bias_correction2=0.1)
    assert (ro == 1).all()
    # read-only *inputs* are fine
    np.testing.assert_array_equal(K.relu_backward(ro, ro), ro)
    assert K.sum_all(ro) == 5


@pytest.mark.parametrize("dtype", DTYPES)
def test_layouts_views_byteorder_0d(dtype):
    base = rand(4 * 6 * 5, dtype).reshape(4, 6, 5)
    views = [base[:, ::2, 1:], base.T, base[::-1], np.asfortranarray(base),
             base.astype(np.dtype(dtype).newbyteorder(">"))]
    for v in views:
        v64 = v.astype(np.float64)
        _close(K.gelu(v), UNARY["gelu"](v64), dtype)
        _close(K.relu_backward(v, v), np.where(v64 > 0, v64, 0.0), dtype)
        _close(K.muladd(v, v, v), v64 * v64 + v64, dtype, scale=10)
        _close(K.add_row(v, v[0, 0]), v64 + v64[0, 0], dtype, scale=10)
        _close(K.sum_all(v), np.sum(v64), dtype, scale=100)
        for ax in (0, 1, 2, (0, 1), (1, 2)):
            _close(K.sum_axis(v, ax), np.sum(v64, axis=ax), dtype, scale=100)
        assert K.gelu(v).dtype == dtype  # native byte order out
    # misaligned buffer
    raw = np.zeros(8 * 11 + 1, np.uint8)[1:].view(dtype)
    raw[:] = np.arange(raw.size)
    assert not raw.flags.aligned
    assert float(K.sum_all(raw)) == raw.size * (raw.size - 1) / 2
    # 0-d
    z = np.array(0.5, dtype)
    for name in UNARY:
        r = getattr(K, name)(z)
        assert r.shape == () and r.dtype == dtype
        _close(r, UNARY[name](0.5), dtype)
    assert K.relu_backward(z, z).shape == ()
    assert K.muladd(z, z, z) == 0.75
    assert K.sum_all(z) == 0.5 and K.sum_axis(z, None).shape == ()
    p, g = np.array(1.0, dtype), np.array(2.0, dtype)
    buf = K.sgd_step(p, g, lr=0.25, momentum=0.5)
    assert p == 0.5 and buf.shape == () and buf == 2.0


# ---------------------------------------------------------------------------
# threads setting

def test_num_threads(threads):
    assert isinstance(K.get_num_threads(), int) and K.get_num_threads() >= 1
    K.set_num_threads(3)
    assert K.get_num_threads() == 3
    K.set_num_threads(np.int64(1))
    assert K.get_num_threads() == 1
    for bad in (1.0, "2", None, True):
        with pytest.raises(TypeError):
            K.set_num_threads(bad)
    for bad in (0, -1):
        with pytest.raises(ValueError):
            K.set_num_threads(bad)
    assert K.get_num_threads() == 1


def test_num_threads_env(monkeypatch):
    monkeypatch.setenv("MINITENSOR_NUM_THREADS", "5")
    assert K._initial_num_threads() == 5
    monkeypatch.delenv("MINITENSOR_NUM_THREADS")
    assert K._initial_num_threads() == K._cpu_count() >= 1
    monkeypatch.setenv("MINITENSOR_NUM_THREADS", "zero")
    with pytest.warns(RuntimeWarning, match="MINITENSOR_NUM_THREADS"):
        assert K._initial_num_threads() == K._cpu_count()



# ---------------------------------------------------------------------------
# nn kernels (minitensor/_pythran/_nn.py, glue minitensor/nn/_nn_kernels.py)

def _nn_kernel_cases(dtype):
    """One call per exported kernel of _nn (arguments built fresh by each maker)."""
    r = np.random.default_rng(20)
    x = r.standard_normal((2, 5, 6)).astype(dtype)
    x[1, 2, 3] = np.nan
    x4 = r.standard_normal((2, 3, 5, 6)).astype(dtype)
    x4[1, 2, 3, 3] = np.nan
    g = (3, 2, 2, 1, 1, 1, 1, 2, 4, 3)     # kh kw sh sw ph pw dh dw ho wo
    cols = r.standard_normal((2, 6, 12)).astype(dtype)
    cols5 = r.standard_normal((3, 6, 2, 4, 3)).astype(dtype)
    xp = r.standard_normal((3, 7, 9)).astype(dtype)
    xp[0, 1, 1] = xp[2, 0, 0] = xp[2, 5, 4] = np.nan
    v = r.standard_normal(37).astype(dtype)
    gi = r.integers(0, 30, (2, 4))
    ua = r.uniform(-1, 1, (3, 16)).astype(dtype)   # (LSTM gate activations, tanh(c))
    ut = r.uniform(-1, 1, (3, 4)).astype(dtype)
    return [
        ("im2col", lambda: (x, *g, np.empty((2, 6, 12), dtype), 1)),
        ("col2im", lambda: (cols, *g, np.empty((2, 5, 6), dtype), 1)),
        ("im2col_cm", lambda: (x4, *g, np.empty((3, 6, 2, 4, 3), dtype), 1)),
        ("col2im_cm", lambda: (cols5, *g, np.empty((2, 3, 5, 6), dtype), 1)),
        # stride 1 (the contiguous block copies)
        ("im2col_cm", lambda: (x4, 3, 2, 1, 1, 1, 0, 1, 1, 5, 5, np.empty((3, 6, 2, 5, 5), dtype),
                               1)),
        ("col2im_cm", lambda: (cols5[:, :, :, :, :2].copy(), 2, 3, 1, 1, 0, 1, 2, 1, 4, 2,
                               np.empty((2, 3, 5, 6), dtype), 1)),
        ("maxpool2d", lambda: (x, 3, 2, 2, 1, 1, 1, 1, 2, np.empty((2, 3, 4), np.int64),
                               np.empty((2, 3, 4), dtype), 1)),
        ("maxpool2d", lambda: (x, 3, 2, 2, 1, 1, 1, 1, 2, np.empty((2, 3, 4), np.int32),
                               np.empty((2, 3, 4), dtype), 1)),
        # the 2x2/2 fast path (odd plane sizes: the last row/column is dropped)
        ("maxpool2d", lambda: (xp, 2, 2, 2, 2, 0, 0, 1, 1, np.empty((3, 3, 4), np.int64),
                               np.empty((3, 3, 4), dtype), 1)),
        ("maxpool2d", lambda: (xp, 2, 2, 2, 2, 0, 0, 1, 1, np.empty((3, 3, 4), np.int32),
                               np.empty((3, 3, 4), dtype), 1)),
        ("maxpool2d_backward", lambda: (cols[:, 0, :4].copy(), gi.copy(),
                                        np.empty((2, 30), dtype), 1)),
        ("maxpool2d_backward", lambda: (cols[:, 0, :4].copy(), gi.astype(np.int32),
                                        np.empty((2, 30), dtype), 1)),
        ("gelu_erf", lambda: (v, np.empty_like(v), 1)),
        ("gelu_erf_backward", lambda: (v, v[::-1].copy(), np.empty_like(v), 1)),
        ("bn_forward", lambda: (np.nan_to_num(x4).reshape(2, 3, 30), np.ones(3, dtype),
                                np.arange(3, dtype=dtype), 1e-5, np.empty((2, 3, 30), dtype),
                                np.empty((2, 3, 30), dtype), np.empty(3), np.empty(3), 1)),
        ("bn_backward", lambda: (cols5.reshape(3, 6, 24)[:2].copy(),
                                 cols5.reshape(3, 6, 24)[1:].copy(), np.linspace(0.5, 2, 6),
                                 np.empty((2, 6, 24), dtype), np.empty(6), np.empty(6), True, 1)),
        # LSTM gates: 3 rows, H = 4 (large |pre-activations| saturate the sigmoids)
        ("lstm_gates", lambda: ((cols[:, :4, :6].reshape(3, 16) * 8).astype(dtype),
                                cols[0, :3, :4].copy(), np.empty((3, 16), dtype),
                                np.empty((3, 4), dtype), np.empty((3, 4), dtype))),
        ("lstm_gates_backward", lambda: (cols[1, :3, :4].copy(), cols[0, 3:, :4].copy(),
                                         ua.copy(), ut.copy(),
                                         cols[1, 3:, 4:8].copy(), np.empty((3, 16), dtype))),
    ]


@pytest.mark.parametrize("dtype", DTYPES)
def test_compiled_nn_matches_source(dtype, src):
    if not P.COMPILED.get("_nn"):
        pytest.skip("kernels not compiled")
    checked = set()
    for name, make in _nn_kernel_cases(dtype):
        a_c, a_s = make(), make()
        assert getattr(P._nn, name)(*a_c) is None
        assert getattr(src["_nn"], name)(*a_s) is None
        # batch-norm sums: SIMD vs NumPy summation order (float32 cancellation in sum(g*xhat))
        tol = 3e-5 if name.startswith("bn_") and dtype == np.float32 else 1e-6
        for u, w in zip(a_c, a_s):
            if isinstance(u, np.ndarray):
                np.testing.assert_allclose(u, w, rtol=tol, atol=tol, err_msg=name)
        checked.add(name)
    exported = {n for n in dir(P._nn) if not n.startswith("_") and callable(getattr(P._nn, n))}
    assert exported <= checked, f"untested kernels: {exported - checked}"


def _conv_geometries(seed, count):
    r = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        kh, kw, sh, sw, dh, dw = (int(v) for v in r.integers(1, 4, 6))
        sh, sw, dh, dw = min(sh, 2), min(sw, 2), min(dh, 2), min(dw, 2)
        ph, pw = (int(v) for v in r.integers(0, 3, 2))
        h, w = (int(v) for v in r.integers(1, 8, 2))
        ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        if ho > 0 and wo > 0:
            out.append((h, w, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo)))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_im2col_cm_col2im_cm(dtype, threads):
    """Channel-major columns: the windows of the zero-padded input; col2im_cm is the adjoint;
    serial and parallel runs agree bit for bit."""
    from minitensor.nn import _nn_kernels as NK
    r = np.random.default_rng(21)
    for h, w, k, s, p, d, o in _conv_geometries(22, 25):
        n, c = (int(v) for v in r.integers(1, 4, 2))
        x = r.standard_normal((n, c, h, w)).astype(dtype)
        cols = NK.im2col_cm(x, k, s, p, d, o)
        assert cols.shape == (c, k[0] * k[1], n, o[0] * o[1]) and cols.dtype == dtype
        xpad = np.pad(x, ((0, 0), (0, 0), (p[0], p[0] + k[0] * d[0]), (p[1], p[1] + k[1] * d[1])))
        ref = np.empty((c, k[0], k[1], n, o[0], o[1]), dtype)
        for i in range(k[0]):
            for j in range(k[1]):
                win = xpad[:, :, i * d[0]:i * d[0] + s[0] * (o[0] - 1) + 1:s[0],
                           j * d[1]:j * d[1] + s[1] * (o[1] - 1) + 1:s[1]]
                ref[:, i, j] = win.transpose(1, 0, 2, 3)
        np.testing.assert_array_equal(cols, ref.reshape(cols.shape))
        cc = r.standard_normal(cols.shape).astype(dtype)
        back = NK.col2im_cm(cc, (h, w), k, s, p, d, o)
        assert back.shape == x.shape and back.dtype == dtype
        lhs = np.vdot(cols.astype(np.float64), cc.astype(np.float64))
        rhs = np.vdot(x.astype(np.float64), back.astype(np.float64))
        assert abs(lhs - rhs) <= (1e-4 if dtype == np.float32 else 1e-10) * max(1.0, abs(lhs))
    # above the parallel threshold
    x = r.standard_normal((16, 8, 30, 31)).astype(dtype)
    geo = ((3, 3), (1, 1), (1, 1), (1, 1), (30, 31))
    res = []
    for nt in (1, 2):
        threads(nt)
        cols = NK.im2col_cm(x, *geo)
        res.append((cols, NK.col2im_cm(cols, (30, 31), *geo)))
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)


def test_nn_cm_glue_rejects_bad_arguments():
    from minitensor.nn import _nn_kernels as NK
    x = np.zeros((2, 3, 4, 4), np.float32)
    geo = ((2, 2), (1, 1), (0, 0), (1, 1), (3, 3))
    with pytest.raises(ValueError, match="4-D"):
        NK.im2col_cm(x[0], *geo)
    with pytest.raises(TypeError, match="float32 or float64"):
        NK.im2col_cm(x.astype(np.int32), *geo)
    with pytest.raises(ValueError, match="cols has shape"):
        NK.col2im_cm(np.zeros((3, 4, 2, 8), np.float32), (4, 4), *geo)
    with pytest.raises(ValueError, match="4-D"):
        NK.col2im_cm(np.zeros((3, 4, 2, 3, 3), np.float32), (4, 4), *geo)
    with pytest.raises(ValueError, match="padding"):
        NK.col2im_cm(np.zeros((3, 4, 2, 9), np.float32), (4, 4), (2, 2), (1, 1), (-1, 0),
                     (1, 1), (3, 3))


@pytest.mark.parametrize("dtype", DTYPES)
def test_maxpool2x2_fast_path(dtype, threads):
    """The 2x2/2 kernel path vs a NumPy reference of PyTorch's rule (first maximum;
    the last NaN of a window wins), odd sizes, serial and parallel."""
    from minitensor.nn import _nn_kernels as NK
    r = np.random.default_rng(23)
    for nc, h, w in [(3, 7, 9), (2, 2, 2), (200, 40, 41)]:   # last: above PAR_MIN
        x = r.integers(-3, 3, (nc, h, w)).astype(dtype)     # ties
        x.reshape(-1)[r.integers(0, x.size, max(1, x.size // 20))] = np.nan
        ho, wo = h // 2, w // 2
        win = x[:, :2 * ho, :2 * wo].reshape(nc, ho, 2, wo, 2).transpose(0, 1, 3, 2, 4)
        win = win.reshape(nc, ho, wo, 4)
        nan = np.isnan(win)
        last_nan = 3 - np.argmax(nan[..., ::-1], axis=-1)
        pick = np.where(nan.any(-1), last_nan, np.argmax(np.where(nan, -np.inf, win), axis=-1))
        ref = np.take_along_axis(win, pick[..., None], -1)[..., 0]
        yy = 2 * np.arange(ho)[:, None] + pick // 2
        xx = 2 * np.arange(wo)[None, :] + pick % 2
        res = []
        for nt in (1, 2):
            threads(nt)
            res.append(NK.maxpool2d(x, (2, 2), (2, 2), (0, 0), (1, 1), (ho, wo)))
        if P.COMPILED.get("_nn"):   # the kernel's parallel branch, called directly
            out2, idx2 = np.empty((nc, ho, wo), dtype), np.empty((nc, ho, wo), np.int32)
            P._nn.maxpool2d(x, 2, 2, 2, 2, 0, 0, 1, 1, idx2, out2, 2)
            res.append((out2, idx2))
        for out, idx in res:
            np.testing.assert_array_equal(out, ref)
            np.testing.assert_array_equal(idx, yy * w + xx)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_kernels(dtype, threads):
    """Fused training-mode batch norm vs a float64 NumPy reference; serial == parallel."""
    from minitensor.nn import _nn_kernels as NK
    r = np.random.default_rng(24)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-11, atol=1e-11)
    # rows of L < 128 take the batch-outer loops (BatchNorm1d: L = 1; (64, 32, 100): above
    # the parallel threshold, channel blocks per thread), longer rows the per-channel ones
    for shape in [(2, 3, 1), (5, 4, 7), (256, 24, 1), (4, 3, 127), (4, 3, 128), (64, 32, 100),
                  (16, 8, 1200)]:
        x = (3 * r.standard_normal(shape) + 2).astype(dtype)
        w, b = r.standard_normal(shape[1]).astype(dtype), r.standard_normal(shape[1]).astype(dtype)
        g = r.standard_normal(shape).astype(dtype)
        x64, g64 = x.astype(np.float64), g.astype(np.float64)
        mean = x64.mean(axis=(0, 2))
        var = x64.var(axis=(0, 2))
        xhat = (x64 - mean[:, None]) / np.sqrt(var[:, None] + 1e-5)
        m = shape[0] * shape[2]
        k = w / np.sqrt(var + 1e-5)
        gsum, gdot = g64.sum(axis=(0, 2)), (g64 * xhat).sum(axis=(0, 2))
        gx = k[:, None] * (g64 - gsum[:, None] / m - xhat * gdot[:, None] / m)
        res = []
        for nt in (1, 2):
            threads(nt)
            y_, xh_, mu_, v_ = NK.batch_norm_forward(x, w, b, 1e-5)
            res.append((y_, xh_, mu_, v_) + NK.batch_norm_backward(g, xh_, k))
        for got in res:
            assert got[0].dtype == dtype and got[4].dtype == dtype
            for a, ref in zip(got, (xhat * w[:, None] + b[:, None], xhat, mean, var, gx, gsum,
                                    gdot)):
                np.testing.assert_allclose(a, ref, **tol)
        for a, c in zip(*res):
            np.testing.assert_array_equal(a, c)
    assert NK.batch_norm_backward(g, xh_, k, need_gx=False)[0] is None
    with pytest.raises(ValueError, match="shape mismatch"):
        NK.batch_norm_backward(g[:1], xh_, k)
    with pytest.raises(ValueError, match="weight/bias"):
        NK.batch_norm_forward(x, w[:1], b, 1e-5)


def _gelu_erf_ref(x):
    """float64 exact GELU and its derivative (math.erfc: accurate in the negative tail)."""
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return x * cdf, cdf + x * pdf


@pytest.mark.parametrize("n", [1, 37, 1023, 1025, 16385, 40000])
def test_gelu_erf_float32_kernel(n, threads):
    """The float32 exact GELU (a vectorised erfc, not the C library's erf) vs float64:
    absolute error < 1e-6 relative to max(1, |x|), relative error < 3e-6 for x > -5 and
    < 1.5e-5 for x > -9 (the negative tail keeps its relative accuracy); inf/nan/signed
    zeros as PyTorch; serial == parallel."""
    from minitensor.nn import _nn_kernels as NK
    r = np.random.default_rng(n)
    x = (4 * r.standard_normal(n)).astype(np.float32)
    x[: min(n, 8)] = np.array([-8.5, -5.0, -1e-30, 0.0, 2.5, 9.0, -0.7, 30.0])[: min(n, 8)]
    g = r.standard_normal(n).astype(np.float32)
    x64 = x.astype(np.float64)
    f_ref, d_ref = _gelu_erf_ref(x64)
    res = []
    for nt in (1, 2):
        threads(nt)
        res.append((NK.gelu_erf(x), NK.gelu_erf_backward(x, g)))
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)
    f, d = res[0]
    assert f.dtype == d.dtype == np.float32
    scale = np.maximum(1.0, np.abs(x64))
    assert np.max(np.abs(f - f_ref) / scale) < 1e-6
    assert np.max(np.abs(d - g * d_ref) / np.maximum(1.0, np.abs(g))) < 1e-6
    rel = np.abs(f - f_ref) / np.where(f_ref == 0, 1.0, np.abs(f_ref))
    assert np.max(rel[x64 > -5], initial=0) < 3e-6   # (float32 z*z: ~1e-7 z^2 in the tail)
    assert np.max(rel[x64 > -9], initial=0) < 1.5e-5
    special = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-38, 3e38], np.float32)
    with np.errstate(over="ignore", invalid="ignore"):   # (MINITENSOR_PURE_PYTHON: NumPy)
        fs = NK.gelu_erf(special)
        ds = NK.gelu_erf_backward(special[2:], np.ones(5, np.float32))
    np.testing.assert_array_equal(fs[[0, 3, 5, 6]], special[[0, 3, 5, 6]] * [1, 1, 0.5, 1])
    assert np.isnan(fs[1]) and np.isnan(fs[2]) and fs[4] == 0 and np.signbit(fs[4])
    np.testing.assert_array_equal(ds[1:], [0.5, 0.5, 0.5, 1.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_lstm_gates_kernel(dtype):
    """The LSTM step kernels vs a float64 NumPy reference (saturated gates included)."""
    from minitensor.nn import _nn_kernels as NK
    r = np.random.default_rng(26)
    tol = dict(rtol=2e-6, atol=2e-7) if dtype == np.float32 else dict(rtol=1e-14, atol=1e-15)
    for n, H in [(1, 1), (3, 5), (32, 16), (7, 33)]:
        gates = (6 * r.standard_normal((n, 4 * H))).astype(dtype)
        gates[0, :4] = [200, -200, 90, -90]
        c = r.standard_normal((n, H)).astype(dtype)
        g64, c64 = gates.astype(np.float64), c.astype(np.float64)
        sig = 1 / (1 + np.exp(-g64))
        a_ref = np.concatenate([sig[:, :2 * H], np.tanh(g64[:, 2 * H:3 * H]), sig[:, 3 * H:]], 1)
        c_ref = a_ref[:, H:2 * H] * c64 + a_ref[:, :H] * a_ref[:, 2 * H:3 * H]
        acts, tc, h = (np.empty((n, 4 * H), dtype), np.empty((n, H), dtype),
                       np.empty((n, H), dtype))
        with np.errstate(over="ignore"):   # exp(200) (MINITENSOR_PURE_PYTHON: NumPy)
            assert NK.lstm_gates(gates, c, acts, tc, h)
        for got, ref in ((acts, a_ref), (c, c_ref), (tc, np.tanh(c_ref)),
                         (h, a_ref[:, 3 * H:] * np.tanh(c_ref))):
            np.testing.assert_allclose(got, ref, **tol)
    # not kernel-ready (strided, Fortran order, byte-swapped, wrong shape): declined
    # (the caller computes with NumPy), nothing written
    before = acts.copy()
    strided = np.repeat(gates, 2, axis=1)[:, ::2]
    swapped = gates.astype(gates.dtype.newbyteorder())
    for bad in (strided, np.asfortranarray(gates), swapped, gates[:, 1:]):
        assert not NK.lstm_gates(bad, c, acts, tc, h)
    np.testing.assert_array_equal(acts, before)


@pytest.mark.parametrize("dtype", DTYPES + [np.float16])
def test_whole_plane_im2col_fast_paths(dtype):
    """A window as large as its unpadded input (one output position): the glue's NumPy
    copies give the kernels' columns and scatters."""
    from minitensor.nn import _nn_kernels as NK
    r = np.random.default_rng(27)
    x = r.standard_normal((3, 4, 5, 2)).astype(dtype)
    n, c, h, w = x.shape
    geo = ((h, w), (1, 1), (0, 0), (1, 1), (1, 1))
    cols = NK.im2col_cm(x, *geo)
    assert cols.shape == (c, h * w, n, 1) and cols.dtype == dtype
    np.testing.assert_array_equal(cols[:, :, :, 0], x.reshape(n, c, h * w).transpose(1, 2, 0))
    cc = r.standard_normal(cols.shape).astype(dtype)
    back = NK.col2im_cm(cc, (h, w), *geo)
    assert back.shape == x.shape and back.dtype == dtype and back.flags.c_contiguous
    np.testing.assert_array_equal(back, cc[:, :, :, 0].transpose(2, 0, 1).reshape(x.shape))
    x3 = x.reshape(n * c, h, w)
    cols3 = NK.im2col(x3, *geo)
    assert cols3.shape == (n * c, h * w, 1) and not np.shares_memory(cols3, x3)
    np.testing.assert_array_equal(cols3[:, :, 0], x3.reshape(n * c, h * w))
    back3 = NK.col2im(cols3, (h, w), *geo)
    np.testing.assert_array_equal(back3, x3)
    assert not np.shares_memory(back3, cols3)
    # one image: still copies (a transposed (1, k) view would be contiguous)
    one = NK.im2col_cm(x[:1], *geo)
    assert not np.shares_memory(one, x)
    if dtype != np.float16:
        # the kernels agree (same geometry, stride 2: still one output position)
        out = np.empty((c, h * w, n, 1, 1), dtype)
        P._nn.im2col_cm(x, h, w, 2, 2, 0, 0, 1, 1, 1, 1, out, 1)
        np.testing.assert_array_equal(out.reshape(cols.shape), cols)


# ---------------------------------------------------------------------------
# CPU dispatch (x86-64-v3 detection) and the missing-kernel message

V3_FLAGS = "fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt xsave avx f16c fma movbe abm bmi1 bmi2 avx2"
# NumPy 2.2's table: no X86_V3, BMI, BMI2, LZCNT nor MOVBE entries
NUMPY_22 = {"SSE42": True, "POPCNT": True, "AVX": True, "F16C": True, "FMA3": True, "AVX2": True,
            "AVX512F": False}
NUMPY_24 = dict(NUMPY_22, BMI=True, BMI2=True, LZCNT=True, MOVBE=True, X86_V2=True, X86_V3=True)


def test_v3_decision_numpy22_table_with_cpuinfo():
    flags = frozenset(V3_FLAGS.split())
    assert P.V3_CPUINFO_FLAGS <= flags
    # the case that used to answer False on AVX2 CPUs
    assert P._v3_supported(flags, NUMPY_22) is True
    assert P._v3_supported(flags, NUMPY_24) is True
    assert P._v3_supported(flags, {}) is True


@pytest.mark.parametrize("missing", sorted(P.V3_CPUINFO_FLAGS))
def test_v3_decision_any_missing_cpuinfo_flag(missing):
    flags = frozenset(V3_FLAGS.split()) - {missing}
    assert P._v3_supported(flags, NUMPY_22) is False
    assert P._v3_supported(flags, NUMPY_24) is False


def test_v3_decision_numpy_vetoes_and_fallback():
    flags = frozenset(V3_FLAGS.split())
    assert P._v3_supported(flags, dict(NUMPY_24, X86_V3=False)) is False
    assert P._v3_supported(flags, dict(NUMPY_22, AVX2=False)) is False
    # no /proc/cpuinfo (not Linux): NumPy's table alone, conservative without X86_V3
    assert P._v3_supported(None, NUMPY_24) is True
    assert P._v3_supported(None, dict(NUMPY_24, X86_V3=False)) is False
    assert P._v3_supported(None, NUMPY_22) is False
    assert P._v3_supported(None, {}) is False


def test_cpuinfo_flags_parsing(tmp_path):
    block = ("processor\t: {i}\nvendor_id\t: GenuineIntel\nmodel name\t: Some CPU\n"
             "flags\t\t: {flags}\nbogomips\t: 4000.00\n\n")
    text = (block.format(i=0, flags=V3_FLAGS.replace(" bmi2", ""))
            + block.format(i=1, flags=V3_FLAGS))
    path = tmp_path / "cpuinfo"
    path.write_text(text)
    flags = P._cpuinfo_flags(str(path))
    assert "bmi1" in flags and "bmi2" not in flags      # the first processor's line
    assert P._v3_supported(flags, NUMPY_24) is False
    path.write_text(block.format(i=0, flags=V3_FLAGS) * 2)
    assert P._v3_supported(P._cpuinfo_flags(str(path)), NUMPY_22) is True
    # aarch64 Linux: "Features", no "flags"; and no file at all
    path.write_text("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes\n\n")
    assert P._cpuinfo_flags(str(path)) is None
    assert P._cpuinfo_flags(str(tmp_path / "absent")) is None


def test_cpu_dispatch_agrees_with_proc_cpuinfo():
    flags = P._cpuinfo_flags()
    if flags is None:
        pytest.skip("no x86 /proc/cpuinfo flags on this machine")
    expected = P.V3_CPUINFO_FLAGS <= flags
    assert P._cpu_has_v3({}) is expected, (
        f"dispatch says v3={not expected}, /proc/cpuinfo lacks "
        f"{sorted(P.V3_CPUINFO_FLAGS - flags)}")
    assert P._cpu_has_v3({"MINITENSOR_CPU_DISPATCH": "baseline"}) is False
    if P.variant == "python" or "MINITENSOR_CPU_DISPATCH" in os.environ:
        return
    try:
        import minitensor._pythran._fused_v3  # noqa: F401
    except ImportError:
        return                                   # built without the v3 copies
    assert P.variant == ("x86-64-v3" if expected else "baseline")


def _forbidden_advice(msg):
    # the index's `minitensor` is an unrelated project: never install by name
    return re.findall(r"--no-binary|--force-reinstall|pip install [^.\s`]*minitensor", msg)


def test_missing_kernel_message_from_the_source_tree_root():
    """`python -c` in the repository's root imports the uncompiled source tree: the
    ImportError says so and what to do (the editable install's import hook and the
    installed package are kept out with -S; site-packages is added back for NumPy)."""
    import site
    root = SRC_KERNEL_DIR.parents[1]
    code = ("import sys; sys.path[1:1] = " + repr(site.getsitepackages()) + "\n"
            "import minitensor._pythran")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINITENSOR_", "PYTHON"))}
    r = subprocess.run([sys.executable, "-S", "-c", code], cwd=root, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0, "the source tree imported without compiled kernels"
    msg = r.stderr.strip().splitlines()[-1]
    assert msg.startswith("ImportError: minitensor: the compiled kernel module"), r.stderr
    assert "source tree" in msg and f"the current directory, {root}," in msg, msg
    assert "minitensor-digits" in msg and "not `python -m pytest`" in msg, msg
    assert "pip install .` in the source tree" in msg, msg
    assert not _forbidden_advice(msg), msg


def test_missing_kernel_message_of_an_installation(tmp_path):
    folder = tmp_path / "site-packages" / "minitensor" / "_pythran"
    folder.mkdir(parents=True)
    msg = P._missing_message("_fused", str(folder / "_fused.py"), cwd=str(tmp_path))
    assert "_fused" in msg and str(tmp_path / "site-packages") in msg
    assert "lacks its compiled kernels" in msg and "source tree" in msg
    assert "`pip install .` run in a minitensor clone" in msg
    assert not _forbidden_advice(msg), msg
    (folder / "meson.build").write_text("")           # now it is a source tree
    msg = P._missing_message("_fused", str(folder / "_fused.py"), cwd=str(tmp_path))
    assert "minitensor's source tree" in msg and "the current directory, " not in msg
    assert not _forbidden_advice(msg), msg
