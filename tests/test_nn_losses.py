"""nn losses: values and gradients vs NumPy formulas and PyTorch, every
reduction, class weights / ignore_index / label smoothing / probability
targets, finite differences (float64), numerical stability and bad input."""
import warnings

import numpy as np
import pytest

import minitensor as xp
from minitensor import nn
from minitensor.autograd import gradcheck
import minitensor.nn.functional as F

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    torch = TF = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")
REDUCTIONS = ["mean", "sum", "none"]


def rng(seed=0):
    return np.random.default_rng(seed)


def T(a, grad=False):
    return xp.tensor(np.asarray(a), requires_grad=grad)


def _conv(v, lib):
    if isinstance(v, np.ndarray):
        return xp.asarray(v) if lib == "mt" else torch.tensor(v)
    return v


def compare(mf, tf, arrays, grad_idx=(0,), tol=1e-10, seed=0, **kwargs):
    """Value and gradients (w.r.t. ``arrays[i]`` for i in grad_idx) of a loss
    against its PyTorch counterpart."""
    mx = [T(a, i in grad_idx) for i, a in enumerate(arrays)]
    tx = [torch.tensor(a, requires_grad=i in grad_idx) for i, a in enumerate(arrays)]
    mkw = {k: _conv(v, "mt") for k, v in kwargs.items()}
    tkw = {k: _conv(v, "torch") for k, v in kwargs.items()}
    my, ty = mf(*mx, **mkw), tf(*tx, **tkw)
    assert my.shape == tuple(ty.shape)
    np.testing.assert_allclose(my._array, ty.detach().numpy(), rtol=tol, atol=tol)
    g = rng(seed).standard_normal(tuple(ty.shape))
    my.backward(xp.asarray(g))
    ty.backward(torch.tensor(g))
    for i in grad_idx:
        np.testing.assert_allclose(mx[i].grad._array, tx[i].grad.numpy(), rtol=tol, atol=tol)


X = rng(1).standard_normal((4, 5))
Y = rng(2).standard_normal((4, 5))
P = 1 / (1 + np.exp(-X))
Q = rng(3).random((4, 5))


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [
    ("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {"delta": 0.7}),
])
def test_regression_losses_match_torch(name, kwargs, reduction):
    compare(getattr(F, name), getattr(TF, name), [X, Y], (0, 1), reduction=reduction, **kwargs)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(reduction, weighted):
    w = rng(4).random((4, 5)) if weighted else None
    compare(F.binary_cross_entropy, TF.binary_cross_entropy, [P, Q], (0, 1), weight=w,
            reduction=reduction)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [{}, {"pos_weight"}, {"weight"}, {"weight", "pos_weight"}])
def test_bce_with_logits_matches_torch(reduction, opts):
    kw = {}
    if "pos_weight" in opts:
        kw["pos_weight"] = rng(5).random(5) + 0.5
    if "weight" in opts:
        kw["weight"] = rng(6).random((4, 5))
    compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, [X * 3, Q],
            (0, 1), reduction=reduction, **kw)


@needs_torch
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    lp = np.log(rng(7).dirichlet(np.ones(5), 4))
    q = rng(8).dirichlet(np.ones(5), 4)
    if log_target:
        q = np.log(q)
    compare(F.kl_div, TF.kl_div, [lp, q], (0, 1), reduction=reduction, log_target=log_target)
    if not log_target:
        # 0 * log 0 = 0 (the gradient w.r.t. such a target is NaN in PyTorch, 0 here)
        q[0, 1] = 0.0
        compare(F.kl_div, TF.kl_div, [lp, q], (0,), reduction=reduction)


@needs_torch
def test_kl_div_mean_warns_as_torch():
    lp = np.log(rng(7).dirichlet(np.ones(5), 4))
    q = rng(8).dirichlet(np.ones(5), 4)
    with pytest.warns(UserWarning, match="batchmean"):
        m = F.kl_div(xp.asarray(lp), xp.asarray(q))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = TF.kl_div(torch.tensor(lp), torch.tensor(q))
    np.testing.assert_allclose(m._array, t.numpy(), atol=1e-12)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("ignore", [False, True])
