"""Gradient rules of the ``linalg`` extension, with the backward helpers of
the decompositions (``eigh``, ``eig``, ``svd``, ``qr``, ``pinv``). Formulas are
PyTorch's (``FunctionsManual.cpp``)."""
import math

import numpy as np

import minitensor as xp
from minitensor import linalg as la

from . import rule
from ._helpers import (complex_sign, conj_if_complex, conj_transpose, constant_like,
                       diag_embed, eye_like, has_nonzero, is_complex, prod_of_others,
                       restore_reduced, scatter_add)


@rule("linalg.outer")
def outer_vjp(ctx, g, *, x1, x2, needs):
    return {"x1": xp.matmul(g, conj_if_complex(x2)) if "x1" in needs else None,
            "x2": xp.matmul(conj_if_complex(x1), g) if "x2" in needs else None}


@rule("linalg.cross")
def cross_vjp(ctx, g, *, x1, x2, axis, needs):
    return {"x1": la.cross(conj_if_complex(x2), g, axis=axis) if "x1" in needs else None,
            "x2": la.cross(g, conj_if_complex(x1), axis=axis) if "x2" in needs else None}


def _diagonal_indices(shape, offset):
    m, n = shape[-2], shape[-1]
    if offset >= 0:
        k = max(0, min(m, n - offset))
        return np.arange(k), np.arange(k) + offset
    k = max(0, min(m + offset, n))
    return np.arange(k) - offset, np.arange(k)


@rule("linalg.diagonal")
def diagonal_vjp(ctx, g, *, x_shape, offset):
    ri, ci = _diagonal_indices(x_shape, int(offset))
    return scatter_add(g, x_shape, (Ellipsis, ri, ci))


@rule("linalg.trace")
def trace_vjp(ctx, g, *, x_shape, offset):
    e = np.eye(x_shape[-2], x_shape[-1], k=int(offset))
    return xp.expand_dims(g, axis=(-2, -1)) * constant_like(e, g)


@rule("linalg.inv")
def inv_vjp(ctx, g):
    yh = conj_transpose(ctx.out)
    return -xp.matmul(yh, xp.matmul(g, yh))


@rule("linalg.det")
def det_vjp(ctx, g, *, x):
    d = ctx.out
    if not np.all(d._array != 0):
        return _det_backward_svd(x, g)
    # d det / dA = det * A^{-T}: grad = g * conj(det) * A^{-H}
    return xp.expand_dims(g * conj_if_complex(d), axis=(-2, -1)) * conj_transpose(la.inv(x))


def _det_backward_svd(a, g):
    """The gradient of det for any (also singular) matrix: g * adj(A)^H, with
    adj(A) = det(U) det(Vh) V diag(prod_{j != i} s_j) U^H."""
    u, s, vh = la.svd(a)
    others = prod_of_others(s, (s.ndim - 1,))
    adj = xp.expand_dims(la.det(u) * la.det(vh), axis=(-2, -1)) * xp.matmul(
        conj_transpose(vh), xp.expand_dims(others, axis=-1) * conj_transpose(u))
    return xp.expand_dims(g, axis=(-2, -1)) * conj_transpose(adj)


@rule("linalg.slogdet")
def slogdet_vjp(ctx, g_sign, g_logabs, *, x):
    # d logdet = tr(A^{-1} dA); logabsdet takes its real part, sign = exp(i Im(logdet))
    if is_complex(x):
        sign = ctx.output(0)
        c = g_logabs - 1j * xp.imag(xp.conj(g_sign) * sign)
    else:
        c = g_logabs
    return xp.expand_dims(c, axis=(-2, -1)) * conj_transpose(la.inv(x))


@rule("linalg.solve")
def solve_vjp(ctx, g, *, x1, x2_shape, needs):
    a = x1
    x = ctx.out
    if len(x2_shape) == 1:
        gb = la.solve(conj_transpose(a), xp.expand_dims(g, axis=-1))[..., 0]
        ga = (-xp.expand_dims(gb, axis=-1) * xp.expand_dims(conj_if_complex(x), axis=-2)
              if "x1" in needs else None)
    else:
        gb = la.solve(conj_transpose(a), g)
        ga = -xp.matmul(gb, conj_transpose(x)) if "x1" in needs else None
    return {"x1": ga, "x2": gb}


def _tril_half(n, like):
    """Mask: 1 below the diagonal, 1/2 on it, 0 above."""
    return constant_like(np.tril(np.ones((n, n))) - 0.5 * np.eye(n), like)


