"""The normalization primitives (``nn.layer_norm``, ``nn.rms_norm``,
``nn.group_norm``, ``nn.batch_norm``) and their rules: the NumPy/fused path
(no ``create_graph``) and the namespace path agree, Hessian-vector products
match finite differences and PyTorch's double backward, the batch-norm
running statistics are updated as before, empty inputs give zero gradients."""
import numpy as np
import pytest

import minitensor as xp
from minitensor import autograd
from minitensor.autograd._engine import RULES
import minitensor.nn as nn
import minitensor.nn.functional as F
from minitensor.nn import _ops

from test_nn_rules import _check_second_order, torch

if torch is not None:
    import torch.nn.functional as TF

rng = np.random.default_rng(7)
X4 = rng.standard_normal((3, 4, 2, 3))
C4 = rng.uniform(0.5, 1.5, 4)
B4 = rng.standard_normal(4)

# name -> (minitensor function, PyTorch function, arrays)
CASES = {
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (2, 3), w, b),
                   lambda x, w, b: TF.layer_norm(x, (2, 3), w, b),
                   [X4, rng.uniform(0.5, 1.5, (2, 3)), rng.standard_normal((2, 3))]),
    "layer_norm_plain": (lambda x: F.layer_norm(x, (3,)), lambda x: TF.layer_norm(x, (3,)),
                         [X4]),
    "rms_norm": (lambda x, w: F.rms_norm(x, (3,), w, eps=1e-3),
                 lambda x, w: TF.rms_norm(x, (3,), w, eps=1e-3),
                 [X4, rng.uniform(0.5, 1.5, 3)]),
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b),
                   lambda x, w, b: TF.group_norm(x, 2, w, b), [X4, C4, B4]),
    "batch_norm_train": (
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True), [X4, C4, B4]),
    "batch_norm_eval": (
        lambda x, w, b: F.batch_norm(x, xp.asarray(B4 / 3), xp.asarray(C4), w, b),
        lambda x, w, b: TF.batch_norm(x, torch.tensor(B4 / 3), torch.tensor(C4), w, b),
        [X4, C4, B4]),
}


def test_primitives_have_rules():
    for name in ("layer_norm", "rms_norm", "group_norm", "batch_norm"):
        assert "nn." + name in RULES
        assert hasattr(getattr(_ops, name), "__wrapped_raw__")


@pytest.mark.parametrize("case", list(CASES))
def test_second_order(case):
    f, tf, arrays = CASES[case]
    _check_second_order(f, tf if torch is not None else None, arrays)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_fused_path_matches_namespace_path(dtype):
    # the fused kernel's kept xhat (first order) against the create_graph formulas
    x = xp.tensor(X4.astype(dtype), requires_grad=True)
    w = xp.tensor(C4.astype(dtype), requires_grad=True)
    c = xp.asarray(rng.standard_normal(X4.shape).astype(dtype))
    out = []
    for cg in (False, True):
        y = F.batch_norm(x, None, None, w, None, training=True)
        out.append([g.detach()._array for g in autograd.grad(xp.sum(y * y * c), [x, w],
                                                                create_graph=cg)])
    tol = 1e-4 if dtype == np.float32 else 1e-12
    for a, b in zip(*out):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_batch_norm_running_stats_and_cumulative_average():
    m = nn.BatchNorm1d(4, momentum=None)
    x1 = rng.standard_normal((5, 4)).astype(np.float32)
    x2 = rng.standard_normal((6, 4)).astype(np.float32)
    m(xp.asarray(x1))
    m(xp.asarray(x2))
    np.testing.assert_allclose(m.running_mean._array, (x1.mean(0) + x2.mean(0)) / 2, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(m.running_var._array, (x1.var(0, ddof=1) + x2.var(0, ddof=1)) / 2,
                               rtol=1e-5)
    m = nn.BatchNorm1d(4, momentum=0.3)
    m(xp.asarray(x1))
    np.testing.assert_allclose(m.running_mean._array, 0.3 * x1.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.running_var._array, 0.7 + 0.3 * x1.var(0, ddof=1), rtol=1e-5)


@pytest.mark.parametrize("name", ["layer_norm", "rms_norm", "group_norm", "batch_norm"])
def test_empty_input_zero_gradients_twice(name):
    x = xp.tensor(np.zeros((0, 4, 3)), requires_grad=True)
    w = xp.tensor(np.ones(4 if name in ("group_norm", "batch_norm") else 3), requires_grad=True)
    f = {"layer_norm": lambda: F.layer_norm(x, (3,), w), "rms_norm": lambda: F.rms_norm(x, (3,), w),
         "group_norm": lambda: F.group_norm(x, 2, w),
         "batch_norm": lambda: F.batch_norm(x, None, None, w, training=True)}[name]
    y = f()
    assert y.shape == (0, 4, 3)
    gx, gw = autograd.grad(xp.sum(y * y), [x, w], create_graph=True)
    assert gx.shape == (0, 4, 3) and np.all(gw._array == 0)