def test_cross_entropy_indices_match_torch(reduction, weighted, smoothing, ignore):
    t = rng(9).integers(0, 5, 4)
    if ignore:
        t[1] = -100
    w = rng(10).random(5) + 0.2 if weighted else None
    compare(F.cross_entropy, TF.cross_entropy, [X * 2, t], weight=w, reduction=reduction,
            label_smoothing=smoothing)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_fused_node_second_order_matches_torch(reduction, weighted, smoothing):
    # (M, C) logits with class indices: one fused node; its first-order rule (on the
    # kept probabilities) and its create_graph rule (a differentiable expression)
    # against PyTorch, including an ignored target
    r = rng(31)
    x = r.standard_normal((6, 5)) * 3
    t = r.integers(0, 5, 6)
    t[2] = 4
    w = r.random(5) + 0.3 if weighted else None
    kw = dict(reduction=reduction, label_smoothing=smoothing, ignore_index=4)
    mx = T(x, True)
    ml = F.cross_entropy(mx, xp.asarray(t), weight=None if w is None else xp.asarray(w), **kw)
    assert ml.grad_fn.name == "nn.cross_entropy"
    tx = torch.tensor(x, requires_grad=True)
    tl = TF.cross_entropy(tx, torch.tensor(t), weight=None if w is None else torch.tensor(w), **kw)
    np.testing.assert_allclose(ml._array, tl.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = r.standard_normal(tuple(tl.shape))
    v = r.standard_normal(x.shape)
    (g1,) = xp.autograd.grad(ml, mx, xp.asarray(g), retain_graph=True)
    (mg,) = xp.autograd.grad(ml, mx, xp.asarray(g), create_graph=True)
    (tg,) = torch.autograd.grad(tl, tx, torch.tensor(g), create_graph=True)
    np.testing.assert_allclose(g1._array, tg.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mg._array, tg.detach().numpy(), rtol=1e-12, atol=1e-12)
    (mh,) = xp.autograd.grad(mg, mx, xp.asarray(v))
    (th,) = torch.autograd.grad(tg, tx, torch.tensor(v))
    np.testing.assert_allclose(mh._array, th.numpy(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_fused_node_gradgradcheck():
    from minitensor.autograd import gradgradcheck
    r = rng(32)
    t = xp.asarray([0, 3, 1, 3])
    w = xp.asarray(r.random(4) + 0.5)
    for kw in ({}, {"weight": w, "label_smoothing": 0.2}, {"reduction": "none", "ignore_index": 3}):
        assert gradgradcheck(lambda a, kw=kw: F.cross_entropy(a, t, **kw),
                             (T(r.standard_normal((4, 4)), True),))


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_spatial_and_unbatched_match_torch(reduction):
    x4 = rng(11).standard_normal((3, 5, 2, 4))
    t4 = rng(12).integers(0, 5, (3, 2, 4))
    t4[0, 0, 0] = 7
    compare(F.cross_entropy, TF.cross_entropy, [x4, t4], reduction=reduction, ignore_index=7,
            weight=rng(13).random(5) + 0.1, label_smoothing=0.1)
    compare(F.cross_entropy, TF.cross_entropy, [X[0], np.asarray(3)], reduction=reduction)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.3}, {"weight": "w"}])
def test_cross_entropy_probabilities_match_torch(reduction, kw):
    probs = rng(14).dirichlet(np.ones(5), 4)
    kw = {k: (rng(15).random(5) + 0.2 if v == "w" else v) for k, v in kw.items()}
    compare(F.cross_entropy, TF.cross_entropy, [X, probs], (0, 1) if not kw else (0,),
            reduction=reduction, **kw)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(reduction):
    lp = np.log(rng(16).dirichlet(np.ones(5), 4))
    t = np.array([0, 4, -100, 2])
    compare(F.nll_loss, TF.nll_loss, [lp, t], weight=rng(17).random(5), reduction=reduction)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_cosine_embedding_loss_matches_torch(reduction, margin):
    y = np.array([1, -1, 1, -1])
    compare(F.cosine_embedding_loss, TF.cosine_embedding_loss, [X, Y, y], (0, 1),
            margin=margin, reduction=reduction)


