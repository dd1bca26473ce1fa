"""Gradient rules of the searching functions (``where``; ``argmax``,
``nonzero``, ``searchsorted``... have integer results and no gradient)."""
import minitensor as xp

from . import rule


@rule("where")
def where_vjp(ctx, g, *, condition, needs):
    return {"x1": xp.where(condition, g, 0.0) if "x1" in needs else None,
            "x2": xp.where(condition, 0.0, g) if "x2" in needs else None}
