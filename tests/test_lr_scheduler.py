"""Tests of minitensor.optim.lr_scheduler: learning-rate (and momentum) sequences against
PyTorch's, state dicts, errors."""
import math

import numpy as np
import pytest

import minitensor as xp
from minitensor import optim
from minitensor.optim import lr_scheduler as S

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
EPOCHS = 30


def _lambda(epoch):
    return 0.95 ** epoch


def _mult(epoch):
    return 0.9


# (scheduler name, kwargs, optimizer name, optimizer kwargs); LRS = list of scheduler specs for
# SequentialLR
CASES = [
    ("StepLR", dict(step_size=4, gamma=0.5), "SGD", {}),
    ("MultiStepLR", dict(milestones=[3, 7, 7, 20], gamma=0.3), "SGD", {}),
    ("ExponentialLR", dict(gamma=0.9), "SGD", {}),
    ("CosineAnnealingLR", dict(T_max=8, eta_min=0.001), "SGD", {}),  # past T_max: continues
    ("CosineAnnealingLR", dict(T_max=30), "Adam", {}),
    ("LinearLR", dict(start_factor=0.1, end_factor=1.0, total_iters=6), "SGD", {}),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.2, total_iters=10), "Adam", {}),
    ("ConstantLR", dict(factor=0.25, total_iters=4), "SGD", {}),
    ("PolynomialLR", dict(total_iters=12, power=2.0), "SGD", {}),
    ("LambdaLR", dict(lr_lambda=_lambda), "SGD", {}),
    ("MultiplicativeLR", dict(lr_lambda=_mult), "SGD", {}),
    ("OneCycleLR", dict(max_lr=[1.0, 0.5], total_steps=EPOCHS + 1), "SGD", dict(momentum=0.9)),
    ("OneCycleLR", dict(max_lr=0.3, epochs=4, steps_per_epoch=8, anneal_strategy="linear",
                        three_phase=True), "Adam", {}),
    ("OneCycleLR", dict(max_lr=0.3, total_steps=40, pct_start=0.25, cycle_momentum=False,
                        div_factor=10.0, final_div_factor=100.0), "Adam", {}),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _optimizers(opt_name, opt_kw):
    w1, w2 = xp.tensor([1.0], requires_grad=True), xp.tensor([2.0], requires_grad=True)
    ours = getattr(optim, opt_name)([{"params": [w1]}, {"params": [w2], "lr": 0.05}], lr=0.1,
                                    **opt_kw)
    t1, t2 = (torch.tensor([1.0], requires_grad=True) for _ in range(2))
    theirs = getattr(torch.optim, opt_name)([{"params": [t1]}, {"params": [t2], "lr": 0.05}],
                                            lr=0.1, **opt_kw)
    return ours, theirs


def _momenta(opt):
    out = []
    for g in opt.param_groups:
        out.append(g["betas"][0] if "betas" in g else g.get("momentum", 0.0))
    return out


def _sequence(opt, sched, step, n=EPOCHS):
    lrs, moms = [list(sched.get_last_lr())], [_momenta(opt)]
    for i in range(n):
        opt.step()
        step(sched, i)
        lrs.append(list(sched.get_last_lr()))
        moms.append(_momenta(opt))
        assert lrs[-1] == [g["lr"] for g in opt.param_groups]
    return np.array(lrs, dtype=np.float64), np.array(moms, dtype=np.float64)


