"""Gradients through scikit-learn's Array API code (issue 16), under
``array_api_dispatch=True``: minitensor tensors that require grad keep their
graph where scikit-learn returns arrays computed with namespace operations, as
PyTorch tensors do.

- Regression metrics with ``multioutput="raw_values"`` (one value per output,
  an array) and the pairwise kernels (``rbf_kernel``, ``euclidean_distances``,
  ...) are differentiable with respect to the predictions / the samples: a
  kernel two-sample loss or a per-output metric trained by gradient descent.
  Each case is compared with PyTorch through the same call and with central
  finite differences (float64).
- The same metrics averaged to one number (the default ``multioutput``, and
  ``log_loss``) return a Python ``float`` (scikit-learn calls ``float()`` on the
  result), so the graph ends there, for PyTorch as for minitensor: documented
  below, not a minitensor limit.
- ``normalize``, ``cosine_similarity``, ``StandardScaler`` and
  ``extmath.softmax`` write in place into a value their own computation saved
  for backward (``norms[norms == 0] = 1`` on a ``sqrt`` result, ``X /= ...`` on
  an ``exp`` result): both libraries raise the saved-tensor error at backward.
"""
import numpy as np
import pytest

import minitensor as xp
from minitensor import autograd

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

pytestmark = pytest.mark.filterwarnings("ignore:torch.asarray:UserWarning")

RNG = np.random.default_rng(161)
P = RNG.standard_normal((5, 3))        # the tensor that requires grad
Y = RNG.standard_normal((5, 3))        # targets
B = RNG.standard_normal((4, 3))        # the other sample of the kernels
V = RNG.standard_normal(64)            # cotangent


def _cases():
    pytest.importorskip("sklearn")
    from sklearn import metrics
    from sklearn.metrics import pairwise
    from sklearn.preprocessing import minmax_scale
    raw = {"multioutput": "raw_values"}
    return {
        "r2_score": lambda T, p: metrics.r2_score(T.asarray(Y), p, **raw),
        "mean_squared_error": lambda T, p: metrics.mean_squared_error(T.asarray(Y), p, **raw),
        "mean_absolute_error": lambda T, p: metrics.mean_absolute_error(T.asarray(Y), p, **raw),
        "mean_pinball_loss": lambda T, p: metrics.mean_pinball_loss(T.asarray(Y), p, alpha=0.3,
                                                                    **raw),
        "rbf_kernel": lambda T, p: pairwise.rbf_kernel(p, T.asarray(B), gamma=0.3),
        "rbf_kernel(X, X)": lambda T, p: pairwise.rbf_kernel(p, gamma=0.3),
        "euclidean_distances": lambda T, p: pairwise.euclidean_distances(p, T.asarray(B)),
        "polynomial_kernel": lambda T, p: pairwise.polynomial_kernel(p, T.asarray(B), degree=2),
        "sigmoid_kernel": lambda T, p: pairwise.sigmoid_kernel(p, T.asarray(B)),
        "laplacian_kernel": lambda T, p: pairwise.laplacian_kernel(p, T.asarray(B)),
        # (PyTorch fails in scikit-learn's code for this one: it passes a NumPy
        # scalar type as the dtype; compared with finite differences only)
        "minmax_scale": None if minmax_scale is None else (lambda T, p: minmax_scale(p)),
    }


_NO_TORCH = {"minmax_scale"}


def _loss(f, p, T):
    r = f(T, p)
    v = V[:int(np.prod(r.shape))].reshape(tuple(r.shape))
    return (r * T.asarray(v)).sum() if T is torch else xp.sum(r * xp.asarray(v))


def pytest_generate_tests(metafunc):
    if "case" in metafunc.fixturenames:
        try:
            names = list(_cases())
        except pytest.skip.Exception:
            names = []
        metafunc.parametrize("case", names)


def test_gradient_through_sklearn(case, dispatch):
    f = _cases()[case]
    p = xp.asarray(P).requires_grad_()
    loss = _loss(f, p, xp)
    (g,) = autograd.grad(loss, [p])
    eps = 1e-6
    fd = np.empty_like(P)
    for i in np.ndindex(P.shape):
        e = np.zeros_like(P)
        e[i] = eps
        fd[i] = (float(_loss(f, xp.asarray(P + e), xp)) -
                 float(_loss(f, xp.asarray(P - e), xp))) / (2 * eps)
    np.testing.assert_allclose(g._array, fd, rtol=1e-6, atol=1e-8)
    if torch is not None and case not in _NO_TORCH:
        tp = torch.tensor(P, requires_grad=True)
        (tg,) = torch.autograd.grad(_loss(f, tp, torch), [tp])
        np.testing.assert_allclose(g._array, tg.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad:UserWarning")
def test_averaged_metrics_return_python_floats(dispatch):
    from sklearn import metrics
    p = xp.asarray(P).requires_grad_()
    r = metrics.mean_squared_error(xp.asarray(Y), p)
    assert type(r) is float   # scikit-learn's float(): no graph, for torch too
    if torch is not None:
        assert type(metrics.mean_squared_error(torch.tensor(Y),
                                               torch.tensor(P, requires_grad=True))) is float


@pytest.mark.parametrize("name", ["normalize", "cosine_similarity", "StandardScaler",
                                  "extmath.softmax"])
def test_in_place_writes_into_saved_values_raise_as_in_torch(name, dispatch):
    from sklearn.metrics.pairwise import cosine_similarity
    from sklearn.preprocessing import StandardScaler, normalize
    from sklearn.utils.extmath import softmax
    f = {"normalize": lambda T, p: normalize(p),
         "cosine_similarity": lambda T, p: cosine_similarity(p, T.asarray(B)),
         "StandardScaler": lambda T, p: StandardScaler().fit_transform(p),
         "extmath.softmax": lambda T, p: softmax(p)}[name]
    p = xp.asarray(P).requires_grad_()
    loss = _loss(f, p, xp)   # the forward values are right ...
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()      # ... but a value saved for backward was overwritten
    if torch is not None:
        tp = torch.tensor(P, requires_grad=True)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            _loss(f, tp, torch).backward()
