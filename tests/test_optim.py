"""Tests of minitensor.optim: every optimizer against PyTorch, fused kernels against the
reference updates, state dicts, parameter groups and errors.

Optimizers are discovered by introspection (as MLX's ``get_all_optimizers``): a new
optimizer class in ``minitensor.optim`` must get an entry in ``CONFIGS``.
"""
import inspect

import numpy as np
import pytest

import minitensor as xp
from minitensor import optim

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def get_all_optimizers():
    return {name: cls for name, cls in inspect.getmembers(optim, inspect.isclass)
            if issubclass(cls, optim.Optimizer) and cls is not optim.Optimizer}


# every option of every optimizer appears in at least one configuration
CONFIGS = {
    "SGD": [
        dict(lr=0.1),
        dict(lr=0.05, momentum=0.9),
        dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01),
        dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1, maximize=True),
    ],
    "Adam": [
        dict(lr=0.01),
        dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        dict(lr=0.01, amsgrad=True, maximize=True),
        dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True, amsgrad=True),
    ],
    "AdamW": [
        dict(lr=0.01),
        dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.2, amsgrad=True),
        dict(lr=0.02, maximize=True, eps=1e-4),
    ],
    "RMSprop": [
        dict(lr=0.01),
        dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1),
        dict(lr=0.01, centered=True),
        dict(lr=0.005, momentum=0.9, centered=True, maximize=True),
        dict(lr=0.005, momentum=0.5, weight_decay=0.01),
    ],
    "Adagrad": [
        dict(lr=0.1),
        dict(lr=0.1, lr_decay=0.05, weight_decay=0.1),
        dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6, maximize=True),
    ],
    "Adamax": [
        dict(lr=0.01),
        dict(lr=0.01, betas=(0.8, 0.95), eps=1e-4, weight_decay=0.1),
        dict(lr=0.02, maximize=True),
    ],
    "NAdam": [
        dict(lr=0.01),
        dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, momentum_decay=0.01),
        dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True, eps=1e-6),
    ],
}
CASES = [(name, kw) for name, kws in CONFIGS.items() for kw in kws]
IDS = [f"{name}-{i}" for name, kws in CONFIGS.items() for i in range(len(kws))]
SHAPES = [(6, 5), (7,)]
STEPS = 20


def test_every_optimizer_has_configs():
    found = get_all_optimizers()
    # the optimizers without a fused kernel are tested against PyTorch in
    # tests/test_optim_torch_face.py
    reference_only = {"Adadelta", "RAdam", "Rprop", "ASGD", "SparseAdam", "LBFGS"}
    assert set(found) - reference_only == set(CONFIGS), \
        "add configurations for new optimizers to CONFIGS"
    assert len(found) >= 7


def _problem(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]
    grads[4][1] = None          # a step where the second parameter has no gradient
    return params, grads


def _run(name, kw, params, grads, fused=None, groups=False):
    ps = [xp.tensor(p.copy(), requires_grad=True) for p in params]
    args = [{"params": [ps[0]]}, {"params": [ps[1]], "lr": kw["lr"] / 2}] if groups else ps
    opt = get_all_optimizers()[name](args, fused=fused, **kw)
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = None if g is None else xp.asarray(g.copy())
        opt.step()
    return ps, opt


def _state_value(v):
    if hasattr(v, "detach"):
        v = v.detach().numpy()
    return np.asarray(v, dtype=np.float64)


@needs_torch
@pytest.mark.parametrize("fused", [None, False], ids=["fused", "reference"])
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_matches_pytorch(name, kw, fused):
    params, grads = _problem()
    ps, opt = _run(name, kw, params, grads, fused=fused)
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)   # NAdam's mu_product and the step in float64
    try:
        tps = [torch.tensor(p.copy(), requires_grad=True) for p in params]
        topt = getattr(torch.optim, name)(tps, **kw)
        for gs in grads:
            for p, g in zip(tps, gs):
                p.grad = None if g is None else torch.tensor(g.copy())
            topt.step()
    finally:
        torch.set_default_dtype(old)
    for p, tp in zip(ps, tps):
        assert p.dtype == xp.float64
        np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-9, atol=1e-12)
    # the per-parameter state has PyTorch's names and values
    for p, tp in zip(ps, tps):
        ours, theirs = opt.state[p], topt.state[tp]
        assert set(theirs) <= set(ours), (sorted(theirs), sorted(ours))
        for key in theirs:
            np.testing.assert_allclose(_state_value(ours[key]), _state_value(theirs[key]),
                                       rtol=1e-9, atol=1e-12, err_msg=key)