@rule("linalg.cholesky")
def cholesky_vjp(ctx, g, *, upper):
    lo = ctx.out
    if upper:
        lo, g = conj_transpose(lo), conj_transpose(g)
    n = lo.shape[-1]
    phi = xp.matmul(conj_transpose(lo), g) * _tril_half(n, lo)
    linv = la.inv(lo)
    ga = xp.matmul(conj_transpose(linv), xp.matmul(phi, linv))
    return (ga + conj_transpose(ga)) * 0.5


def _syminvadj(m):
    """``triu(m) + triu(m)^H`` with the real part of ``m``'s diagonal on the diagonal."""
    n = m.shape[-1]
    u = m * constant_like(np.triu(np.ones((n, n))), m)
    if is_complex(m):
        return u + conj_transpose(u) - xp.real(m) * eye_like(n, m)
    return u + conj_transpose(u) - m * eye_like(n, m)


def _triliminvadjskew(m):
    """``tril(m - m^H)`` with the imaginary part of the diagonal halved."""
    n = m.shape[-1]
    r = (m - conj_transpose(m)) * constant_like(np.tril(np.ones((n, n))), m)
    if is_complex(m):
        r = r - 0.5 * r * eye_like(n, m)  # the diagonal of m - m^H is imaginary
    return r


def _right_solve_rh(b, r):
    """``b @ inv(R)^H`` for a square R."""
    return conj_transpose(la.solve(r, conj_transpose(b)))


@rule("linalg.qr")
def qr_vjp(ctx, gq, gr, *, mode):
    q, r = ctx.output(0), ctx.output(1)
    m, n = q.shape[-2], r.shape[-1]
    if mode == "complete" and m > n:
        # Q's last m - n columns are not determined by A: differentiable only
        # when the loss does not depend on them
        if has_nonzero(gq[..., n:]):
            raise RuntimeError("linalg.qr: the gradient with mode='complete' and more rows than "
                               "columns is undefined when the loss depends on the last "
                               "M - N columns of Q; use mode='reduced'")
        q, gq = q[..., :n], gq[..., :n]
        r, gr = r[..., :n, :], gr[..., :n, :]
    mh = xp.matmul(gr, conj_transpose(r)) - xp.matmul(conj_transpose(q), gq)
    if m >= n:
        b = gq + xp.matmul(q, _syminvadj(mh))
        return _right_solve_rh(b, r)
    b = xp.matmul(q, _triliminvadjskew(-mh))
    ga = _right_solve_rh(b, r[..., :, :m])
    pad = list(ga.shape)
    pad[-1] = n - m
    ga = xp.concat([ga, xp.zeros(tuple(pad), dtype=ga.dtype)], axis=-1)
    return ga + xp.matmul(q, gr)


def eigh_backward(gl, gv, lam, v):
    """The gradient of ``A`` (Hermitian) from those of its eigenvalues ``gl`` and
    eigenvectors ``gv`` (None: not used)."""
    n = lam.shape[-1]
    eye = eye_like(n, lam)
    inner = diag_embed(gl)
    if gv is not None and has_nonzero(gv):
        k = xp.matmul(conj_transpose(v), gv)
        k = (k - conj_transpose(k)) * 0.5   # the skew-Hermitian projection
        e = xp.expand_dims(lam, axis=-2) - xp.expand_dims(lam, axis=-1)   # lam_j - lam_i
        e = xp.where(eye == 1, 1.0, e)
        inner = inner + (k / e) * (1 - eye)
    return xp.matmul(v, xp.matmul(inner, conj_transpose(v)))


@rule("linalg.eigh")
def eigh_vjp(ctx, gl, gv):
    return eigh_backward(gl, gv, ctx.output(0), ctx.output(1))


@rule("linalg.eigvalsh")
def eigvalsh_vjp(ctx, g, *, x):
    lam, v = la.eigh(x)
    return eigh_backward(g, None, lam, v)


def eig_backward(gl, gv, lam, v):
    """The gradient of ``A`` from those of its eigenvalues ``gl`` and (unit-norm)
    eigenvectors ``gv`` (None: not used)."""
    n = lam.shape[-1]
    eye = eye_like(n, v)
    vh = conj_transpose(v)
    inner = diag_embed(gl)
    if gv is not None and has_nonzero(gv):
        k = xp.matmul(vh, gv)
        # project onto the tangent space of unit-norm columns
        k = k - xp.matmul(vh, v * xp.expand_dims(xp.real(la.diagonal(k)), axis=-2))
        lc = xp.conj(lam)
        e = xp.expand_dims(lc, axis=-2) - xp.expand_dims(lc, axis=-1)
        e = xp.where(eye == 1, 1.0, e)
        inner = inner + (k / e) * (1 - eye)
    return la.solve(vh, xp.matmul(inner, vh))


