"""Gradient rules of the linear algebra functions of the main namespace
(``matmul``, ``tensordot``, ``vecdot``, ``matrix_transpose``)."""
import numpy as np

import minitensor as xp

from ..._linear_algebra_functions import _axes_seq, _vector_axis
from . import rule
from ._helpers import conj_if_complex, conj_transpose, inverse_permutation, shape_only


@rule("matmul")
def matmul_vjp(ctx, g, *, x1, x2, needs):
    a, b = x1, x2
    na, nb = a.ndim, b.ndim
    need_a, need_b = "x1" in needs, "x2" in needs
    ga = gb = None
    if na == 1 and nb == 1:
        ga = g * conj_if_complex(b) if need_a else None
        gb = g * conj_if_complex(a) if need_b else None
    elif na == 1:  # (k,) @ (..., k, n) -> (..., n)
        if need_a:
            ga = xp.matmul(xp.expand_dims(g, axis=-2), conj_transpose(b))[..., 0, :]
        if need_b:
            gb = xp.expand_dims(conj_if_complex(a), axis=-1) * xp.expand_dims(g, axis=-2)
    elif nb == 1:  # (..., m, k) @ (k,) -> (..., m)
        if need_a:
            ga = xp.expand_dims(g, axis=-1) * conj_if_complex(b)
        if need_b:
            gb = xp.matmul(conj_transpose(a), xp.expand_dims(g, axis=-1))[..., 0]
    else:
        ga = xp.matmul(g, conj_transpose(b)) if need_a else None
        gb = xp.matmul(conj_transpose(a), g) if need_b else None
    return {"x1": ga, "x2": gb}


@rule("tensordot")
def tensordot_vjp(ctx, g, *, x1, x2, axes, needs):
    a, b = x1, x2
    na, nb = a.ndim, b.ndim
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, (bool, np.bool_)):
        ax_a = list(range(na - int(axes), na))
        ax_b = list(range(int(axes)))
    else:
        ax_a = _axes_seq(axes[0], na, "x1")
        ax_b = _axes_seq(axes[1], nb, "x2")
    free_a = [i for i in range(na) if i not in ax_a]
    free_b = [i for i in range(nb) if i not in ax_b]
    nfa, nfb = len(free_a), len(free_b)
    grads = {}
    if "x1" in needs:
        # g (free_a + free_b) . conj(b) over free_b -> free_a + contracted axes of b in
        # b's order; each corresponds to the paired axis of a
        r = xp.tensordot(g, conj_if_complex(b), axes=(list(range(nfa, nfa + nfb)), free_b))
        order = free_a + [ax_a[ax_b.index(j)] for j in sorted(ax_b)]
        grads["x1"] = xp.permute_dims(r, inverse_permutation(order))
    if "x2" in needs:
        r = xp.tensordot(conj_if_complex(a), g, axes=(free_a, list(range(nfa))))
        order = [ax_b[ax_a.index(i)] for i in sorted(ax_a)] + free_b
        grads["x2"] = xp.permute_dims(r, inverse_permutation(order))
    return grads


@rule("vecdot")
def vecdot_vjp(ctx, g, *, x1, x2, x1_shape, x2_shape, axis, needs):
    axis = _vector_axis("vecdot", axis, shape_only(x1_shape), shape_only(x2_shape))
    ge = xp.expand_dims(g, axis=axis)
    return {"x1": conj_if_complex(ge) * x2 if "x1" in needs else None,  # sum(conj(a) * b)
            "x2": ge * x1 if "x2" in needs else None}


@rule("matrix_transpose")
def matrix_transpose_vjp(ctx, g):
    return xp.matrix_transpose(g)