@needs_torch
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_param_groups_match_pytorch(name):
    kw = CONFIGS[name][-1]
    params, grads = _problem(seed=1)
    ps, _ = _run(name, kw, params, grads, groups=True)
    tps = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        topt = getattr(torch.optim, name)(
            [{"params": [tps[0]]}, {"params": [tps[1]], "lr": kw["lr"] / 2}], **kw)
        for gs in grads:
            for p, g in zip(tps, gs):
                p.grad = None if g is None else torch.tensor(g.copy())
            topt.step()
    finally:
        torch.set_default_dtype(old)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_fused_equals_reference(name, kw, dtype):
    params, grads = _problem(dtype)
    fused, opt_f = _run(name, kw, params, grads, fused=None)
    ref, opt_r = _run(name, kw, params, grads, fused=False)
    tol = dict(rtol=2e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-11, atol=1e-13)
    for a, b in zip(fused, ref):
        assert a.numpy().dtype == dtype
        np.testing.assert_allclose(a.numpy(), b.numpy(), **tol)
    for a, b in zip(fused, ref):
        sa, sb = opt_f.state[a], opt_r.state[b]
        assert sorted(sa) == sorted(sb)
        for key in sa:
            if isinstance(sa[key], xp.Tensor):
                assert sa[key].numpy().dtype == dtype
                np.testing.assert_allclose(sa[key].numpy(), sb[key].numpy(), **tol)
            else:
                assert sa[key] == pytest.approx(sb[key])


def test_fused_path_is_taken(monkeypatch):
    from minitensor import _kernels
    calls = []
    real = _kernels.adam_apply
    monkeypatch.setattr(_kernels, "adam_apply", lambda *a, **k: calls.append(1) or real(*a, **k))
    w = xp.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([w])
    w.grad = xp.asarray([1.0, 1.0])
    opt.step()
    assert calls == [1]
    optim.Adam([w], fused=False).step()
    assert calls == [1]


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("decoupled,maximize", [(False, False), (True, True)])
def test_adam_apply_equals_adam_step(dt, amsgrad, decoupled, maximize):
    # the optimizers' unchecked entry point: the same kernel call as adam_step
    from minitensor import _kernels
    rng = np.random.default_rng(3)
    p0 = rng.standard_normal((5, 6)).astype(dt)
    g = np.asfortranarray(rng.standard_normal((5, 6)).astype(dt))   # (a non-contiguous grad)
    bufs0 = [rng.random((5, 6)).astype(dt) for _ in range(3)]
    hyper = dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.1)
    a = [p0.copy()] + [b.copy() for b in bufs0]
    _kernels.adam_step(a[0], g, a[1], a[2], bias_correction1=0.2, bias_correction2=0.05,
                       decoupled_weight_decay=decoupled, maximize=maximize, amsgrad=amsgrad,
                       max_exp_avg_sq=a[3] if amsgrad else None, **hyper)
    b = [p0.copy()] + [x.copy() for x in bufs0]
    _kernels.adam_apply(b[0], g, b[1], b[2], b[3] if amsgrad else None,
                        _kernels.adam_hyper(**hyper), 0.2, 0.05, decoupled, maximize, amsgrad)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], p0)
    with pytest.raises(ValueError, match="beta2"):
        _kernels.adam_hyper(0.1, 0.9, 1.0, 1e-8, 0.0)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [dict(momentum=0.0), dict(momentum=0.9, nesterov=True),
                                dict(momentum=0.8, dampening=0.3, maximize=True)])
