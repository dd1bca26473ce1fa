"""The private special functions (``minitensor/_special_functions.py``: ``erf``,
``erfc``), their rules in the one table and their faces (``Tensor.erf``,
``minitensor.torch.erf``, ``torch.special.erfc``)."""
import math

import numpy as np
import pytest

import minitensor as xp
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
