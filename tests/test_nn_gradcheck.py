"""First- and second-order gradients of every differentiable
``minitensor.nn.functional`` function (issue 12), driven by
``records_nn.NN_RECORDS``.

For every record and kwargs variant, in float64:

* first order: ``autograd.gradcheck`` (central finite differences) and the
  vector-Jacobian products against ``torch.nn.functional`` on the same inputs;
* second order: ``autograd.gradgradcheck`` and the double backward
  (d/d(inputs, v) of <grad(f, inputs, v, create_graph=True), w>) against torch.

Every record is twice-differentiable and is checked to both orders, against
finite differences and (where it has a counterpart) torch; there are no
xfails. Torch comparisons are skipped only where PyTorch itself has no double
backward or a variant says why (``Variant.torch_second``).

Then two end-to-end second-order uses: a WGAN-GP gradient penalty through a
small conv critic and a Hessian-vector product through an MLP + mse_loss,
both against torch and finite differences.
"""
import numpy as np
import pytest

import minitensor as xp
import minitensor.nn.functional as F
from minitensor import autograd, nn
from minitensor.autograd import gradcheck, gradgradcheck

from records_nn import NN_RECORDS, NON_DIFFERENTIABLE

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    torch = TF = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

# values against torch (both float64; different but exact algorithms)
RTOL, ATOL = 1e-7, 1e-9


def _cases(fd=False):
    out = []
    for rec in NN_RECORDS:
        for var in rec.variants:
            if fd and not var.fd:
                continue
            out.append(pytest.param(rec, var, id=f"{rec.name}-{var.id}"))
    return out


def _torch_cases():
    return [p for p in _cases() if p.values[0].torch is not None]


# ------------------------------------------------------------------ helpers
def _mt(a, grad=False):
    if isinstance(a, np.ndarray):
        t = xp.asarray(a.copy())
        return t.requires_grad_() if grad else t
    return a


def _th(a, grad=False):
    if isinstance(a, np.ndarray):
        return torch.tensor(a.copy(), requires_grad=grad)
    return a


def _setup(rec, var, conv):
    """(func(*diff_tensors), diff_tensors) with the other args fixed."""
    args = rec.args(var)
    pos = rec.diff_positions(var)
    vals = [conv(a, i in pos) for i, a in enumerate(args)]
    kwargs = {k: conv(v) for k, v in var.kwargs.items()}
    fn = rec.fn if conv is _mt else getattr(TF, rec.torch)

    def func(*xs):
        call = list(vals)
        for i, x in zip(pos, xs):
            call[i] = x
        return fn(*call, **kwargs)

    return func, tuple(vals[i] for i in pos)


def _tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _np(t):
    if t is None:
        return None
    if torch is not None and isinstance(t, torch.Tensor):
        return t.detach().numpy(force=True)  # (a ZeroTensor: l1_loss double backward)
    return np.asarray(t._array)


def _float_outs(outs, is_torch):
    return [o for o in _tuple(outs) if (o.is_floating_point() if is_torch
                                        else o._array.dtype.kind == "f")]


def _close(got, want, what):
    assert len(got) == len(want), what
    for i, (g, w) in enumerate(zip(got, want)):
        if g is None and w is None:  # unused in both: a zero derivative
            continue
        g = np.zeros_like(w) if g is None else g
        w = np.zeros_like(g) if w is None else w
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL, err_msg=f"{what} {i}")


def _vjp_pair(mt_func, mt_ins, th_func, th_ins, second):
    """Per library: (forward outputs, first-order VJPs, second-order products or None)."""
    res = []
    for func, ins, lib in ((mt_func, mt_ins, "mt"), (th_func, th_ins, "th")):
        is_t = lib == "th"
        outs = _float_outs(func(*ins), is_t)
        rng = np.random.RandomState(1)
        vs = [rng.standard_normal(tuple(o.shape)) for o in outs]
        ws = [rng.standard_normal(tuple(x.shape)) for x in ins]
        conv = _th if is_t else _mt
        v_t = [conv(v, second) for v in vs]
        if is_t:
            gs = torch.autograd.grad(outs, ins, v_t, create_graph=second, allow_unused=True)
        else:
            gs = autograd.grad(outs, list(ins), grad_outputs=v_t, create_graph=second,
                               allow_unused=True)
        hs = None
        if second:
            terms = [(g * conv(w)).sum() if is_t else xp.sum(g * conv(w))
                     for g, w in zip(gs, ws) if g is not None]
            s = terms[0]
            for t in terms[1:]:
                s = s + t
            targets = list(ins) + v_t
            if is_t:
                hs = torch.autograd.grad(s, targets, allow_unused=True)
            else:
                hs = autograd.grad(s, targets, allow_unused=True)
            hs = [_np(h) for h in hs]
        res.append(([_np(o) for o in outs], [_np(g) for g in gs], hs))
    return res


