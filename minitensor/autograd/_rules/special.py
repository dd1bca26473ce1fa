"""Gradient rules of the special functions the standard lacks
(``minitensor/_special_functions.py``: ``erf``, ``erfc``, ``gammaln``,
``digamma``, ``polygamma``, ``ndtri``), written with namespace operations and
these functions, so they are differentiable again (``gammaln' = digamma``,
``digamma' = polygamma(1, .)``, ``polygamma(n, .)' = polygamma(n + 1, .)``)."""
import math

import minitensor as xp

from ... import _special_functions as S
from . import rule

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


@rule("special.erf", func=S.erf)
def erf_vjp(ctx, g, *, x):
    return g * (_TWO_OVER_SQRT_PI * xp.exp(-(x * x)))


@rule("special.erfc", func=S.erfc)
def erfc_vjp(ctx, g, *, x):
    return g * (-_TWO_OVER_SQRT_PI * xp.exp(-(x * x)))


@rule("special.gammaln", func=S.gammaln)
def gammaln_vjp(ctx, g, *, x):
    return g * S.digamma(x)


@rule("special.digamma", func=S.digamma)
def digamma_vjp(ctx, g, *, x):
    return g * S.polygamma(1, x)


@rule("special.polygamma", func=S.polygamma)
def polygamma_vjp(ctx, g, *, n, x):
    return {"x": g * S.polygamma(n + 1, x)}


@rule("special.ndtri", func=S.ndtri)
def ndtri_vjp(ctx, g, *, x):
    # d/dp ndtri(p) = 1 / phi(ndtri(p)) = sqrt(2 pi) exp(ndtri(p)**2 / 2), from the
    # output (recomputed from x under create_graph so that it is differentiable)
    y = S.ndtri(x)
    return g * (_SQRT_2PI * xp.exp(0.5 * (y * y)))
