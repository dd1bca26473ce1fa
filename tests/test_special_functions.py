"""The private special functions (``minitensor/_special_functions.py``: ``erf``,
``erfc``), their rules in the one table and their faces (``Tensor.erf``,
``minitensor.torch.erf``, ``torch.special.erfc``)."""
import math

import numpy as np
import pytest

import minitensor as xp
import minitensor._special_functions as _S
import minitensor.torch as mtorch
from minitensor import _special_functions as S
from minitensor.autograd import grad, gradcheck, gradgradcheck

X = np.array([-30.0, -3.5, -1.0, -1e-12, 0.0, 1e-12, 0.3, 1.0, 2.5, 6.0, 30.0, np.inf, -np.inf])


@pytest.mark.parametrize("name, ref", [("erf", math.erf), ("erfc", math.erfc)])
@pytest.mark.parametrize("dtype", [xp.float64, xp.float32, xp.float16])
def test_values_against_the_c_library(name, ref, dtype):
    x = xp.asarray(X, dtype=dtype)
    got = getattr(S, name)(x)
    assert got.dtype == dtype
    xs = x._array.astype(np.float64)
    want = np.array([ref(v) for v in xs]).astype(x._array.dtype)
    # (float32 goes through the C library's float versions: within an ulp or two)
    tol = 0 if dtype == xp.float64 else 2 * np.finfo(x._array.dtype).eps
    np.testing.assert_allclose(got._array, want, rtol=tol, atol=0)
    np.testing.assert_array_equal(getattr(x, name)()._array, got._array)   # the Tensor method
    assert np.isnan(getattr(S, name)(xp.asarray([np.nan]))._array[0])


def test_tiny_arguments_keep_their_relative_precision():
    # (2 Phi(sqrt(2) x) - 1 would lose every digit here)
    v = float(S.erf(xp.asarray(1e-12)))
    assert v == pytest.approx(2 / math.sqrt(math.pi) * 1e-12, rel=1e-15)
    assert float(S.erfc(xp.asarray(26.0))) > 0.0


def test_integer_and_bool_inputs_give_float64_and_complex_is_refused():
    assert S.erf(xp.asarray([0, 1])).dtype == xp.float64
    assert S.erfc(xp.asarray([True])).dtype == xp.float64
    with pytest.raises(TypeError, match="real floating-point"):
        S.erf(xp.asarray([1j]))
    with pytest.raises(TypeError, match="Tensor"):
        S.erf([0.5])


