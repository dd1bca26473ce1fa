"""The optimizers added for the PyTorch face (Adadelta, RAdam, Rprop, ASGD, SparseAdam,
LBFGS): trajectories vs PyTorch's with the same initial parameters and gradients."""
import math

import numpy as np
import pytest

import minitensor as xp
from minitensor import optim

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

CASES = [
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1}),
    ("Adadelta", {"maximize": True}),
    ("RAdam", {"lr": 0.05}),
    ("RAdam", {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.05, "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
    ("Rprop", {"maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 1e-2, "alpha": 0.5, "t0": 5, "weight_decay": 0.1}),
    ("ASGD", {"t0": 0, "maximize": True}),
]


def _grads(rng, shapes, steps):
    # gradients with changing signs (Rprop's sign logic) and some missing ones
    out = []
    for k in range(steps):
        gs = [rng.standard_normal(s) for s in shapes]
        if k % 7 == 3:
            gs[1] = None
        out.append(gs)
    return out


@needs_torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kw", CASES)
def test_trajectory_matches_pytorch(name, kw, dtype):
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (5,)]
    init = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = _grads(rng, shapes, 20)
    ps = [xp.tensor(a.copy(), requires_grad=True) for a in init]
    opt = getattr(optim, name)(ps, **kw)
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)   # the scalar state (eta, mu) in float64
    try:
        tps = [torch.tensor(a.copy(), requires_grad=True) for a in init]
        topt = getattr(torch.optim, name)(tps, **kw)
        for gs in grads:
            for p, tp, g in zip(ps, tps, gs):
                p.grad = None if g is None else xp.asarray(g.astype(dtype))
                tp.grad = None if g is None else torch.tensor(g.astype(dtype))
            opt.step()
            topt.step()
    finally:
        torch.set_default_dtype(old)
    tol = 1e-10 if dtype == "float64" else 2e-5
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(np.asarray(p.detach()), tp.detach().numpy(), rtol=tol,
                                   atol=tol)
    # the state dict round-trips: a fresh optimizer continues identically
    sd = opt.state_dict()
    ps2 = [xp.tensor(np.asarray(p.detach()).copy(), requires_grad=True) for p in ps]
    opt2 = getattr(optim, name)(ps2, **kw)
    opt2.load_state_dict(sd)
    for p, p2, g in zip(ps, ps2, grads[0]):
        if g is not None:
            p.grad = xp.asarray(g.astype(dtype))
            p2.grad = xp.asarray(g.astype(dtype))
    opt.step()
    opt2.step()
    for p, p2 in zip(ps, ps2):
        np.testing.assert_array_equal(np.asarray(p.detach()), np.asarray(p2.detach()))


@needs_torch
def test_asgd_loads_pytorch_state_dict():
    w = xp.tensor([1.0, 2.0], requires_grad=True)
    tw = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    topt = torch.optim.ASGD([tw], lr=0.1, t0=1)
    for _ in range(3):
        tw.grad = tw.detach().clone()
        topt.step()
    sd = topt.state_dict()
    state = {k: {n: (xp.asarray(v.numpy()) if isinstance(v, torch.Tensor) else v)
                 for n, v in s.items()} for k, s in sd["state"].items()}
    opt = optim.ASGD([w], lr=0.1, t0=1)
    opt.load_state_dict({"state": state, "param_groups": sd["param_groups"]})
    assert opt.state[w]["eta"] == pytest.approx(float(sd["state"][0]["eta"]))
    assert opt.state[w]["mu"] == pytest.approx(float(sd["state"][0]["mu"]))


def test_argument_errors():
    w = [xp.tensor([1.0], requires_grad=True)]
    with pytest.raises(ValueError, match="Invalid rho value"):
        optim.Adadelta(w, rho=1.5)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.RAdam(w, lr=-1.0)
    with pytest.raises(ValueError, match="Invalid eta values"):
        optim.Rprop(w, etas=(1.2, 0.5))
    with pytest.raises(ValueError, match="Invalid beta parameter"):
        optim.SparseAdam(w, betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="strong_wolfe"):
        optim.LBFGS(w, line_search_fn="backtracking")
    with pytest.raises(RuntimeError, match="fused=True. is not supported for Adadelta"):
        optim.Adadelta(w, fused=True)
    with pytest.raises(ValueError, match="per-parameter options"):
        optim.LBFGS([{"params": w}, {"params": [xp.tensor([2.0], requires_grad=True)]}])


@needs_torch
def test_sparse_adam_refuses_dense_gradients_as_pytorch():
    w = xp.tensor([1.0, 2.0], requires_grad=True)
    w.grad = xp.asarray([0.5, 0.5])
    with pytest.raises(RuntimeError, match="does not support dense gradients") as ours:
        optim.SparseAdam([w]).step()
    tw = torch.tensor([1.0, 2.0], requires_grad=True)
    tw.grad = torch.tensor([0.5, 0.5])
    with pytest.raises(RuntimeError) as theirs:
        torch.optim.SparseAdam([tw]).step()
    assert str(ours.value) in str(theirs.value)
    np.testing.assert_array_equal(np.asarray(w.detach()), [1.0, 2.0])


# ---------------------------------------------------------------------- LBFGS
def _rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[2]) ** 2 \
        + 100 * (x[3] - x[2] ** 2) ** 2


