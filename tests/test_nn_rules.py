"""The nn primitives (``minitensor/nn/_ops.py``) and their gradient rules
(``minitensor/nn/_rules.py``): first-order gradients (gradcheck),
second order (gradgradcheck; Hessian-vector products against finite
differences of the first-order gradients and against PyTorch's double
backward), the rules' two paths (fused kernel without ``create_graph``,
namespace operations with it) agree, ``inplace=True`` still records the
primitive, and autograd stays importable without nn."""
import subprocess
import sys

import numpy as np
import pytest

import minitensor as xp
from minitensor import autograd
from minitensor.autograd import gradcheck, gradgradcheck
from minitensor.autograd._engine import RULES
import minitensor.nn.functional as F
from minitensor.nn import _ops

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    torch = None

# points away from the kinks (0, +-1, 6, the softplus thresholds)
X = np.array([[-2.7, -1.6, -0.45, 0.35], [0.8, 1.3, 2.2, 7.1], [-6.5, 3.4, 0.6, -0.75]])

# name -> (minitensor function, PyTorch function, primitive name)
ACTIVATIONS = {
    "relu": (F.relu, lambda t: TF.relu(t), "nn.relu"),
    "relu6": (F.relu6, lambda t: TF.relu6(t), "nn.hardtanh"),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda t: TF.leaky_relu(t, 0.2),
                   "nn.leaky_relu"),
    "elu": (lambda x: F.elu(x, 0.7), lambda t: TF.elu(t, 0.7), "nn.elu"),
    "gelu": (F.gelu, lambda t: TF.gelu(t), "nn.gelu"),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda t: TF.gelu(t, approximate="tanh"), "nn.gelu"),
    "silu": (F.silu, lambda t: TF.silu(t), "nn.silu"),
    "sigmoid": (F.sigmoid, lambda t: torch.sigmoid(t), "nn.sigmoid"),
    "tanh": (F.tanh, lambda t: torch.tanh(t), "nn.tanh"),
    "softplus": (F.softplus, lambda t: TF.softplus(t), "nn.softplus"),
    "softplus_b2": (lambda x: F.softplus(x, 2.0, 5.0), lambda t: TF.softplus(t, 2.0, 5.0),
                    "nn.softplus"),
    "hardtanh": (lambda x: F.hardtanh(x, -2.0, 3.0), lambda t: TF.hardtanh(t, -2.0, 3.0),
                 "nn.hardtanh"),
}


# compositions of namespace operations and primitives (no rule of their own)
COMPOSED = {
    "softsign": (F.softsign, lambda t: TF.softsign(t)),
    # (PyTorch has no double backward for hardsigmoid, and its float64 celu
    # gradient uses float32 constants: the references are its formulas)
    "hardsigmoid": (F.hardsigmoid, lambda t: TF.relu6(t + 3) / 6),
    "hardswish": (F.hardswish, lambda t: TF.hardswish(t)),
    "celu": (lambda x: F.celu(x, 1.3),
             lambda t: torch.where(t > 0, t, 1.3 * torch.expm1(torch.clamp(t, max=0) / 1.3))),
    "selu": (F.selu, lambda t: TF.selu(t)),
    "mish": (F.mish, lambda t: TF.mish(t)),
    "logsigmoid": (F.logsigmoid, lambda t: TF.logsigmoid(t)),
}


def _t(a, req=True):
    return xp.tensor(np.array(a, dtype=np.float64), requires_grad=req)


def _loss(y, c):
    # nonlinear in y, so the Hessian has both terms: f'' g and f'^T L'' f'
    return xp.sum(xp.sin(y * c))


def _hvp(f, arrays, vs, c):
    xs = [_t(a) for a in arrays]
    gs = autograd.grad(_loss(f(*xs), c), xs, create_graph=True)
    dot = sum(xp.sum(g * xp.asarray(v)) for g, v in zip(gs, vs))
    return [h._array for h in autograd.grad(dot, xs)], [g.detach()._array for g in gs]


def _grads(f, arrays, c):
    xs = [_t(a) for a in arrays]
    return [g._array for g in autograd.grad(_loss(f(*xs), c), xs)]


