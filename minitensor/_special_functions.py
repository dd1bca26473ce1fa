"""Special functions the Array API standard lacks but PyTorch's face and SciPy's
Array API code need: ``erf`` and ``erfc`` (NumPy has neither), from the C
library, and ``gammaln``, ``digamma``, ``polygamma`` and ``ndtri``, through the
``_fused`` Pythran kernels.

Private to the package (the namespace ``minitensor`` stays the standard's):
``minitensor.torch`` exposes them as ``torch.erf``/``torch.special.erf``. Each is
marked ``@differentiable("special.<name>")``; its gradient rule is in
``minitensor/autograd/_rules/special.py`` (written with namespace operations, so
it is differentiable again).

Examples
--------
>>> import minitensor as xp
>>> from minitensor import _special_functions as S
>>> S.erf(xp.asarray([0.0, 0.5, 3.0]))
Tensor([0.        , 0.52049988, 0.99997791], dtype=float64)
>>> float(S.erfc(xp.asarray(6.0)))
2.1519736712498916e-17
"""
import numpy as np

from . import _kernels
from ._array_object import Tensor
from ._dispatch import differentiable
from ._validation import index_arg

__all__ = ["erf", "erfc", "gammaln", "digamma", "polygamma", "ndtri"]

_F16 = np.dtype(np.float16)


def _real_input(name, x):
    """x's array in a dtype the kernels compute in (integers and bool as float64,
    float16 in float32), and the result dtype."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): expected a minitensor Tensor, got {type(x).__name__}")
    a = x._array
    k = a.dtype.kind
    if k == "f":
        return (a.astype(np.float32), a.dtype) if a.dtype == _F16 else (a, a.dtype)
    if k in "iub":
        return a.astype(np.float64), np.dtype(np.float64)
    raise TypeError(f"{name}(): real floating-point, integer or bool input expected, got "
                    f"{a.dtype}")


def _apply(name, kernel, x, *n):
    a, dt = _real_input(name, x)
    r = kernel(*n, a)
    return Tensor._new(np.asarray(r, dtype=dt) if r.dtype != dt else np.asarray(r))


@differentiable("special.erf")
def erf(x):
    """The error function, ``2/sqrt(pi)`` times the integral of ``exp(-t**2)``
    from 0 to ``x`` (integer input gives float64; the C library's ``erf``).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.erf(xp.asarray([-1.0, 0.0, 0.5]))
    Tensor([-0.84270079,  0.        ,  0.52049988], dtype=float64)
    """
    return _apply("erf", _kernels.erf, x)


@differentiable("special.erfc")
def erfc(x):
    """``1 - erf(x)``, accurate where ``erf(x)`` is close to 1 (the C library's
    ``erfc``).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.erfc(xp.asarray([0.0, 5.0]))
    Tensor([1.00000000e+00, 1.53745979e-12], dtype=float64)
    """
    return _apply("erfc", _kernels.erfc, x)


@differentiable("special.gammaln")
def gammaln(x):
    """``log(abs(gamma(x)))``, the logarithm of the absolute value of the gamma
    function (inf at the poles 0, -1, -2, ...; the C library's ``lgamma``).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.gammaln(xp.asarray([0.5, 1.0, 10.0, -0.5]))
    Tensor([ 0.57236494,  0.        , 12.80182748,  1.26551212], dtype=float64)
    """
    return _apply("gammaln", _kernels.gammaln, x)


@differentiable("special.digamma")
def digamma(x):
    """The digamma function ``psi(x)``, the derivative of ``gammaln`` (``-inf``
    at +0, ``inf`` at -0, NaN at the poles -1, -2, ... as SciPy's ``psi``).

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.digamma(xp.asarray([1.0, 0.5, -0.5]))
    Tensor([-0.57721566, -1.96351003,  0.03648997], dtype=float64)
    """
    return _apply("digamma", _kernels.digamma, x)


@differentiable("special.polygamma")
def polygamma(n, x):
    """The ``n``-th derivative of ``digamma`` (``n = 0`` is ``digamma`` itself);
    ``n`` is a Python integer ``>= 0``, ``x`` a tensor. At the poles 0, -1, ...
    and at ``-inf`` the value is ``(-1)**(n + 1) * inf``, as SciPy's.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor._special_functions import polygamma
    >>> polygamma(1, xp.asarray([1.0, 0.5]))   # pi**2/6, pi**2/2
    Tensor([1.64493407, 4.9348022 ], dtype=float64)
    """
    if isinstance(n, Tensor):
        raise TypeError(f"polygamma(): n must be a Python integer, got {type(n).__name__}")
    n = index_arg("polygamma()", "n", n)
    if n < 0:
        raise ValueError(f"polygamma(): n must be >= 0, got {n}")
    if n == 0:
        return _apply("polygamma", _kernels.digamma, x)
    return _apply("polygamma", _kernels.polygamma, x, n)


@differentiable("special.ndtri")
def ndtri(x):
    """The quantile function of the standard normal distribution, the inverse of
    ``ndtr``: ``-inf`` at 0, ``inf`` at 1, NaN outside ``[0, 1]``.

    Examples
    --------
    >>> import minitensor as xp
    >>> xp.special.ndtri(xp.asarray([0.025, 0.5, 0.975]))
    Tensor([-1.95996398,  0.        ,  1.95996398], dtype=float64)
    """
    return _apply("ndtri", _kernels.ndtri, x)
