"""Gradient rules of the sorting functions (``sort``; ``argsort`` has an
integer result and no gradient)."""
import minitensor as xp

from ..._utility_functions import _normalize_axis
from . import rule


@rule("sort")
def sort_vjp(ctx, g, *, x, axis, descending):
    ax = _normalize_axis("sort", axis, x.ndim)
    perm = xp.argsort(x, axis=ax, descending=bool(descending), stable=True)
    inv = xp.argsort(perm, axis=ax)
    return xp.take_along_axis(g, inv, axis=ax)