def _check_second_order(f, tf, arrays, seed=0):
    rng = np.random.default_rng(seed)
    vs = [rng.standard_normal(np.shape(a)) for a in arrays]
    yshape = f(*[_t(a, False) for a in arrays]).shape
    c = rng.uniform(0.5, 1.5, yshape)
    hv, g_cg = _hvp(f, arrays, vs, c)
    # the gradient computed by the create_graph path equals the kernel path's
    for a, b in zip(g_cg, _grads(f, arrays, c)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # Hessian-vector product vs central differences of the first-order gradients
    eps = 1e-6
    plus = _grads(f, [a + eps * v for a, v in zip(arrays, vs)], c)
    minus = _grads(f, [a - eps * v for a, v in zip(arrays, vs)], c)
    for h, p, m in zip(hv, plus, minus):
        np.testing.assert_allclose(h, (p - m) / (2 * eps), rtol=1e-5, atol=1e-6)
    if torch is None or tf is None:
        return
    ts = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    tc = torch.tensor(c)
    tl = torch.sum(torch.sin(tf(*ts) * tc))
    tg = torch.autograd.grad(tl, ts, create_graph=True)
    tdot = sum(torch.sum(g * torch.tensor(v)) for g, v in zip(tg, vs))
    th = torch.autograd.grad(tdot, ts, allow_unused=True)
    for h, t in zip(hv, th):
        t = np.zeros_like(h) if t is None else t.numpy()
        np.testing.assert_allclose(h, t, rtol=1e-10, atol=1e-12)


# ============================================================================ registry
def test_primitives_have_rules():
    for name in ("nn.linear", "nn.bilinear", "nn.prelu", "nn.relu", "nn.leaky_relu", "nn.elu", "nn.gelu", "nn.silu",
                 "nn.sigmoid", "nn.tanh", "nn.softplus", "nn.hardtanh", "nn.normal_cdf",
                 "nn.softmax", "nn.log_softmax"):
        assert name in RULES, name
        f = getattr(_ops, name[3:])
        assert hasattr(f, "__wrapped_raw__"), name


def test_autograd_imports_without_nn():
    code = ("import sys, minitensor as xp, minitensor.autograd; "
            "x = xp.tensor([1.0], requires_grad=True); xp.sum(x * x).backward(); "
            "assert 'minitensor.nn' not in sys.modules, 'nn imported'; "
            "assert not any(k.startswith('nn.') for k in minitensor.autograd._engine.RULES)")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_is_one_node(name):
    f, _, prim = ACTIVATIONS[name]
    y = f(_t(X))
    assert y.grad_fn.name == prim


def test_linear_is_one_node():
    y = F.linear(_t(X), _t(np.ones((2, 4))), _t(np.ones(2)))
    assert y.grad_fn.name == "nn.linear"


# ======================================================================== activations
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_gradcheck(name):
    f = ACTIVATIONS[name][0]
    assert gradcheck(f, (_t(X),))
    assert gradgradcheck(f, (_t(X),))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_second_order(name):
    f, tf, _ = ACTIVATIONS[name]
    _check_second_order(f, tf, [X])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "silu", "gelu", "gelu_tanh", "elu",
                                  "softplus"])
def test_activation_third_order(name):
    # the rules of the rules are differentiable too (d3/dx3 of sum(f) vs PyTorch)
    if torch is None:
        pytest.skip("PyTorch not installed")
    f, tf, _ = ACTIVATIONS[name]
    x = _t(X)
    (g,) = autograd.grad(xp.sum(f(x)), x, create_graph=True)
    (h,) = autograd.grad(xp.sum(g), x, create_graph=True)
    (k,) = autograd.grad(xp.sum(h), x)
    t = torch.tensor(X, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.sum(tf(t)), t, create_graph=True)
    (th,) = torch.autograd.grad(torch.sum(tg), t, create_graph=True)
    (tk,) = torch.autograd.grad(torch.sum(th), t)
    np.testing.assert_allclose(k._array, tk.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(COMPOSED))
def test_composed_activation_has_no_rule_of_its_own(name):
    y = COMPOSED[name][0](_t(X))
    assert not y.grad_fn.name.startswith(name)


@pytest.mark.parametrize("name", list(COMPOSED))
def test_composed_activation_gradcheck(name):
    f = COMPOSED[name][0]
    assert gradcheck(f, (_t(X),))
    assert gradgradcheck(f, (_t(X),))


@pytest.mark.parametrize("name", list(COMPOSED))
def test_composed_activation_second_order(name):
    f, tf = COMPOSED[name]
    _check_second_order(f, tf, [X])


def test_hardswish_and_hardsigmoid_kinks_as_pytorch():
    a = np.array([-3.0, 3.0, -np.inf, np.inf])
    for f, tf in ((F.hardswish, TF.hardswish), (F.hardsigmoid, TF.hardsigmoid)) \
            if torch is not None else ():
        x = _t(a)
        xp.sum(f(x)).backward()
        t = torch.tensor(a, requires_grad=True)
        torch.sum(tf(t)).backward()
        np.testing.assert_array_equal(x.grad._array, t.grad.numpy())


