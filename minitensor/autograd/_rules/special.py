"""Gradient rules of the special functions the standard lacks
(``minitensor/_special_functions.py``: ``erf``, ``erfc``)."""
import math

import minitensor as xp

from ... import _special_functions as S
from . import rule

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


@rule("special.erf", func=S.erf)
def erf_vjp(ctx, g, *, x):
    return g * (_TWO_OVER_SQRT_PI * xp.exp(-(x * x)))


@rule("special.erfc", func=S.erfc)
def erfc_vjp(ctx, g, *, x):
    return g * (-_TWO_OVER_SQRT_PI * xp.exp(-(x * x)))