def _run_lbfgs(lib, x0, dtype, steps, **kw):
    if lib == "torch":
        x = torch.tensor(x0, dtype=getattr(torch, dtype), requires_grad=True)
        opt = torch.optim.LBFGS([x], **kw)
    else:
        x = xp.tensor(np.asarray(x0, dtype=dtype), requires_grad=True)
        opt = optim.LBFGS([x], **kw)
    losses = []

    def closure():
        opt.zero_grad()
        loss = _rosenbrock(x)
        loss.backward()
        return loss

    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
    xs = x.detach().numpy() if lib == "torch" else np.asarray(x.detach())
    return xs, losses, opt


@needs_torch
@pytest.mark.parametrize("kw", [
    {},
    {"lr": 0.5, "history_size": 3, "max_iter": 7},
    {"line_search_fn": "strong_wolfe"},
    {"line_search_fn": "strong_wolfe", "history_size": 2, "max_iter": 10, "max_eval": 12},
])
def test_lbfgs_rosenbrock_matches_pytorch(kw):
    x0 = [-1.2, 1.0, -0.5, 0.8]
    # (5 steps of up to 20 iterations: rounding differences grow chaotically after that)
    ours, lo, opt = _run_lbfgs("mt", x0, "float64", 5, **kw)
    theirs, lt, topt = _run_lbfgs("torch", x0, "float64", 5, **kw)
    np.testing.assert_allclose(lo, lt, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)
    st, tst = next(iter(opt.state.values())), next(iter(topt.state.values()))
    assert (st["func_evals"], st["n_iter"]) == (tst["func_evals"], tst["n_iter"])


@needs_torch
def test_lbfgs_float32_and_convergence():
    x0 = [-1.2, 1.0, -0.5, 0.8]
    ours, lo, _ = _run_lbfgs("mt", x0, "float32", 3, line_search_fn="strong_wolfe",
                             max_iter=100)
    theirs, lt, _ = _run_lbfgs("torch", x0, "float32", 3, line_search_fn="strong_wolfe",
                               max_iter=100)
    np.testing.assert_allclose(ours, [1.0, 1.0, 1.0, 1.0], atol=1e-3)
    np.testing.assert_allclose(ours, theirs, atol=1e-3)


def test_lbfgs_state_dict_roundtrip_continues_identically():
    x0 = [-1.2, 1.0, -0.5, 0.8]
    ours, _, opt = _run_lbfgs("mt", x0, "float64", 2, max_iter=5)
    sd = opt.state_dict()
    a = xp.tensor(ours.copy(), requires_grad=True)
    b = xp.tensor(ours.copy(), requires_grad=True)
    oa = optim.LBFGS([a], max_iter=5)
    oa.load_state_dict(sd)
    ob = optim.LBFGS([b], max_iter=5)
    ob.load_state_dict(opt.state_dict())
    for x, o in ((a, oa), (b, ob)):
        def closure(x=x, o=o):
            o.zero_grad()
            loss = _rosenbrock(x)
            loss.backward()
            return loss
        o.step(closure)
    np.testing.assert_array_equal(np.asarray(a.detach()), np.asarray(b.detach()))
    assert oa.state[a]["n_iter"] == 15


def test_lbfgs_needs_closure():
    w = xp.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="closure"):
        optim.LBFGS([w]).step(None)