def test_normal_cdf():
    a = np.array([-40.0, -3.0, -0.5, 0.0, 0.5, 3.0, 40.0, -np.inf, np.inf])
    y = _ops.normal_cdf(xp.asarray(a))._array
    ref = np.array([0.5 * (1 + __import__("math").erf(v / np.sqrt(2))) for v in a])
    np.testing.assert_allclose(y, ref, rtol=1e-14, atol=1e-300)
    x = _t([-1.3, 0.0, 0.4, 2.0])
    assert gradcheck(_ops.normal_cdf, (x,))
    assert gradgradcheck(_ops.normal_cdf, (x,))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "silu", "hardtanh", "relu6"])
def test_inplace_activation_double_backward(name):
    # inplace=True on a non-leaf records the primitive into the input's history
    fns = {"relu": F.relu, "leaky_relu": F.leaky_relu, "elu": F.elu, "silu": F.silu,
           "hardtanh": F.hardtanh, "relu6": F.relu6}
    tfns = {"relu": TF.relu, "leaky_relu": TF.leaky_relu, "elu": TF.elu, "silu": TF.silu,
            "hardtanh": TF.hardtanh, "relu6": TF.relu6} if torch is not None else None
    x = _t(X)
    h = x * 1.5
    y = fns[name](h, inplace=True)
    assert y is h and y.grad_fn.name.startswith("nn.")
    (g,) = autograd.grad(xp.sum(xp.sin(y)), x, create_graph=True)
    (hv,) = autograd.grad(xp.sum(g), x)
    if tfns is None:
        return
    t = torch.tensor(X, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.sum(torch.sin(tfns[name](t * 1.5))), t, create_graph=True)
    (th,) = torch.autograd.grad(torch.sum(tg), t)
    np.testing.assert_allclose(g.detach()._array, tg.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(hv._array, th.numpy(), rtol=1e-10, atol=1e-12)


def test_float32_gradients_keep_dtype():
    for name, (f, _, _) in ACTIVATIONS.items():
        x = xp.tensor(X.astype(np.float32), requires_grad=True)
        (g,) = autograd.grad(xp.sum(xp.sin(f(x))), x, create_graph=True)
        (h,) = autograd.grad(xp.sum(g), x)
        assert g.dtype == xp.float32 and h.dtype == xp.float32, name


# ============================================================================= linear
LINEAR_CASES = {
    "2d_bias": ((3, 4), (5, 4), True),
    "2d": ((3, 4), (5, 4), False),
    "3d_bias": ((2, 3, 4), (5, 4), True),
    "1d_bias": ((4,), (2, 4), True),
}


def _linear_arrays(case, seed=1):
    xs, ws, has_b = LINEAR_CASES[case]
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws)]
    if has_b:
        arrays.append(rng.standard_normal(ws[0]))
    return arrays


@pytest.mark.parametrize("case", list(LINEAR_CASES))
def test_linear_gradcheck(case):
    xs = [_t(a) for a in _linear_arrays(case)]
    assert gradcheck(F.linear, tuple(xs))
    assert gradgradcheck(F.linear, tuple(xs))


@pytest.mark.parametrize("case", list(LINEAR_CASES))
def test_linear_second_order(case):
    tf = (lambda *ts: TF.linear(*ts)) if torch is not None else None
    _check_second_order(F.linear, tf, _linear_arrays(case))


def test_linear_only_some_inputs_need_grad():
    x = _t(X)
    w = _t(np.ones((2, 4)), req=False)
    b = _t(np.zeros(2))
    y = F.linear(x, w, b)
    gx, gb = autograd.grad(xp.sum(y * y), [x, b])
    np.testing.assert_allclose(gx._array, 2 * (X @ np.ones((4, 2))) @ np.ones((2, 4)))
    np.testing.assert_allclose(gb._array, 2 * (X @ np.ones((4, 2))).sum(0))


def test_linear_mlp_hessian_vector_product_vs_torch():
    # a two-layer MLP with gelu: the HVP of the loss in all its parameters
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((6, 4)), rng.standard_normal((5, 4)),
              rng.standard_normal(5), rng.standard_normal((3, 5)), rng.standard_normal(3)]

    def f(x, w1, b1, w2, b2):
        return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)

    def tf(x, w1, b1, w2, b2):
        return TF.linear(TF.gelu(TF.linear(x, w1, b1)), w2, b2)

    _check_second_order(f, tf if torch is not None else None, arrays)


BILINEAR_CASES = {"2d_bias": ((3, 2), (3, 4), (5, 2, 4), True),
                  "3d": ((2, 3, 2), (2, 3, 4), (5, 2, 4), False),
                  "1d_bias": ((2,), (3,), (4, 2, 3), True)}


