"""Special functions: ``erf``, ``erfc``, ``expit``, ``logit``, ``entr``, ``ndtr``,
``ndtri``, ``log_ndtr``, ``xlog1py``, ``gammaln`` and ``digamma`` (alias ``psi``),
differentiable (twice and more) under ``minitensor.autograd``.

# Note: the Array API standard has no ``special`` extension yet (it is proposed:
# data-apis/array-api#725). SciPy already looks for one: for a namespace it does
# not know, ``scipy.special.<f>`` calls ``xp.special.<f>`` when the namespace has
# it, and otherwise computes through NumPy. So with minitensor tensors these
# SciPy functions are computed here, on minitensor tensors, and keep the
# autograd graph (``docs/interop.md``).

``erf``/``erfc`` (the C library's), ``gammaln`` (the C library's ``lgamma``),
``digamma`` and ``ndtri`` are compiled kernels with their rules in
the one table; the others are built from them and namespace functions, with
branches evaluated on clamped inputs so that neither the values nor the
gradients of the branch not taken can be inf or NaN.

Examples
--------
>>> import minitensor as xp
>>> xp.special.ndtr(xp.asarray([-1.0, 0.0, 1.0]))
Tensor([0.15865525, 0.5       , 0.84134475], dtype=float64)
>>> float(xp.special.log_ndtr(xp.asarray(-40.0)))
-804.6084420137538
"""
import math

from ._array_object import Tensor
from ._creation_functions import asarray
from ._data_type_functions import astype
from ._dtypes import float64
from ._elementwise_functions import (
    exp, greater, isnan, less, log, log1p, multiply, negative)
from ._searching_functions import where
from ._special_functions import digamma, erf, erfc, gammaln, ndtri

__all__ = ["erf", "erfc", "expit", "logit", "entr", "ndtr", "ndtri", "log_ndtr", "xlog1py",
           "gammaln", "digamma", "psi"]
# Note: no ``polygamma`` here. SciPy calls ``xp.special.polygamma(n, x)`` with an
# array ``n`` (one order per element); the compiled kernel takes one integer order.
# SciPy computes it through NumPy instead (no gradient); ``minitensor.torch``'s
# ``polygamma(n, x)`` takes an integer n, as PyTorch's does.

# (SciPy's name of digamma: scipy.special.digamma calls xp.special.psi)
psi = digamma

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_ASYMPTOTIC_BELOW = -20.0   # log_ndtr: the asymptotic series below this


def _floating(name, x):
    if not isinstance(x, Tensor):
        x = asarray(x)
    k = x.dtype._np_dtype.kind
    if k == "c":
        raise TypeError(f"{name}(): real input expected, got {x.dtype}")
    return x if k == "f" else astype(x, float64)


def _clamp(cond, x, other):
    """``x`` where ``cond``, else ``other`` (``where``: the gradient reaches ``x``
    in full where it is taken, where ``maximum``/``minimum`` would split it at a
    tie)."""
    return where(cond, x, other)


def expit(x):
    """The logistic sigmoid ``1 / (1 + exp(-x))``, without overflow.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.expit(xp.asarray([-800.0, 0.0, 800.0]))
    Tensor([0. , 0.5, 1. ], dtype=float64)
    """
    x = _floating("expit", x)
    neg = less(x, 0.0)
    e = exp(_clamp(neg, x, negative(x)))  # exp(-|x|), in (0, 1]: no overflow
    return where(neg, e / (1.0 + e), 1.0 / (1.0 + e))


def logit(p):
    """``log(p / (1 - p))``, the inverse of :func:`expit` (-inf at 0, inf at 1,
    NaN outside [0, 1]).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.logit(xp.asarray([0.25, 0.5, 1.0]))
    Tensor([-1.09861229,  0.        ,         inf], dtype=float64)
    """
    p = _floating("logit", p)
    return log(p) - log1p(negative(p))


def entr(x):
    """``-x * log(x)`` for ``x > 0``, 0 at 0, ``-inf`` for ``x < 0`` (NaN stays NaN).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.entr(xp.asarray([0.0, 0.5, -1.0]))
    Tensor([0.        , 0.34657359,       -inf], dtype=float64)
    """
    x = _floating("entr", x)
    pos = greater(x, 0.0)
    safe = where(pos, x, 1.0)             # (log of the other branch is never taken)
    r = where(pos, negative(multiply(safe, log(safe))), 0.0)
    return where(less(x, 0.0), -math.inf, where(isnan(x), x, r))


def ndtr(x):
    """The standard normal CDF ``(1 + erf(x / sqrt(2))) / 2``, from ``erfc``
    so that the lower tail keeps its relative precision.

    Examples
    --------
    >>> import minitensor as xp
    >>> float(xp.special.ndtr(xp.asarray(-10.0)))
    7.619853024160593e-24
    """
    x = _floating("ndtr", x)
    return 0.5 * erfc(negative(x) * _INV_SQRT2)


def log_ndtr(x):
    """``log(ndtr(x))``, accurate in both tails: ``log1p(-ndtr(-x))`` above 0, the
    erfc form down to -20, the asymptotic series of Mills' ratio below.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.log_ndtr(xp.asarray([-100.0, 0.0, 10.0]))
    Tensor([-5.00552421e+03, -6.93147181e-01, -7.61985302e-24], dtype=float64)
    """
    x = _floating("log_ndtr", x)
    is_upper = greater(x, 0.0)
    is_low = less(x, _ASYMPTOTIC_BELOW)
    upper = _clamp(is_upper, x, 0.0)                          # x > 0
    mid = _clamp(is_upper | is_low, 0.0, x)                   # -20 <= x <= 0
    low = _clamp(is_low, x, _ASYMPTOTIC_BELOW)                # x < -20
    r_upper = log1p(-0.5 * erfc(upper * _INV_SQRT2))
    r_mid = log(0.5 * erfc(negative(mid) * _INV_SQRT2))
    # log(ndtr(x)) = -x**2/2 - log(-x) - log(2 pi)/2 + log(1 - 1/x2 + 3/x2**2 - ...)
    z = 1.0 / (low * low)
    series = 1.0 + z * (-1.0 + z * (3.0 + z * (-15.0 + z * (105.0 + z * (-945.0)))))
    r_low = -0.5 * low * low - log(negative(low)) - _HALF_LOG_2PI + log(series)
    r = where(is_upper, r_upper, where(is_low, r_low, r_mid))
    return where(isnan(x), x, r)


def xlog1py(x, y):
    """``x * log1p(y)``, 0 where ``x`` is 0 (even where ``y`` is -1).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.xlog1py(xp.asarray([0.0, 2.0]), xp.asarray([-1.0, 1.0]))
    Tensor([0.        , 1.38629436], dtype=float64)
    """
    x = _floating("xlog1py", x)
    y = _floating("xlog1py", y)
    # 0 * log1p(y) is nan for y <= -1: those points give 0 (the branch not taken is
    # evaluated at y = 0, so its gradient stays finite); elsewhere x * log1p(y),
    # whose derivative in x is log1p(y) at x = 0 too (as PyTorch)
    special = (x == 0.0) & (y <= -1.0)
    ys = where(special, 0.0, y)
    return where(isnan(y), y, where(special, 0.0, multiply(x, log1p(ys))))