@rule("linalg.eig")
def eig_vjp(ctx, gl, gv):
    return eig_backward(gl, gv, ctx.output(0), ctx.output(1))


@rule("linalg.eigvals")
def eigvals_vjp(ctx, g, *, x):
    lam, v = la.eig(x)
    return eig_backward(g, None, lam, v)


def svd_backward(gu, gs, gvh, u, s, vh):
    """PyTorch's svd_backward for the reduced SVD (distinct singular values when
    the loss depends on the singular vectors)."""
    has_u = gu is not None and has_nonzero(gu)
    has_v = gvh is not None and has_nonzero(gvh)
    if not has_u and not has_v:
        return xp.matmul(u, xp.expand_dims(gs, axis=-1) * vh)
    m, n = u.shape[-2], vh.shape[-1]
    k = s.shape[-1]
    eye = eye_like(k, s)
    s_row = xp.expand_dims(s, axis=-2)   # s_j at [i, j]
    s_col = xp.expand_dims(s, axis=-1)   # s_i at [i, j]
    s2 = s * s
    e = xp.expand_dims(s2, axis=-2) - xp.expand_dims(s2, axis=-1)   # s_j^2 - s_i^2
    e = xp.where(eye == 1, 1.0, e)
    inner = None
    if has_u:
        uhgu = xp.matmul(conj_transpose(u), gu)
        uhgu = uhgu - conj_transpose(uhgu)
        inner = uhgu * s_row
    if has_v:
        vhgv = xp.matmul(vh, conj_transpose(gvh))
        vhgv = vhgv - conj_transpose(vhgv)
        t = s_col * vhgv
        inner = t if inner is None else inner + t
    inner = (inner / e) * (1 - eye) + diag_embed(gs)
    if has_u and is_complex(u):
        # the phase of the singular vectors: i Im(diag(U^H gU)) / s
        inner = inner + diag_embed(la.diagonal(uhgu) / (2 * s))
    if m > n and has_u:
        ga = xp.matmul(u, inner)
        gus = gu / s_row
        ga = ga + gus - xp.matmul(u, xp.matmul(conj_transpose(u), gus))
        return xp.matmul(ga, vh)
    if m < n and has_v:
        ga = xp.matmul(inner, vh)
        gvs = conj_transpose(gvh) / s_row
        ga = ga + conj_transpose(gvs) - xp.matmul(xp.matmul(conj_transpose(gvs),
                                                            conj_transpose(vh)), vh)
        return xp.matmul(u, ga)
    return xp.matmul(u, xp.matmul(inner, vh))


@rule("linalg.svd")
def svd_vjp(ctx, gu, gs, gvh, *, full_matrices):
    u, s, vh = ctx.output(0), ctx.output(1), ctx.output(2)
    k = s.shape[-1]
    if full_matrices and (u.shape[-1] != k or vh.shape[-2] != k):
        if has_nonzero(gu[..., k:]) or has_nonzero(gvh[..., k:, :]):
            raise RuntimeError(
                "linalg.svd: with full_matrices=True the gradient is defined only when the "
                "loss does not depend on the singular vectors beyond the first min(M, N); "
                "use full_matrices=False")
        u, gu = u[..., :k], gu[..., :k]
        vh, gvh = vh[..., :k, :], gvh[..., :k, :]
    return svd_backward(gu, gs, gvh, u, s, vh)


@rule("linalg.svdvals")
def svdvals_vjp(ctx, g, *, x):
    u, s, vh = la.svd(x, full_matrices=False)
    return xp.matmul(u, xp.expand_dims(g, axis=-1) * vh)


def pinv_backward(g, p, a):
    """The gradient of P = pinv(A) (constant rank): -P^H G P^H
    + (I - A P) G^H P P^H + P^H P G^H (I - P A)."""
    ph = conj_transpose(p)
    gh = conj_transpose(g)
    t2 = xp.matmul(gh, xp.matmul(p, ph))
    t3 = xp.matmul(xp.matmul(ph, p), gh)
    return (-xp.matmul(ph, xp.matmul(g, ph)) + t2 - xp.matmul(a, xp.matmul(p, t2))
            + t3 - xp.matmul(xp.matmul(t3, p), a))


@rule("linalg.pinv")
def pinv_vjp(ctx, g, *, x):
    return {"x": pinv_backward(g, ctx.out, x)}