# ------------------------------------------------------------------ inventory
def test_records_cover_functional():
    """Every public differentiable nn.functional function has a record; the
    others are listed in NON_DIFFERENTIABLE."""
    names = [r.name for r in NN_RECORDS]
    assert len(names) == len(set(names)), "duplicate records"
    public = set(F.__all__)
    assert not set(names) & set(NON_DIFFERENTIABLE)
    missing = public - set(names) - set(NON_DIFFERENTIABLE)
    extra = (set(names) | set(NON_DIFFERENTIABLE)) - public
    assert not missing, f"nn.functional functions without a gradient record: {sorted(missing)}"
    assert not extra, f"records of non-public names: {sorted(extra)}"
    for r in NN_RECORDS:
        assert r.diff and r.variants, r.name
        assert r.torch is not None or r.torch_why, f"{r.name}: say why there is no torch check"


def test_non_differentiable_really_are():
    y = F.one_hot(xp.asarray([0, 2, 1]), 3)
    assert y.dtype == xp.int64


@needs_torch
def test_torch_counterparts_exist():
    for r in NN_RECORDS:
        if r.torch is not None:
            assert callable(getattr(TF, r.torch, None)), r.torch


# ------------------------------------------------------------------ first order
@pytest.mark.parametrize("rec,var", _cases(fd=True))
def test_gradcheck(rec, var):
    func, ins = _setup(rec, var, _mt)
    assert all(x.dtype == xp.float64 for x in ins)
    assert gradcheck(func, ins)


@needs_torch
@pytest.mark.parametrize("rec,var", _torch_cases())
def test_grad_vs_torch(rec, var):
    mt_func, mt_ins = _setup(rec, var, _mt)
    th_func, th_ins = _setup(rec, var, _th)
    (mo, mg, _), (to, tg, _) = _vjp_pair(mt_func, mt_ins, th_func, th_ins, second=False)
    assert len(mo) == len(to)
    _close(mo, to, "output")
    _close(mg, tg, "gradient of input")


# ------------------------------------------------------------------ second order
@pytest.mark.parametrize("rec,var", _cases(fd=True))
def test_gradgradcheck(rec, var):
    func, ins = _setup(rec, var, _mt)
    assert gradgradcheck(func, ins)


@needs_torch
@pytest.mark.parametrize("rec,var", _torch_cases())
def test_double_backward_vs_torch(rec, var):
    if var.torch_second:
        pytest.skip(var.torch_second)
    mt_func, mt_ins = _setup(rec, var, _mt)
    th_func, th_ins = _setup(rec, var, _th)
    try:
        (_, mg, mh), (_, tg, th) = _vjp_pair(mt_func, mt_ins, th_func, th_ins, second=True)
    except RuntimeError as e:
        if "derivative for aten::" in str(e):  # PyTorch's own gap (hardsigmoid 2.13)
            pytest.skip(f"PyTorch has no double backward here: {e}")
        raise
    _close(mg, tg, "gradient of input")
    _close(mh, th, "second-order product, wrt input/cotangent")


# a self-test of the second-order harness (gradgradcheck, _vjp_pair) on a composition
# of namespace ops, independent of any nn record: a harness bug fails here first
def _composite(x, t, lib):
    if lib == "th":
        return ((torch.tanh(x) * x - t) ** 2).mean() + (x.exp() * t).sum()
    return xp.mean((xp.tanh(x) * x - t) ** 2) + xp.sum(xp.exp(x) * t)


def test_harness_passes_namespace_composite():
    rng = np.random.RandomState(0)
    x, t = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    ins = (_mt(x, True), _mt(t, True))
    f = lambda a, b: _composite(a, b, "mt")  # noqa: E731
    assert gradcheck(f, ins)
    assert gradgradcheck(f, ins)
    if torch is not None:
        tins = (_th(x, True), _th(t, True))
        (mo, mg, mh), (to, tg, th) = _vjp_pair(
            f, ins, lambda a, b: _composite(a, b, "th"), tins, second=True)
        _close(mo, to, "output")
        _close(mg, tg, "gradient")
        _close(mh, th, "second-order product")


# ------------------------------------------------------------------ WGAN-GP
def _copy_to_torch(mt_model, th_model):
    with torch.no_grad():
        for (n, p), (tn, tp) in zip(mt_model.named_parameters(), th_model.named_parameters()):
            assert n == tn and tuple(p.shape) == tuple(tp.shape)
            tp.copy_(torch.from_numpy(np.array(p._array)))