@needs_torch
@pytest.mark.parametrize("name,kw,opt_name,opt_kw", CASES, ids=IDS)
def test_matches_pytorch(name, kw, opt_name, opt_kw):
    ours, theirs = _optimizers(opt_name, opt_kw)
    s1 = getattr(S, name)(ours, **kw)
    s2 = getattr(torch.optim.lr_scheduler, name)(theirs, **kw)
    lr1, m1 = _sequence(ours, s1, lambda s, i: s.step())
    lr2, m2 = _sequence(theirs, s2, lambda s, i: s.step())
    np.testing.assert_allclose(lr1, lr2, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(m1, m2, rtol=1e-13, atol=1e-16)
    assert s1.last_epoch == s2.last_epoch == EPOCHS
    assert s1.base_lrs == pytest.approx(s2.base_lrs)


@needs_torch
@pytest.mark.parametrize("opt_kw", [{}, dict(momentum=0.9)])
def test_sequential_matches_pytorch(opt_kw):
    def build(mod, opt):
        warm = mod.LinearLR(opt, start_factor=0.1, total_iters=5)
        cos = mod.CosineAnnealingLR(opt, T_max=10)
        step = mod.StepLR(opt, step_size=3, gamma=0.5)
        return mod.SequentialLR(opt, [warm, cos, step], milestones=[5, 15])

    ours, theirs = _optimizers("SGD", opt_kw)
    lr1, _ = _sequence(ours, build(S, ours), lambda s, i: s.step())
    lr2, _ = _sequence(theirs, build(torch.optim.lr_scheduler, theirs), lambda s, i: s.step())
    np.testing.assert_allclose(lr1, lr2, rtol=1e-13, atol=1e-16)


@needs_torch
@pytest.mark.parametrize("kw", [
    dict(),
    dict(mode="max", factor=0.5, patience=2, threshold=0.1, threshold_mode="abs", cooldown=2),
    dict(factor=0.2, patience=0, cooldown=1, min_lr=[0.01, 0.02], eps=1e-12),
])
def test_reduce_on_plateau_matches_pytorch(kw):
    rng = np.random.default_rng(0)
    plateau = 0.5 + 0.01 * np.abs(rng.standard_normal(22))
    metrics = np.concatenate([np.linspace(1.0, 0.5, 8), plateau])
    ours, theirs = _optimizers("SGD", {})
    s1 = S.ReduceLROnPlateau(ours, **kw)
    s2 = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **kw)
    lr1, _ = _sequence(ours, s1, lambda s, i: s.step(metrics[i]))
    lr2, _ = _sequence(theirs, s2, lambda s, i: s.step(metrics[i]))
    np.testing.assert_allclose(lr1, lr2, rtol=1e-13)
    assert lr1[-1][0] < lr1[0][0]            # the schedule did reduce
    assert (s1.best, s1.num_bad_epochs) == (s2.best, s2.num_bad_epochs)


def test_reduce_on_plateau_accepts_tensor_metric():
    opt, _ = _optimizers("SGD", {}) if torch is not None else (None, None)
    if opt is None:
        opt = optim.SGD([xp.tensor([1.0], requires_grad=True)], lr=0.1)
    sched = S.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    opt.step()
    sched.step(xp.asarray(1.0))
    opt.step()
    sched.step(xp.asarray(2.0))
    assert sched.get_last_lr()[0] == 0.05


def _fresh(name, kw):
    w = xp.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    return opt, getattr(S, name)(opt, **kw)


@pytest.mark.parametrize("name,kw", [(c[0], c[1]) for c in CASES
                                     if c[3] == {} or c[0] == "OneCycleLR"]
                         + [("ReduceLROnPlateau", dict(patience=1))], ids=lambda v: str(v)[:20])
def test_state_dict_round_trip(name, kw, tmp_path):
    if name == "OneCycleLR":
        kw = dict(kw, max_lr=0.3, total_steps=40)
        kw.pop("epochs", None), kw.pop("steps_per_epoch", None)
    step = (lambda s, i: s.step(1.0 / (1 + i % 3))) if name == "ReduceLROnPlateau" \
        else (lambda s, i: s.step())
    opt, sched = _fresh(name, kw)
    _sequence(opt, sched, step, n=7)
    sd = sched.state_dict()
    assert "optimizer" not in sd
    path = tmp_path / "sched.mt"
    xp.save({"sched": sd, "opt": opt.state_dict()}, path)
    loaded = xp.load(path)
    opt2, sched2 = _fresh(name, kw)
    opt2.load_state_dict(loaded["opt"])
    sched2.load_state_dict(loaded["sched"])
    a, _ = _sequence(opt, sched, step, n=10)
    b, _ = _sequence(opt2, sched2, step, n=10)
    np.testing.assert_array_equal(a, b)


def test_sequential_state_dict():
    w = xp.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    seq = S.SequentialLR(opt, [S.ConstantLR(opt, factor=0.5, total_iters=2),
                               S.ExponentialLR(opt, gamma=0.5)], milestones=[3])
    sd = seq.state_dict()
    assert len(sd["_schedulers"]) == 2 and sd["_milestones"] == [3]
    seq.load_state_dict(sd)
    lrs, _ = _sequence(opt, seq, lambda s, i: s.step(), n=5)
    assert lrs[:, 0].tolist() == [0.5, 0.5, 1.0, 1.0, 0.5, 0.25]


