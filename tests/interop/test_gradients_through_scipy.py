"""Gradients through SciPy's Array API code (issue 16): minitensor tensors that
require grad keep their graph through ``scipy.special`` and ``scipy.stats``, as
PyTorch tensors do.

Each case runs the SciPy function on a float64 tensor that requires grad,
backpropagates a fixed random cotangent, and compares the gradient with PyTorch's
through the same SciPy call (when torch is installed) and with central finite
differences of the forward values. SciPy's special functions that are not
written with namespace operations are computed by ``minitensor.special`` (SciPy
calls ``xp.special.<name>`` when the namespace has it) and keep the graph too.
"""
import numpy as np
import pytest

import minitensor as xp
from minitensor import autograd

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

# (torch 2.13 warns that torch.asarray now keeps requires_grad: the behaviour compared)
pytestmark = pytest.mark.filterwarnings("ignore:torch.asarray:UserWarning")

RNG = np.random.default_rng(16)
X = np.array([0.3, -1.2, 2.0, 0.7, -0.4])
V = RNG.standard_normal(5)

class _NoTorch:
    """A case PyTorch itself cannot differentiate: compared with finite differences only."""

    def __init__(self, f):
        self.f = f

    def __call__(self, x):
        return self.f(x)


def _cases():
    sp = pytest.importorskip("scipy.special")
    st = pytest.importorskip("scipy.stats")
    ok = [
        ("special.logsumexp", lambda x: sp.logsumexp(x)),
        ("special.softmax", lambda x: sp.softmax(x)),
        # (PyTorch refuses this one: SciPy writes into amax's saved result in place;
        # minitensor's max rule recomputes the maximum from x)
        ("special.log_softmax", _NoTorch(sp.log_softmax)),
        ("special.xlogy", lambda x: sp.xlogy(x, x * x + 1)),
        ("stats.zscore", st.zscore),
        ("stats.moment", lambda x: st.moment(x, 3)),
        ("stats.variation", st.variation),
        ("stats.skew", st.skew),
        ("stats.kurtosis", st.kurtosis),
        ("stats.gmean", lambda x: st.gmean(x * x + 0.1)),
        ("stats.hmean", lambda x: st.hmean(x * x + 0.1)),
        ("stats.pmean", lambda x: st.pmean(x * x + 0.1, 2.0)),
        # computed by minitensor.special, which SciPy calls as xp.special
        ("special.expit", sp.expit),
        ("special.logit", lambda x: sp.logit(0.5 + 0.1 * x)),
        ("special.entr", lambda x: sp.entr(x * x)),
        ("special.erf", sp.erf),
        ("special.log_ndtr", sp.log_ndtr),
        ("stats.entropy", lambda x: st.entropy(x * x + 0.1)),
        ("special.ndtr", sp.ndtr),
        ("special.xlog1py", lambda x: sp.xlog1py(x, x * x)),
        ("special.rel_entr", lambda x: sp.rel_entr(x * x + 0.1, x * x + 0.5)),
        ("special.erfc", sp.erfc),
        ("special.ndtri", lambda x: sp.ndtri(0.5 + 0.1 * x)),
        ("special.gammaln", sp.gammaln),
        # (SciPy's digamma calls xp.special.psi; PyTorch's trigamma, its gradient,
        # is accurate to ~5e-10 only: compared with rtol 1e-8, as the issue asks)
        ("special.digamma", sp.digamma),
        ("special.psi", sp.psi),
        # more scipy.stats reductions (namespace operations; tvar writes in place
        # through a view of a 0-d graph tensor: recorded on its base, CopySlices)
        ("stats.tvar", st.tvar),
        ("stats.tmean", lambda x: st.tmean(x, (-1.0, 1.5))),
        ("stats.tstd", st.tstd),
        ("stats.tsem", st.tsem),
        ("stats.sem", st.sem),
        ("stats.trim_mean", lambda x: st.trim_mean(x, 0.2)),
        ("stats.gstd", lambda x: st.gstd(x * x + 0.5)),
        ("stats.circmean", st.circmean),
        ("stats.circvar", st.circvar),
        ("stats.circstd", st.circstd),
        ("stats.quantile", lambda x: st.quantile(x, 0.3)),
        ("stats.iqr", st.iqr),
        ("stats.median_abs_deviation", st.median_abs_deviation),
        ("stats.zmap", lambda x: st.zmap(x, x * 2)),
        # (PyTorch fails in SciPy's code: it calls .numpy() on a tensor that requires grad)
        ("stats.pearsonr", _NoTorch(lambda x: st.pearsonr(x, x * x).statistic)),
    ]
    cases = [pytest.param(f, id=n) for n, f in ok]
    return cases


def _loss(f, x, lib):
    y = f(x)
    v = xp.asarray(V) if lib is xp else torch.tensor(V)
    return (y * v).sum() if lib is torch else xp.sum(y * v)


def pytest_generate_tests(metafunc):
    if "func" in metafunc.fixturenames:
        try:
            cases = _cases()
        except pytest.skip.Exception:
            cases = []
        metafunc.parametrize("func", cases)


def test_gradient_through_scipy(func, scipy_xp):
    import scipy.special as sp
    x = xp.asarray(X)
    x.requires_grad_()
    loss = _loss(func, x, xp)
    (g,) = autograd.grad(loss, [x])
    # central finite differences of the forward values (no graph needed)
    eps = 1e-6
    fd = np.empty_like(X)
    for i in range(X.size):
        e = np.zeros_like(X)
        e[i] = eps
        fd[i] = (float(_loss(func, xp.asarray(X + e), xp)) -
                 float(_loss(func, xp.asarray(X - e), xp))) / (2 * eps)
    np.testing.assert_allclose(g._array, fd, rtol=1e-6, atol=1e-8)
    if torch is not None and not isinstance(func, _NoTorch):
        tx = torch.tensor(X, requires_grad=True)
        (tg,) = torch.autograd.grad(_loss(func, tx, torch), [tx])
        rtol = 1e-8 if func in (sp.digamma, sp.psi) else 1e-10
        np.testing.assert_allclose(g._array, tg.numpy(), rtol=rtol, atol=1e-12)


def test_asarray_keeps_the_graph_as_torch_asarray():
    x = xp.asarray(X)
    x.requires_grad_()
    assert xp.asarray(x) is x
    assert xp.asarray(x, dtype=xp.float64) is x
    f32 = xp.asarray(x, dtype=xp.float32)        # a differentiable cast
    c = xp.asarray(x, copy=True)                  # a differentiable copy
    assert f32.requires_grad and c.requires_grad and c._array is not x._array
    with pytest.raises(ValueError, match="copy=False"):
        xp.asarray(x, dtype=xp.float32, copy=False)
    xp.sum(f32 * 2.0 + c * 3.0).backward()
    np.testing.assert_allclose(x.grad._array, np.full(5, 5.0))
    # plain tensors are unchanged: a new tensor object over the same memory
    p = xp.asarray(X)
    q = xp.asarray(p)
    assert q is not p and q._array is p._array and not q.requires_grad