def _critic():
    xp.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.LeakyReLU(0.2), nn.Flatten(),
                         nn.Linear(2 * 3 * 3, 1)).double()


def _penalty(critic, x_hat, create_graph=True):
    (g,) = autograd.grad(xp.sum(critic(x_hat)), x_hat, create_graph=create_graph)
    norms = xp.sqrt(xp.sum(g * g, axis=(1, 2, 3)))
    return xp.mean((norms - 1.0) ** 2)


def _interpolates():
    rng = np.random.RandomState(3)
    real, fake = rng.standard_normal((3, 1, 5, 5)), rng.standard_normal((3, 1, 5, 5))
    alpha = rng.uniform(size=(3, 1, 1, 1))
    return alpha * real + (1 - alpha) * fake


def test_wgan_gp_gradient_penalty():
    critic = _critic()
    params = list(critic.parameters())
    assert all(p.dtype == xp.float64 for p in params)
    xh = _interpolates()
    x_hat = _mt(xh, True)
    pen = _penalty(critic, x_hat)
    pen.backward()
    # (the last bias gets no gradient: the input gradient does not depend on it)
    grads = [np.zeros(tuple(p.shape)) if p.grad is None else _np(p.grad) for p in params]

    # finite differences of the penalty (its value needs first order only)
    eps = 1e-6
    for p, g in zip(params, grads):
        a = p._array
        fd = np.empty_like(a)
        for k in range(a.size):
            idx = np.unravel_index(k, a.shape)
            orig = a[idx].copy()
            vals = []
            for s in (eps, -eps):
                a[idx] = orig + s
                vals.append(float(_penalty(critic, _mt(xh, True), create_graph=False)))
            a[idx] = orig
            fd[idx] = (vals[0] - vals[1]) / (2 * eps)
        np.testing.assert_allclose(g, fd, rtol=1e-4, atol=1e-6)

    if torch is None:
        return
    tcritic = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.LeakyReLU(0.2),
                                  torch.nn.Flatten(), torch.nn.Linear(18, 1)).double()
    _copy_to_torch(critic, tcritic)
    tx = _th(xh, True)
    (tg,) = torch.autograd.grad(tcritic(tx).sum(), tx, create_graph=True)
    tpen = ((tg.pow(2).sum(dim=(1, 2, 3)).sqrt() - 1.0) ** 2).mean()
    tpen.backward()
    np.testing.assert_allclose(float(pen), tpen.item(), rtol=RTOL)
    _close(grads, [_np(p.grad) for p in tcritic.parameters()], "parameter gradient")
    _close([_np(x_hat.grad)], [_np(tx.grad)], "interpolate gradient")


# ------------------------------------------------------------------ HVP
def _mlp():
    xp.manual_seed(1)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()


def test_hessian_vector_product():
    rng = np.random.RandomState(4)
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    model = _mlp()
    params = list(model.parameters())
    vs = [rng.standard_normal(tuple(p.shape)) for p in params]

    def grads(create_graph):
        loss = F.mse_loss(model(_mt(x)), _mt(y))
        return autograd.grad(loss, params, create_graph=create_graph)

    gs = grads(True)
    dot = xp.sum(gs[0] * _mt(vs[0]))
    for g, v in zip(gs[1:], vs[1:]):
        dot = dot + xp.sum(g * _mt(v))
    hv = [_np(h) for h in autograd.grad(dot, params)]

    # finite differences of the gradient along v
    eps = 1e-6
    plus_minus = []
    for s in (eps, -eps):
        for p, v in zip(params, vs):
            p._array[...] += s * v
        plus_minus.append([_np(g) for g in grads(False)])
        for p, v in zip(params, vs):
            p._array[...] -= s * v
    fd = [(a - b) / (2 * eps) for a, b in zip(*plus_minus)]
    for h, f in zip(hv, fd):
        np.testing.assert_allclose(h, f, rtol=1e-5, atol=1e-7)

    if torch is None:
        return
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                 torch.nn.Linear(4, 2)).double()
    _copy_to_torch(model, tmodel)
    tparams = list(tmodel.parameters())
    tloss = TF.mse_loss(tmodel(_th(x)), _th(y))
    tgs = torch.autograd.grad(tloss, tparams, create_graph=True)
    tdot = sum((g * _th(v)).sum() for g, v in zip(tgs, vs))
    _close(hv, [_np(h) for h in torch.autograd.grad(tdot, tparams)], "Hessian-vector product")