def _bilinear_arrays(case, seed=2):
    s1, s2, sw, has_b = BILINEAR_CASES[case]
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s1), rng.standard_normal(s2), rng.standard_normal(sw)]
    if has_b:
        arrays.append(rng.standard_normal(sw[0]))
    return arrays


@pytest.mark.parametrize("case", list(BILINEAR_CASES))
def test_bilinear(case):
    arrays = _bilinear_arrays(case)
    xs = tuple(_t(a) for a in arrays)
    assert F.bilinear(*xs).grad_fn.name == "nn.bilinear"
    assert gradcheck(F.bilinear, xs)
    assert gradgradcheck(F.bilinear, xs)
    tf = None
    if torch is not None:
        def tf(*ts):
            if ts[0].ndim == 1:  # (PyTorch's bilinear wants a batch axis)
                return TF.bilinear(ts[0][None], ts[1][None], *ts[2:])[0]
            return TF.bilinear(*ts)
    _check_second_order(F.bilinear, tf, arrays)


def test_saved_input_written_in_place_is_refused():
    x = _t(X)
    w = _t(np.ones((2, 4)))
    y = F.linear(x, w)
    with xp.no_grad():
        w[...] = 2.0
    with pytest.raises(RuntimeError, match="in-place"):
        xp.sum(y).backward()


# ===================================================================== softmax family
SOFTMAX = {
    "softmax_1": (lambda x: F.softmax(x, dim=1), lambda t: TF.softmax(t, dim=1), "nn.softmax"),
    "softmax_0": (lambda x: F.softmax(x, dim=0), lambda t: TF.softmax(t, dim=0), "nn.softmax"),
    "log_softmax_1": (lambda x: F.log_softmax(x, dim=1), lambda t: TF.log_softmax(t, dim=1),
                      "nn.log_softmax"),
    "log_softmax_neg": (lambda x: F.log_softmax(x, dim=-2),
                        lambda t: TF.log_softmax(t, dim=-2), "nn.log_softmax"),
    "softmin_1": (lambda x: F.softmin(x, dim=1), lambda t: TF.softmin(t, dim=1), "nn.softmax"),
}


@pytest.mark.parametrize("name", list(SOFTMAX))
def test_softmax_family(name):
    f, tf, prim = SOFTMAX[name]
    assert f(_t(X)).grad_fn.name == prim
    assert gradcheck(f, (_t(X),))
    assert gradgradcheck(f, (_t(X),))
    _check_second_order(f, tf if torch is not None else None, [X])


def test_softmax_of_a_scalar_and_third_order():
    x = _t(0.7)
    (g,) = autograd.grad(F.log_softmax(x, dim=0) * 2.0, x, create_graph=True)
    assert float(g) == 0.0
    if torch is None:
        return
    x = _t(X)
    w = np.linspace(-1, 1, X.size).reshape(X.shape)
    (g,) = autograd.grad(xp.sum(F.softmax(x, dim=1) * xp.asarray(w)), x, create_graph=True)
    (h,) = autograd.grad(xp.sum(g * g), x, create_graph=True)
    (k,) = autograd.grad(xp.sum(xp.sin(h)), x)
    t = torch.tensor(X, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.sum(TF.softmax(t, dim=1) * torch.tensor(w)), t,
                                create_graph=True)
    (th,) = torch.autograd.grad(torch.sum(tg * tg), t, create_graph=True)
    (tk,) = torch.autograd.grad(torch.sum(torch.sin(th)), t)
    np.testing.assert_allclose(k._array, tk.numpy(), rtol=1e-9, atol=1e-12)


# ============================================================================== prelu
PRELU_CASES = {"nchw_channels": ((2, 3, 2, 2), (3,)), "nc_one": ((3, 4), (1,)),
               "c_channels": ((4,), (4,)), "scalar_one": ((), (1,)),
               "ncl_0d_weight": ((2, 3, 4), ())}


@pytest.mark.parametrize("case", list(PRELU_CASES))
def test_prelu(case):
    xs, ws = PRELU_CASES[case]
    rng = np.random.default_rng(4)
    a = rng.standard_normal(xs)
    a = np.where(np.abs(a) < 0.05, 0.3, a)  # away from the kink
    w = rng.uniform(0.1, 0.5, ws)
    x, wt = _t(a), _t(w)
    assert F.prelu(x, wt).grad_fn.name == "nn.prelu"
    assert gradcheck(F.prelu, (x, wt))
    assert gradgradcheck(F.prelu, (x, wt))
    tf = (lambda t, tw: TF.prelu(t, tw)) if torch is not None and len(xs) != 1 else None
    _check_second_order(F.prelu, tf, [a, w])