def test_sgd_apply_equals_sgd_step(dt, kw):
    from minitensor import _kernels
    rng = np.random.default_rng(4)
    p0 = rng.standard_normal((4, 7)).astype(dt)
    g = np.asfortranarray(rng.standard_normal((4, 7)).astype(dt))
    a, b = p0.copy(), p0.copy()
    ba = _kernels.sgd_step(a, g, None, lr=0.1, weight_decay=0.01, **kw)
    bb = _kernels.sgd_apply(b, g, None, lr=0.1, weight_decay=0.01, **kw)
    np.testing.assert_array_equal(a, b)
    assert (ba is None) == (bb is None)
    if ba is not None:   # a second step with the buffers
        np.testing.assert_array_equal(ba, bb)
        _kernels.sgd_step(a, g, ba, lr=0.1, weight_decay=0.01, **kw)
        _kernels.sgd_apply(b, g, bb, lr=0.1, weight_decay=0.01, **kw)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(ba, bb)
    with pytest.raises(ValueError, match="nesterov"):
        _kernels.sgd_apply(b, g, None, lr=0.1, momentum=0.0, nesterov=True)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_opt_call_fast_path_equals_checked_path(dt):
    # contiguous buffers take the unchecked flat views; Fortran-ordered ones the
    # copy-and-write-back path: the same kernel, the same values
    from minitensor import _kernels
    rng = np.random.default_rng(5)
    arrs = [rng.standard_normal((4, 6)).astype(dt) for _ in range(5)]
    arrs[2] = np.abs(arrs[2])
    kw = dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.5, centered=True)
    c = [a.copy() for a in arrs]
    f = [np.asfortranarray(a) for a in arrs]
    for bufs in (c, f):
        _kernels.rmsprop_step(bufs[0], bufs[1], bufs[2], grad_avg=bufs[3],
                              momentum_buffer=bufs[4], **kw)
    for a, b, a0 in zip(c, f, arrs):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(c[0], arrs[0])
    ro = c[0].copy()
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        _kernels.rmsprop_step(ro, c[1], c[2], lr=0.1, alpha=0.9, eps=1e-8)


def test_adam_checks_hyperparameters_changed_after_construction():
    w = xp.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([w])
    opt.param_groups[0]["lr"] = -1.0
    w.grad = xp.asarray([1.0, 1.0])
    with pytest.raises(ValueError, match="lr"):
        opt.step()


@pytest.mark.parametrize("name,kw", [("SGD", CONFIGS["SGD"][3]), ("Adam", CONFIGS["Adam"][3]),
                                     ("RMSprop", CONFIGS["RMSprop"][4])],
                         ids=["SGD", "Adam", "RMSprop"])
def test_non_contiguous_parameter_uses_reference(name, kw):
    params, grads = _problem()
    contiguous, _ = _run(name, kw, params, grads)
    ps = []
    for p in params:
        t = xp.asarray(np.asfortranarray(p.copy()) if p.ndim == 2 else p.copy()[::1])
        ps.append(t.requires_grad_())
    assert not ps[0].numpy().flags.c_contiguous
    opt = get_all_optimizers()[name](ps, **kw)
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = None if g is None else xp.asarray(g.copy())
        opt.step()
    for a, b in zip(ps, contiguous):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
    with pytest.raises(RuntimeError, match="fused=True"):
        q = xp.asarray(np.asfortranarray(params[0].copy())).requires_grad_()
        q.grad = xp.asarray(grads[0][0])
        get_all_optimizers()[name]([q], fused=True, **kw).step()


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_float32_stays_float32_and_converges(name):
    kw = dict(CONFIGS[name][0])
    kw["lr"] = 0.05
    w = xp.tensor(np.array([2.0, -1.5, 0.5], dtype=np.float32), requires_grad=True)
    opt = get_all_optimizers()[name]([w], **kw)
    first = None
    for _ in range(100):
        opt.zero_grad()
        loss = xp.sum(w * w)
        loss.backward()
        opt.step()
        first = float(loss) if first is None else first
    assert w.dtype == xp.float32 and w.grad.dtype == xp.float32
    assert float(xp.sum(w * w)) < 0.5 * first


def test_state_dict_round_trip(tmp_path):
    for name, kws in CONFIGS.items():
        kw = kws[-1]
        params, grads = _problem(seed=2)
        ps, opt = _run(name, kw, params, grads[:10], groups=True)
        sd = opt.state_dict()
        assert sorted(sd) == ["param_groups", "state"]
        assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
        assert sorted(sd["state"]) == [0, 1]
        path = tmp_path / f"{name}.mt"
        xp.save(sd, path)
        loaded = xp.load(path)
        # continue both: the original and a fresh optimizer loaded from the file
        ps2 = [xp.tensor(p.numpy().copy(), requires_grad=True) for p in ps]
        opt2 = get_all_optimizers()[name]([{"params": [ps2[0]]}, {"params": [ps2[1]]}], lr=1.0)
        opt2.load_state_dict(loaded)
        assert opt2.param_groups[1]["lr"] == kw["lr"] / 2
        for gs in grads[10:]:
            for a, b, g in zip(ps, ps2, gs):
                a.grad = None if g is None else xp.asarray(g.copy())
                b.grad = None if g is None else xp.asarray(g.copy())
            opt.step()
            opt2.step()
        for a, b in zip(ps, ps2):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        # loading copies the buffers: the loaded optimizer does not alias the dict
        for s in opt2.state.values():
            for v in s.values():
                if isinstance(v, xp.Tensor):
                    assert not any(np.shares_memory(v.numpy(), w.numpy())
                                   for st in loaded["state"].values() for w in st.values()
                                   if isinstance(w, xp.Tensor))