@rule("linalg.lstsq")
def lstsq_vjp(ctx, gsol, gres, grank, gs, *, x1, x2, rcond, needs):
    a, b = x1, x2
    sol, res = ctx.output(0), ctx.output(1)
    vec = b.ndim == 1
    b2 = xp.expand_dims(b, axis=-1) if vec else b
    x2d = xp.expand_dims(sol, axis=-1) if vec else sol
    g2 = xp.expand_dims(gsol, axis=-1) if vec else gsol
    p = la.pinv(a, rtol=None if rcond is None or rcond < 0 else float(rcond))
    ga = pinv_backward(xp.matmul(g2, conj_transpose(b2)), p, a)
    gb = xp.matmul(conj_transpose(p), g2)
    if res.shape[0] and has_nonzero(gres):
        # residuals ||b_k - A x_k||^2 (the residual is orthogonal to range(A))
        rr = (b2 - xp.matmul(a, x2d)) * (2 * gres)
        gb = gb + rr
        ga = ga - xp.matmul(rr, conj_transpose(x2d))
    if has_nonzero(gs):
        u, _, vh = la.svd(a, full_matrices=False)
        ga = ga + xp.matmul(u, xp.expand_dims(gs, axis=-1) * vh)
    return {"x1": ga if "x1" in needs else None,
            "x2": (gb[..., 0] if vec else gb) if "x2" in needs else None}


@rule("linalg.matrix_power")
def matrix_power_vjp(ctx, g, *, x, n):
    n = int(n)
    if n == 0:
        return xp.zeros_like(g)
    b = x if n > 0 else la.inv(x)
    k = abs(n)
    bh = conj_transpose(b)
    pw = [None, bh]  # pw[i] = (B^H)^i
    for _ in range(2, k):
        pw.append(xp.matmul(pw[-1], bh))
    total = None
    for i in range(k):
        t = g if i == 0 else xp.matmul(pw[i], g)
        if k - 1 - i:
            t = xp.matmul(t, pw[k - 1 - i])
        total = t if total is None else total + t
    if n < 0:  # through B = A^{-1}
        total = -xp.matmul(bh, xp.matmul(total, bh))
    return total


def _norm_grad(x, g, out, ordv, axes):
    """Gradient of the vector p-norm over ``axes`` (``g``, ``out`` with those axes
    kept, size one). PyTorch's norm_backward."""
    if ordv == 0:
        return xp.zeros_like(x) * g
    if ordv == 1:
        return g * complex_sign(x)
    if ordv == 2:
        return x * xp.where(out == 0, 0.0, g / xp.where(out == 0, 1.0, out))
    if math.isinf(ordv):
        ax = xp.abs(x)
        mask = ax == out
        count = xp.sum(mask, axis=axes, keepdims=True)
        return complex_sign(x) * xp.where(mask, g / count, 0.0)
    ax = xp.abs(x)
    scaled = complex_sign(x) * xp.pow(ax, ordv - 1)
    if ordv < 1:
        scaled = xp.where(x == 0, 0.0, scaled)
    return scaled * xp.where(out == 0, 0.0, g / xp.pow(xp.where(out == 0, 1.0, out), ordv - 1))


@rule("linalg.vector_norm")
def vector_norm_vjp(ctx, g, *, x, axis, keepdims, ord):
    nd = x.ndim
    axes = tuple(range(nd)) if axis is None else tuple(sorted(
        int(a) % nd for a in (axis if isinstance(axis, (tuple, list)) else (axis,))))
    keepdims = bool(keepdims)
    out = restore_reduced(ctx.out, axes, keepdims)
    g = restore_reduced(g, axes, keepdims)
    return _norm_grad(x, g, out, float(ord), axes)


@rule("linalg.matrix_norm")
def matrix_norm_vjp(ctx, g, *, x, keepdims, ord):
    keepdims = bool(keepdims)
    nd = x.ndim
    axes = (nd - 2, nd - 1)
    out = restore_reduced(ctx.out, axes, keepdims)
    g = restore_reduced(g, axes, keepdims)
    if ord == "fro":
        return _norm_grad(x, g, out, 2.0, axes)
    if ord == "nuc" or ord in (2, -2):
        u, s, vh = la.svd(x, full_matrices=False)
        if ord == "nuc":
            return g * xp.matmul(u, vh)
        i = 0 if ord == 2 else s.shape[-1] - 1
        return g * xp.matmul(u[..., i:i + 1], vh[..., i:i + 1, :])
    # 1 / -1: max / min absolute column sum; inf / -inf: rows
    over = -2 if ord in (1, -1) else -1
    sums = xp.sum(xp.abs(x), axis=over, keepdims=True)
    mask = sums == out
    count = xp.sum(mask, axis=-1 if over == -2 else -2, keepdims=True)
    return complex_sign(x) * xp.where(mask, g / count, 0.0)