def test_closed_form_matches_chainable():
    for name, kw in [("StepLR", dict(step_size=3, gamma=0.5)),
                     ("MultiStepLR", dict(milestones=[2, 5], gamma=0.1)),
                     ("ExponentialLR", dict(gamma=0.9)),
                     ("CosineAnnealingLR", dict(T_max=10, eta_min=0.01)),
                     ("LinearLR", dict(start_factor=0.2, total_iters=4)),
                     ("ConstantLR", dict(factor=0.5, total_iters=3)),
                     ("PolynomialLR", dict(total_iters=6, power=0.5))]:
        opt, sched = _fresh(name, kw)
        for _ in range(12):
            opt.step()
            sched.step()
            assert sched._get_closed_form_lr()[0] == pytest.approx(sched.get_last_lr()[0],
                                                                   rel=1e-12, abs=1e-15), name


def test_lambda_state_dict_keeps_callable_objects():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, epoch):
            return self.rate ** epoch

    opt = optim.SGD([xp.tensor([1.0], requires_grad=True)], lr=1.0)
    f = Decay()
    sched = S.LambdaLR(opt, [f])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.5}]
    f.rate = 0.1
    sched.load_state_dict(sd)
    assert f.rate == 0.5
    assert S.LambdaLR(opt, _lambda).state_dict()["lr_lambdas"] == [None]


def test_warns_if_scheduler_steps_before_optimizer():
    opt = optim.SGD([xp.tensor([1.0], requires_grad=True)], lr=1.0)
    sched = S.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


def test_onecycle_past_total_steps_raises():
    opt = optim.SGD([xp.tensor([1.0], requires_grad=True)], lr=1.0, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    opt.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()


@pytest.mark.parametrize("make,exc,match", [
    (lambda o: S.StepLR(object(), step_size=1), TypeError, "is not an Optimizer"),
    (lambda o: S.StepLR(o, step_size=0), ValueError, "step_size"),
    (lambda o: S.StepLR(o, step_size=1.5), TypeError, "step_size"),
    (lambda o: S.StepLR(o, step_size=1, last_epoch=3), KeyError, "initial_lr"),
    (lambda o: S.LinearLR(o, start_factor=0.0), ValueError, "Starting multiplicative factor"),
    (lambda o: S.LinearLR(o, end_factor=1.5), ValueError, "Ending multiplicative factor"),
    (lambda o: S.ConstantLR(o, factor=2.0), ValueError, "between 0 and 1"),
    (lambda o: S.LambdaLR(o, [_lambda, _lambda]), ValueError, "Expected 1 lr_lambdas"),
    (lambda o: S.LambdaLR(o, 3), TypeError, "should be a function"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps OR"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError, "total_steps"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=5, pct_start=1.5), ValueError,
     "pct_start"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=5, anneal_strategy="exp"), ValueError,
     "anneal_strategy"),
    (lambda o: S.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=5), ValueError, "same length"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
    (lambda o: S.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown"),
    (lambda o: S.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode"),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError, "expected 1 min_lrs"),
    (lambda o: S.SequentialLR(o, [], milestones=[]), ValueError, "at least one scheduler"),
    (lambda o: S.SequentialLR(o, [S.ExponentialLR(o, 0.5)], milestones=[2]), ValueError,
     "one more than the number of milestone"),
    (lambda o: S.SequentialLR(o, [S.ReduceLROnPlateau(o)], milestones=[]), ValueError,
     "ReduceLROnPlateau"),
    (lambda o: S.SequentialLR(o, [S.ExponentialLR(optim.SGD(
        [xp.tensor([1.0], requires_grad=True)]), 0.5)], milestones=[]), ValueError,
     "same optimizer"),
])
def test_errors(make, exc, match):
    opt = optim.SGD([xp.tensor([1.0], requires_grad=True)], lr=1.0)
    with pytest.raises(exc, match=match):
        make(opt)


def test_onecycle_needs_momentum_to_cycle():
    opt = optim.Adagrad([xp.tensor([1.0], requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="momentum or beta1"):
        S.OneCycleLR(opt, max_lr=1.0, total_steps=5)
    S.OneCycleLR(opt, max_lr=1.0, total_steps=5, cycle_momentum=False)
    assert math.isclose(opt.param_groups[0]["lr"], 1.0 / 25)


# ---------------------------------------------------------------- CyclicLR, warm restarts, chained
CYCLIC_CASES = [
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4), "SGD", dict(momentum=0.9)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3, step_size_down=5,
                      mode="triangular2"), "SGD", dict(momentum=0.5)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.95),
     "Adam", {}),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=2, cycle_momentum=False,
                      scale_fn=_lambda, scale_mode="iterations"), "SGD", {}),
    ("CosineAnnealingWarmRestarts", dict(T_0=5), "SGD", {}),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.001), "Adam", {}),
]