def test_load_state_dict_casts_to_param_dtype():
    w = xp.tensor(np.ones(3, np.float32), requires_grad=True)
    opt = optim.Adam([w])
    sd = {"state": {0: {"step": 3, "exp_avg": xp.ones(3), "exp_avg_sq": xp.ones(3)}},
          "param_groups": [dict(opt.state_dict()["param_groups"][0])]}
    opt.load_state_dict(sd)
    assert opt.state[w]["exp_avg"].dtype == xp.float32
    assert opt.state[w]["step"] == 3


def test_load_state_dict_errors():
    a = xp.tensor([1.0], requires_grad=True)
    b = xp.tensor([1.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1)
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.SGD([a], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="state_dict"):
        opt.load_state_dict({"param_groups": []})
    bad = {"state": {0: {"momentum_buffer": xp.ones(2)}}, "param_groups": sd["param_groups"]}
    with pytest.raises(ValueError, match="shape"):
        opt.load_state_dict(bad)


def test_zero_grad_step_closure_and_skipping():
    w = xp.tensor([1.0, 2.0], requires_grad=True)
    v = xp.tensor([5.0], requires_grad=True)
    opt = optim.SGD([w, v], lr=0.5, momentum=0.9)

    def closure():
        opt.zero_grad()
        loss = xp.sum(w * w)
        loss.backward()
        return loss

    with xp.no_grad():
        loss = opt.step(closure)        # the closure runs with grad enabled
    assert float(loss) == 5.0
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])
    assert v.grad is None and len(opt.state[v]) == 0 and np.all(v.numpy() == 5.0)
    opt.zero_grad(set_to_none=False)
    assert w.grad is not None and np.all(w.grad.numpy() == 0)
    opt.zero_grad()
    assert w.grad is None


def test_step_bumps_parameter_version():
    w = xp.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    y = xp.sum(w * w)
    y.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_add_param_group_and_repr():
    a = xp.tensor([1.0], requires_grad=True)
    b = xp.tensor([1.0], requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    assert "Parameter Group 1" in repr(opt) and "lr: 0.01" in repr(opt)
    named = optim.SGD([("w", a), ("v", b)], lr=0.1)
    assert named.param_groups[0]["param_names"] == ["w", "v"]


@pytest.mark.parametrize("make,exc,match", [
    (lambda p: optim.SGD(p, lr=-0.1), ValueError, "Invalid learning rate"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-1), ValueError, "Invalid momentum value"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), ValueError, "Invalid weight_decay"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), ValueError, "Nesterov"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "Nesterov"),
    (lambda p: optim.SGD(p, lr="0.1"), TypeError, "lr must be a real number"),
    (lambda p: optim.SGD(p, lr=float("nan")), ValueError, "Invalid lr"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.9)), ValueError, "Invalid beta parameter at index 0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1"),
    (lambda p: optim.Adam(p, betas=0.9), TypeError, "betas"),
    (lambda p: optim.Adam(p, eps=-1e-8), ValueError, "Invalid epsilon value"),
    (lambda p: optim.AdamW(p, weight_decay=-0.1), ValueError, "Invalid weight_decay"),
    (lambda p: optim.RMSprop(p, alpha=-0.1), ValueError, "Invalid alpha value"),
    (lambda p: optim.RMSprop(p, momentum=-0.1), ValueError, "Invalid momentum value"),
    (lambda p: optim.Adagrad(p, lr_decay=-0.1), ValueError, "Invalid lr_decay value"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), ValueError,
     "Invalid initial_accumulator_value"),
    (lambda p: optim.Adamax(p, betas=(0.9, 1.5)), ValueError, "Invalid beta"),
    (lambda p: optim.NAdam(p, momentum_decay=-1), ValueError, "Invalid momentum_decay value"),
    (lambda p: optim.Adam(p, fused="yes"), TypeError, "fused"),
])
def test_argument_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        make([xp.tensor([1.0], requires_grad=True)])


def test_parameter_errors():
    w = xp.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD({w}, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors.*list"):
        optim.SGD([[1.0]], lr=0.1)
    with pytest.raises(TypeError, match="real floating dtype.*int64"):
        optim.SGD([xp.asarray([1, 2])], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="duplicate parameters"):
        optim.SGD([w, w], lr=0.1)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w]})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([w])
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({"params": [("v", xp.tensor([1.0], requires_grad=True))]})
