"""``torch.special`` in the face: the functions PyTorch programs call most.

Examples
--------
>>> import minitensor.torch as torch
>>> torch.special.expit(torch.tensor([0.0])), torch.special.logit(torch.tensor([0.5]))
(Tensor([0.5], dtype=float32), Tensor([0.], dtype=float32))
"""
import minitensor as _mt

from ._functions import (
    digamma, erf, erfc, exp2, expm1, lgamma as gammaln, log1p, log_softmax, logsumexp,
    polygamma, round, sigmoid as expit, softmax, xlogy, _float,
)

__all__ = ["expit", "logit", "erf", "erfc", "exp2", "expm1", "log1p", "log_softmax",
           "logsumexp", "round", "softmax", "xlogy", "sinc", "entr", "ndtr", "log_ndtr",
           "ndtri", "gammaln", "digamma", "psi", "polygamma"]

psi = digamma


def ndtr(input, *, out=None):
    """The standard normal CDF (``minitensor.special.ndtr``: accurate in the lower tail).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.special.ndtr(torch.tensor([0.0]))
    Tensor([0.5], dtype=float32)
    """
    return _mt.special.ndtr(_float(input))


def ndtri(input, *, out=None):
    """The standard normal quantile, the inverse of ``ndtr`` (``minitensor.special.ndtri``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.special.ndtri(torch.tensor([0.5, 0.975]))
    Tensor([0.       , 1.9599644], dtype=float32)
    """
    return _mt.special.ndtri(_float(input))


def log_ndtr(input, *, out=None):
    """``log(ndtr(input))``, accurate in both tails (``minitensor.special.log_ndtr``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.special.log_ndtr(torch.tensor([0.0]))
    Tensor([-0.6931472], dtype=float32)
    """
    return _mt.special.log_ndtr(_float(input))


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))`` (``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.special.logit(torch.tensor([0.5]))
    Tensor([0.], dtype=float32)
    """
    x = _float(input)
    if eps is not None:
        x = _mt.clip(x, eps, 1 - eps)
    return _mt.log(x / (1 - x))


def sinc(input, *, out=None):
    """The normalised sinc ``sin(pi x) / (pi x)`` (1 at 0).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.special.sinc(torch.tensor([0.0, 1.0])).tolist()[0]
    1.0
    """
    import math
    x = _float(input)
    px = x * math.pi
    safe = _mt.where(x == 0, _mt.ones((), dtype=x.dtype), px)
    return _mt.where(x == 0, _mt.ones((), dtype=x.dtype), _mt.sin(safe) / safe)


def entr(input, *, out=None):
    """``-x log x`` elementwise (0 at 0, ``-inf`` for negative ``x``).

    Examples
    --------
    >>> import minitensor.torch as torch
    >>> torch.special.entr(torch.tensor([0.0, 1.0]))
    Tensor([ 0., -0.], dtype=float32)
    """
    x = _float(input)
    zero = _mt.zeros((), dtype=x.dtype)
    r = -xlogy(x, x)
    return _mt.where(x < 0, _mt.asarray(-float("inf"), dtype=x.dtype), _mt.where(x == 0, zero, r))