@needs_torch
def test_loss_modules_match_functional_and_torch():
    t = rng(18).integers(0, 5, 4)
    w = rng(19).random(5)
    pairs = [
        (nn.CrossEntropyLoss(weight=xp.asarray(w), label_smoothing=0.1),
         torch.nn.CrossEntropyLoss(weight=torch.tensor(w), label_smoothing=0.1), [X, t]),
        (nn.NLLLoss(reduction="sum"), torch.nn.NLLLoss(reduction="sum"), [X, t]),
        (nn.MSELoss(), torch.nn.MSELoss(), [X, Y]),
        (nn.L1Loss(reduction="none"), torch.nn.L1Loss(reduction="none"), [X, Y]),
        (nn.SmoothL1Loss(beta=2.0), torch.nn.SmoothL1Loss(beta=2.0), [X, Y]),
        (nn.HuberLoss(delta=0.5), torch.nn.HuberLoss(delta=0.5), [X, Y]),
        (nn.BCELoss(), torch.nn.BCELoss(), [P, Q]),
        (nn.BCEWithLogitsLoss(pos_weight=xp.asarray(w)),
         torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(w)), [X, Q]),
        (nn.KLDivLoss(reduction="batchmean", log_target=True),
         torch.nn.KLDivLoss(reduction="batchmean", log_target=True), [X, Y]),
        (nn.CosineEmbeddingLoss(margin=0.1), torch.nn.CosineEmbeddingLoss(margin=0.1),
         [X, Y, np.array([1, -1, -1, 1])]),
    ]
    for m, t_, arrays in pairs:
        compare(m, t_, arrays)
        assert repr(m) == type(m).__name__ + "()"
    assert "weight" in dict(nn.CrossEntropyLoss(weight=xp.ones(3)).named_buffers())


# ----------------------------------------------------------- NumPy formulas
def test_losses_match_numpy_formulas():
    d = X - Y
    assert np.isclose(float(F.mse_loss(xp.asarray(X), xp.asarray(Y))), np.mean(d * d))
    assert np.isclose(float(F.l1_loss(xp.asarray(X), xp.asarray(Y), reduction="sum")),
                      np.abs(d).sum())
    lse = np.log(np.exp(X).sum(1))
    t = np.array([0, 1, 2, 3])
    ce = lse - X[np.arange(4), t]
    np.testing.assert_allclose(F.cross_entropy(xp.asarray(X), xp.asarray(t),
                                               reduction="none")._array, ce)
    bce = -(Q * np.log(P) + (1 - Q) * np.log(1 - P))
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(xp.asarray(X), xp.asarray(Q), reduction="none")._array,
        bce, rtol=1e-12)