@needs_torch
@pytest.mark.parametrize("name,kw,opt_name,opt_kw", CYCLIC_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CYCLIC_CASES)])
def test_cyclic_and_restarts_match_pytorch(name, kw, opt_name, opt_kw):
    ours, theirs = _optimizers(opt_name, opt_kw)
    s1 = getattr(S, name)(ours, **kw)
    s2 = getattr(torch.optim.lr_scheduler, name)(theirs, **kw)
    lr1, m1 = _sequence(ours, s1, lambda s, i: s.step())
    lr2, m2 = _sequence(theirs, s2, lambda s, i: s.step())
    np.testing.assert_allclose(lr1, lr2, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(m1, m2, rtol=1e-13, atol=1e-16)
    assert s1.last_epoch == s2.last_epoch == EPOCHS


@needs_torch
@pytest.mark.parametrize("T_mult", [1, 2])
def test_warm_restarts_fractional_epochs_match_pytorch(T_mult):
    ours, theirs = _optimizers("SGD", {})
    s1 = S.CosineAnnealingWarmRestarts(ours, T_0=3, T_mult=T_mult)
    s2 = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs, T_0=3, T_mult=T_mult)
    epochs = [e + i / 4 for e in range(8) for i in range(4)]
    lr1, _ = _sequence(ours, s1, lambda s, i: s.step(epochs[i]), n=len(epochs))
    lr2, _ = _sequence(theirs, s2, lambda s, i: s.step(epochs[i]), n=len(epochs))
    np.testing.assert_allclose(lr1, lr2, rtol=1e-13, atol=1e-16)


@needs_torch
def test_chained_matches_pytorch():
    def build(mod, opt):
        return mod.ChainedScheduler([mod.ConstantLR(opt, factor=0.1, total_iters=3),
                                     mod.ExponentialLR(opt, gamma=0.9),
                                     mod.StepLR(opt, step_size=5, gamma=0.5)])

    ours, theirs = _optimizers("SGD", dict(momentum=0.9))
    lr1, _ = _sequence(ours, build(S, ours), lambda s, i: s.step())
    lr2, _ = _sequence(theirs, build(torch.optim.lr_scheduler, theirs), lambda s, i: s.step())
    np.testing.assert_allclose(lr1, lr2, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("make", [
    lambda opt: S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3, mode="triangular2"),
    lambda opt: S.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2),
    lambda opt: S.ChainedScheduler([S.LinearLR(opt, start_factor=0.2, total_iters=4),
                                    S.ExponentialLR(opt, gamma=0.9)]),
], ids=["cyclic", "restarts", "chained"])
def test_new_schedulers_state_dict_round_trip(make, tmp_path):
    def fresh():
        opt = optim.SGD([xp.tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.9)
        return opt, make(opt)

    opt, sched = fresh()
    _sequence(opt, sched, lambda s, i: s.step(), n=7)
    path = tmp_path / "sched.mt"
    xp.save({"sched": sched.state_dict(), "opt": opt.state_dict()}, path)
    loaded = xp.load(path)
    opt2, sched2 = fresh()
    opt2.load_state_dict(loaded["opt"])
    sched2.load_state_dict(loaded["sched"])
    a, ma = _sequence(opt, sched, lambda s, i: s.step(), n=10)
    b, mb = _sequence(opt2, sched2, lambda s, i: s.step(), n=10)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ma, mb)


def test_new_scheduler_errors():
    opt = optim.SGD([xp.tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="momentum or beta1"):
        S.CyclicLR(optim.Adagrad([xp.tensor([1.0], requires_grad=True)]), base_lr=0.01,
                   max_lr=0.1)
    with pytest.raises(ValueError, match="mode is invalid"):
        S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, mode="sine", cycle_momentum=False)
    with pytest.raises(ValueError, match="positive integer T_0"):
        S.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="T_mult >= 1"):
        S.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)
    with pytest.raises(ValueError, match="at least one scheduler"):
        S.ChainedScheduler([])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        S.ChainedScheduler([S.ReduceLROnPlateau(opt)])
    other = optim.SGD([xp.tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="same optimizer"):
        S.ChainedScheduler([S.StepLR(opt, 2), S.StepLR(other, 2)])
