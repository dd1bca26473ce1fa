"""The error function (NumPy has none) with exact values and differentiable gradients.

The values come from SciPy's ``erf`` when SciPy is installed, else from the C library's
(``math.erf``, element by element). With autograd the gradient is that of
``2 * Phi(sqrt(2) x) - 1`` (``Phi``: the nn primitive ``normal_cdf``, whose rule is
twice differentiable), attached to the exact values: ``exact + (c - c.detach())``.
"""
import math

import numpy as np

import minitensor as _mt


def _np_erf(a):
    try:
        from scipy.special import erf
    except ImportError:
        erf = np.frompyfunc(math.erf, 1, 1)
    return np.asarray(erf(a.astype(np.float64)), dtype=np.float64).astype(a.dtype)


def _erf(x):
    exact = _mt.asarray(_np_erf(x.detach()._array))
    if not x.requires_grad:
        return exact
    from ..nn import _ops
    c = 2 * _ops.normal_cdf(x * math.sqrt(2.0))
    return exact + (c - c.detach())