@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_gradients_first_and_second_order(name):
    x = xp.asarray([-1.7, -0.2, 0.4, 1.3]); x.requires_grad_()
    f = getattr(S, name)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_gradients_against_torch(name):
    torch = pytest.importorskip("torch")
    xa = np.array([-1.7, -0.2, 0.4, 1.3])
    x = xp.asarray(xa); x.requires_grad_()
    (g,) = grad(xp.sum(getattr(S, name)(x) ** 2), [x], create_graph=True)
    (h,) = grad(xp.sum(g * xp.asarray([1.0, -2.0, 0.5, 3.0])), [x])
    tx = torch.tensor(xa, requires_grad=True)
    (tg,) = torch.autograd.grad((getattr(torch, name)(tx) ** 2).sum(), [tx], create_graph=True)
    (th,) = torch.autograd.grad((tg * torch.tensor([1.0, -2.0, 0.5, 3.0])).sum(), [tx])
    np.testing.assert_allclose(g._array, tg.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(h._array, th.numpy(), rtol=1e-12)


def test_the_pytorch_face_uses_them():
    t = mtorch.tensor([0.0, 0.5, 10.0])
    assert t.dtype == mtorch.float32
    np.testing.assert_allclose(mtorch.erf(t)._array, [0.0, math.erf(0.5), 1.0], rtol=1e-7)
    np.testing.assert_allclose(mtorch.special.erfc(t)._array, [1.0, math.erfc(0.5), 0.0],
                               rtol=1e-6, atol=1e-44)   # (erfc(10) = 2e-45: float32's subnormal)
    y = mtorch.ones(2).erf_()
    np.testing.assert_allclose(y._array, [math.erf(1.0)] * 2, rtol=1e-7)


# ------------------------------------------------------------ minitensor.special
SPECIAL = ["erf", "erfc", "expit", "logit", "entr", "ndtr", "log_ndtr"]
GRID = np.concatenate([-np.logspace(3, -3, 31), [0.0], np.logspace(-3, 3, 31)])
DOMAIN = {"logit": np.linspace(0.0, 1.0, 41), "entr": np.concatenate([[-1.0, 0.0], GRID[32:]])}


@pytest.mark.parametrize("name", SPECIAL)
def test_special_values_against_scipy(name):
    ss = pytest.importorskip("scipy.special")
    x = DOMAIN.get(name, GRID)
    x = np.concatenate([x, [np.nan, np.inf, -np.inf]])
    got = getattr(xp.special, name)(xp.asarray(x))._array
    with np.errstate(all="ignore"):
        want = getattr(ss, name)(x)
    # (the normal tails: erfc of an argument rounded to float64, ~1e-13 relative)
    np.testing.assert_allclose(got, want, rtol=2e-13, atol=0)
    f32 = getattr(xp.special, name)(xp.asarray(x, dtype=xp.float32))
    assert f32.dtype == xp.float32


@pytest.mark.parametrize("name", SPECIAL)
def test_special_gradients_twice(name):
    pts = {"logit": [0.1, 0.45, 0.9], "entr": [0.2, 1.5, 3.0]}.get(
        name, [-25.0, -3.0, -0.4, 0.6, 4.0])
    x = xp.asarray(pts)
    x.requires_grad_()
    f = getattr(xp.special, name)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


@pytest.mark.parametrize("name", SPECIAL)
def test_special_gradients_against_torch(name):
    torch = pytest.importorskip("torch")
    # (expit at 30: torch's y * (1 - y) cancels; ours is exact, so not compared there)
    pts = {"logit": [0.1, 0.45, 0.9], "entr": [0.2, 1.5, 3.0],
           "expit": [-45.0, -25.0, -3.0, -0.4, 0.0, 0.6, 4.0]}.get(
        name, [-45.0, -25.0, -20.0, -3.0, -0.4, 0.0, 0.6, 4.0, 30.0])
    xa = np.array(pts)
    x = xp.asarray(xa)
    x.requires_grad_()
    (g,) = grad(xp.sum(getattr(xp.special, name)(x)), [x], create_graph=True)
    (h,) = grad(xp.sum(g), [x])
    tx = torch.tensor(xa, requires_grad=True)
    tf = getattr(torch.special, name)
    (tg,) = torch.autograd.grad(tf(tx).sum(), [tx], create_graph=True)
    (th,) = torch.autograd.grad(tg.sum(), [tx])
    np.testing.assert_allclose(g._array, tg.detach().numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(h._array, th.numpy(), rtol=1e-9, atol=1e-300)


def test_special_gradients_stay_finite_in_the_tails():
    # the branches not taken are evaluated on clamped inputs: no inf * 0 = NaN
    x = xp.asarray([-1e4, -30.0, 0.0, 30.0, 1e4])
    x.requires_grad_()
    for name in ("expit", "ndtr", "log_ndtr", "erf", "erfc"):
        (g,) = grad(xp.sum(getattr(xp.special, name)(x)), [x])
        assert np.all(np.isfinite(g._array)), name


def test_xlog1py_against_scipy_and_torch():
    ss = pytest.importorskip("scipy.special")
    x = np.array([0.0, 0.0, 2.0, -1.0, np.nan, 3.0, 0.0])
    y = np.array([-1.0, np.nan, 1.0, 0.5, 1.0, -2.0, 7.0])
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(xp.special.xlog1py(xp.asarray(x), xp.asarray(y))._array,
                                   ss.xlog1py(x, y), rtol=1e-15)
    torch = pytest.importorskip("torch")
    # (not at x = 0, y = -1: torch's d/dy there is 0/0 = nan; ours is 0)
    xa, ya = np.array([0.0, 2.0, -1.5]), np.array([-0.5, 0.3, 4.0])
    a, b = xp.asarray(xa), xp.asarray(ya)
    a.requires_grad_()
    b.requires_grad_()
    ga, gb = grad(xp.sum(xp.special.xlog1py(a, b)), [a, b])
    ta = torch.tensor(xa, requires_grad=True)
    tb = torch.tensor(ya, requires_grad=True)
    tga, tgb = torch.autograd.grad(torch.special.xlog1py(ta, tb).sum(), [ta, tb])
    np.testing.assert_allclose(ga._array, tga.numpy(), rtol=1e-14)
    np.testing.assert_allclose(gb._array, tgb.numpy(), rtol=1e-14)
    assert gradgradcheck(xp.special.xlog1py, (a, b))


# ------------------------------------------ gammaln, digamma, polygamma, ndtri
def _wide_grid():
    rng = np.random.default_rng(7)
    return np.concatenate([
        rng.uniform(-30.0, 30.0, 400), 10.0 ** rng.uniform(-300, 300, 200),
        -(10.0 ** rng.uniform(-8, 12, 200)) - 0.25,           # negative non-integers
        [1e-300, 0.5, 1.0, 2.0, 3.0, 10.0, 170.5, 1e15, 1e300, -0.5, -2.5, -1e6 - 0.5]])


def _near_a_zero(name, x):
    """Points where the function crosses zero: there the C library's lgamma and the
    recurrence/reflection formulas keep an absolute (not a relative) accuracy."""
    with np.errstate(all="ignore"):
        if name == "gammaln":
            return (np.abs(x - 1.0) < 0.1) | (np.abs(x - 2.0) < 0.1) | (x < -2.0)
        return (np.abs(x - 1.4616321449683623) < 0.1) | (x < 0)


@pytest.mark.parametrize("name, ref", [("gammaln", "gammaln"), ("digamma", "psi")])
def test_gamma_family_against_scipy(name, ref):
    ss = pytest.importorskip("scipy.special")
    x = _wide_grid()
    got = getattr(xp.special, name)(xp.asarray(x))._array
    want = getattr(ss, ref)(x)
    near = _near_a_zero(name, x)
    np.testing.assert_allclose(got[~near], want[~near], rtol=1e-14, atol=0)
    # near the zeros: absolute accuracy (both libraries), relative where the value is large
    # (next to the poles of digamma below 0, ~1e-13 relative; mpmath agrees with ours there)
    np.testing.assert_allclose(got[near], want[near], rtol=1e-12,
                               atol=4e-15 * np.log(2 + np.abs(x[near])).max())
    # poles, infinities and NaN as SciPy (-1e20: every double that large is an integer,
    # so a pole; 5e-324 is left out: see the next test)
    edge = np.array([0.0, -0.0, -1.0, -2.0, -1e20, -1e15 - 0.5, np.inf, -np.inf, np.nan, 1e308])
    np.testing.assert_allclose(getattr(xp.special, name)(xp.asarray(edge))._array,
                               getattr(ss, ref)(edge), rtol=1e-14, atol=0)
    with np.errstate(over="ignore"):   # (1e300 is inf in float32)
        x32 = x.astype(np.float32)
    f32 = getattr(xp.special, name)(xp.asarray(x32))
    assert f32.dtype == xp.float32
    x32 = x32.astype(np.float64)
    with np.errstate(over="ignore"):
        w32 = getattr(ss, ref)(x32).astype(np.float32)
    ok = ~_near_a_zero(name, x32) & np.isfinite(w32)
    np.testing.assert_allclose(f32._array[ok], w32[ok], rtol=2 * np.finfo(np.float32).eps)


def test_gammaln_of_the_smallest_subnormal_is_finite():
    # Note: SciPy's gammaln(5e-324) is inf; the value is -log(5e-324) = 744.44
    # (the C library's lgamma and PyTorch's lgamma)
    got = xp.special.gammaln(xp.asarray([5e-324, 5e-310]))._array
    np.testing.assert_allclose(got, -np.log([5e-324, 5e-310]), rtol=1e-15)


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_polygamma_against_scipy(n):
    ss = pytest.importorskip("scipy.special")
    x = _wide_grid()
    x = x[(x > -1e4)]                                     # (SciPy's zeta is slow far below 0)
    got = _S.polygamma(n, xp.asarray(x))._array
    with np.errstate(all="ignore"):
        want = ss.polygamma(n, x)
    pos = x > 0
    np.testing.assert_allclose(got[pos], want[pos], rtol=1e-14, atol=1e-320)   # (subnormals)
    # x < 0: the reflection formula (both libraries lose digits near the zeros of even n)
    np.testing.assert_allclose(got[~pos], want[~pos], rtol=1e-12 if n % 2 else 1e-10,
                               atol=1e-13)
    special = np.array([0.0, -0.0, -1.0, -3.0, -np.inf, np.nan])
    np.testing.assert_array_equal(_S.polygamma(n, xp.asarray(special))._array,
                                  ss.polygamma(n, special))
    assert float(_S.polygamma(n, xp.asarray(np.inf))) == 0.0
    np.testing.assert_array_equal(_S.polygamma(0, xp.asarray(x))._array,
                                  xp.special.digamma(xp.asarray(x))._array)


def test_polygamma_bad_order():
    with pytest.raises(ValueError, match=">= 0"):
        _S.polygamma(-1, xp.asarray([1.0]))
    with pytest.raises(TypeError, match="integer"):
        _S.polygamma(1.5, xp.asarray([1.0]))


def test_ndtri_against_scipy():
    ss = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(3)
    p = np.concatenate([rng.uniform(0, 1, 2000), 10.0 ** rng.uniform(-323, 0, 1000),
                        1 - 10.0 ** rng.uniform(-16, 0, 500), 0.5 + 10.0 ** rng.uniform(-17, -1, 300),
                        0.5 - 10.0 ** rng.uniform(-17, -1, 300),
                        [0.0, 1.0, 0.5, -0.1, 1.1, np.nan, 5e-324, 1e-300, 0.25, 0.75, -np.inf]])
    got = xp.special.ndtri(xp.asarray(p))._array
    np.testing.assert_allclose(got, ss.ndtri(p), rtol=2e-15, atol=0)
    np.testing.assert_allclose(xp.special.ndtr(xp.asarray(got[:2000]))._array, p[:2000],
                               rtol=4e-15)
    f32 = xp.special.ndtri(xp.asarray(p, dtype=xp.float32))
    assert f32.dtype == xp.float32
    p32 = p.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(f32._array, ss.ndtri(p32).astype(np.float32),
                               rtol=np.finfo(np.float32).eps)


GAMMA_PTS = {"gammaln": [-2.5, -0.3, 0.2, 1.7, 6.0], "digamma": [-2.5, -0.3, 0.2, 1.7, 6.0],
             "ndtri": [0.001, 0.2, 0.5, 0.8, 0.999]}


@pytest.mark.parametrize("name", sorted(GAMMA_PTS))
def test_gamma_family_gradients_twice(name):
    x = xp.asarray(GAMMA_PTS[name])
    x.requires_grad_()
    f = getattr(xp.special, name)
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


@pytest.mark.parametrize("n", [0, 1, 2])
def test_polygamma_gradients_twice(n):
    x = xp.asarray([-2.5, -0.3, 0.2, 1.7, 6.0])
    x.requires_grad_()
    assert gradcheck(lambda t: _S.polygamma(n, t), (x,))
    assert gradgradcheck(lambda t: _S.polygamma(n, t), (x,))


@pytest.mark.parametrize("name, tname", [("gammaln", "gammaln"), ("digamma", "digamma"),
                                         ("ndtri", "ndtri"), ("psi", "psi")])
def test_gamma_family_against_torch(name, tname):
    torch = pytest.importorskip("torch")
    xa = np.array(GAMMA_PTS.get(name, GAMMA_PTS["digamma"]))
    x = xp.asarray(xa)
    x.requires_grad_()
    y = getattr(xp.special, name)(x)
    (g,) = grad(xp.sum(y), [x], create_graph=True)
    (h,) = grad(xp.sum(g * xp.asarray([1.0, -2.0, 0.5, 3.0, 1.5])), [x])
    tx = torch.tensor(xa, requires_grad=True)
    ty = getattr(torch.special, tname)(tx)
    (tg,) = torch.autograd.grad(ty.sum(), [tx], create_graph=True)
    (th,) = torch.autograd.grad((tg * torch.tensor([1.0, -2.0, 0.5, 3.0, 1.5])).sum(), [tx])
    # (PyTorch's trigamma is accurate to ~5e-10 only: ours agrees with SciPy's
    # polygamma(1, .) to 1e-15 in test_polygamma_against_scipy)
    rt = 1e-13 if name == "ndtri" else 1e-9
    np.testing.assert_allclose(y._array, ty.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(g._array, tg.detach().numpy(), rtol=1e-13 if name == "gammaln" else rt)
    np.testing.assert_allclose(h._array, th.numpy(), rtol=rt)


def test_gamma_family_in_the_pytorch_face():
    torch = pytest.importorskip("torch")
    xa = np.array([-2.5, -0.3, 0.2, 1.7, 6.0], dtype=np.float32)
    t = mtorch.tensor(xa)
    for ours, theirs in [(mtorch.lgamma(t), torch.lgamma(torch.tensor(xa))),
                         (t.lgamma(), torch.tensor(xa).lgamma()),
                         (mtorch.digamma(t), torch.digamma(torch.tensor(xa))),
                         (t.digamma(), torch.tensor(xa).digamma()),
                         (mtorch.polygamma(2, t), torch.polygamma(2, torch.tensor(xa))),
                         (t.polygamma(1), torch.tensor(xa).polygamma(1)),
                         (mtorch.special.gammaln(t), torch.special.gammaln(torch.tensor(xa))),
                         (mtorch.special.polygamma(1, t),
                          torch.special.polygamma(1, torch.tensor(xa)))]:
        assert ours.dtype == mtorch.float32
        np.testing.assert_allclose(ours._array, theirs.numpy(), rtol=2e-6)
    p = np.array([0.01, 0.3, 0.7], dtype=np.float32)
    np.testing.assert_allclose(mtorch.special.ndtri(mtorch.tensor(p))._array,
                               torch.special.ndtri(torch.tensor(p)).numpy(), rtol=2e-6)
    u = mtorch.tensor([0.5, 3.0])
    assert u.lgamma_() is u and u.digamma_() is u
    assert mtorch.lgamma(mtorch.tensor([1, 2])).dtype == mtorch.float32   # (integers: float32)