def test_stability_with_large_logits():
    big = xp.asarray([[1000.0, -1000.0, 0.0]])
    ce = F.cross_entropy(big, xp.asarray([1]))
    assert np.isfinite(float(ce)) and np.isclose(float(ce), 2000.0)
    x = T([[1000.0, -1000.0]], True)
    F.cross_entropy(x, xp.asarray([0])).backward()
    assert np.all(np.isfinite(x.grad._array))
    v = F.binary_cross_entropy_with_logits(xp.asarray([800.0, -800.0]), xp.asarray([0.0, 1.0]),
                                           reduction="none")
    np.testing.assert_allclose(v._array, [800.0, 800.0])
    b = F.binary_cross_entropy(xp.asarray([0.0, 1.0]), xp.asarray([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(b._array, [100.0, 100.0])   # logs clamped at -100
    sm = F.log_softmax(xp.asarray([[1e4, 0.0]]), dim=1)
    assert np.all(np.isfinite(sm._array))


def test_float32_losses_stay_float32():
    x = xp.asarray(X.astype(np.float32))
    assert F.cross_entropy(x, xp.asarray([0, 1, 2, 3])).dtype == xp.float32
    assert F.mse_loss(x, xp.asarray(Y.astype(np.float32))).dtype == xp.float32
    # integer targets of a regression loss are converted to the input's dtype
    assert F.mse_loss(x, xp.zeros((4, 5), dtype=xp.int64)).dtype == xp.float32


def test_mean_over_all_ignored_targets_is_nan():
    v = F.cross_entropy(xp.asarray(X), xp.asarray([-100, -100, -100, -100]))
    assert np.isnan(float(v))


# ------------------------------------------------------- finite differences
def _gc(fn, *arrays):
    ins = tuple(T(a, True) for a in arrays)
    assert gradcheck(fn, ins)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_losses(reduction):
    r = rng(20)
    x, y = r.standard_normal((3, 4)), r.standard_normal((3, 4))
    q = r.random((3, 4))
    t = xp.asarray([0, 3, 1])
    w = xp.asarray(r.random(4) + 0.5)
    _gc(lambda a, b: F.mse_loss(a, b, reduction=reduction), x, y)
    _gc(lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=0.7), x, y)
    _gc(lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=0.8), x, y)
    _gc(lambda a: F.cross_entropy(a, t, weight=w, reduction=reduction, label_smoothing=0.1), x)
    _gc(lambda a, b: F.cross_entropy(a, b, reduction=reduction), x, q / q.sum(1, keepdims=True))
    _gc(lambda a: F.nll_loss(a, t, reduction=reduction), x)
    _gc(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), 1 / (1 + np.exp(-x)), q)
    _gc(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction,
                                                        pos_weight=w), x, q)
    _gc(lambda a, b: F.kl_div(a, b, reduction="batchmean" if reduction == "mean" else reduction,
                              log_target=True), x, y)
    yy = xp.asarray([1, -1, -1])
    _gc(lambda a, b: F.cosine_embedding_loss(a, b, yy, margin=-0.5, reduction=reduction), x, y)


# ----------------------------------------------------------------- bad input
def test_shape_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(3,\)|\(3,\).*\(4, 5\)"):
        F.mse_loss(xp.asarray(X), xp.zeros(3))
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(4, 4\)|\(4, 4\).*\(4, 5\)"):
        F.binary_cross_entropy_with_logits(xp.asarray(X), xp.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"expected target of shape \(4,\).*\(4, 5\).*\(3,\)"):
        F.cross_entropy(xp.asarray(X), xp.asarray([0, 1, 2]))
    with pytest.raises(ValueError, match=r"weight must have shape \(5,\)"):
        F.cross_entropy(xp.asarray(X), xp.asarray([0, 1, 2, 3]), weight=xp.ones(4))
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(4, 3\)"):
        F.cross_entropy(xp.asarray(X), xp.zeros((4, 3)))


def test_broadcast_target_warns_as_torch():
    with pytest.warns(UserWarning, match="different to the input size"):
        v = F.mse_loss(xp.asarray(X), xp.zeros((1, 5)))
    assert np.isclose(float(v), np.mean(X * X))


def test_bad_values_and_types():
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.cross_entropy(xp.asarray(X), xp.asarray([0, 1, 5, 2]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.nll_loss(xp.asarray(X), xp.asarray([0, 1, -1, 2]))
    with pytest.raises(TypeError, match="integer dtype"):
        F.cross_entropy(xp.asarray(X), xp.asarray([0.0, 1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.mse_loss(xp.asarray(X), xp.asarray(Y), reduction="avg")
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(xp.asarray(X), xp.asarray(Q))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(xp.asarray(X), xp.asarray([0, 1, 2, 3]), label_smoothing=1.5)
    with pytest.raises(TypeError, match="Tensor"):
        F.mse_loss(X, Y)
    with pytest.raises(TypeError, match="floating-point"):
        F.mse_loss(xp.asarray([1, 2]), xp.asarray([1, 2]))


def test_legacy_size_average_reduce():
    with pytest.warns(UserWarning, match="size_average and reduce"):
        v = F.mse_loss(xp.asarray(X), xp.asarray(Y), size_average=False)
    assert np.isclose(float(v), ((X - Y) ** 2).sum())
    with pytest.warns(UserWarning):
        m = nn.L1Loss(reduce=False)
    assert m.reduction == "none"
