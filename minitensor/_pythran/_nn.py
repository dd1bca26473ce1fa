"""Kernels of ``minitensor.nn`` (Pythran source; also valid, slow, NumPy code).

Only ``minitensor/nn/_nn_kernels.py`` calls these. The glue checks every shape,
dtype, stride and size argument (Pythran checks nothing), makes the arrays
C-contiguous and native, and allocates ``out`` with NumPy (``np.empty``: the
kernels overwrite every element of ``out``). Every index a kernel computes is
bounds-checked against the array it reads or writes, so any (validated) geometry
is safe: positions that fall into the zero padding are skipped, never read.

Layouts (``NC`` = batch * channels, one image plane per row):

* ``im2col``:  x (NC, H, W) -> out (NC, kh*kw, Ho*Wo): the window element
  ``(i, j)`` of output position ``(ho, wo)`` is
  ``x[nc, ho*sh - ph + i*dh, wo*sw - pw + j*dw]`` (0 in the padding).
* ``col2im``: the adjoint of ``im2col`` (a scatter-add, which NumPy does badly):
  cols (NC, kh*kw, Ho*Wo) -> out (NC, H, W).
* ``maxpool2d``: x (NC, H, W) -> out, idx (NC, Ho, Wo); ``idx`` is the flat index
  ``y*W + x`` of the maximum in its plane (PyTorch's ``return_indices``); NaN
  wins, as in PyTorch. ``maxpool2d_backward`` scatters grad to ``idx``.
* ``gelu_erf`` / ``gelu_erf_backward``: exact GELU (``x * Phi(x)``). float64: the
  C library's ``erf`` (NumPy has no ``erf``); float32: a vectorisable ``erfc``
  (``ERFC_P``, relative error < 2e-6, absolute < 5e-7 on the result; scalar ``erf``
  calls do not vectorise: 8x slower).

Parallel loops are over planes (``nc``): each iteration writes only its own
plane of ``out``, and the glue guarantees ``out`` does not alias an input, so
the loops are free of races. Small inputs take the serial branch (OpenMP
regions are not free); serial and parallel paths compute identical values.
"""
import math

import numpy as np

PAR_MIN = 131072      # elements of work below which the serial path is used
BS = 16384            # elements per block of the elementwise kernels
INV_SQRT2 = 0.7071067811865476
INV_SQRT_2PI = 0.3989422804014327
GB = 1024             # elements per sub-block of the float32 GELU (scratch in L1)
# erfc(z) = t exp(P(t) - z^2), t = 1 / (1 + z/2), z >= 0: the Chebyshev fit of
# Numerical Recipes (Press et al., 6.2), fractional error < 1.2e-7 for every z >= 0;
# P's coefficients, degree 0 first
ERFC_P = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807,
          -1.13520398, 1.48851587, -0.82215223, 0.17087277)


# --------------------------------------------------------------------- im2col
def _qrange(xoff, sw, wo, w):
    """Output columns q in [q0, q1) whose input column xoff + q*sw is in [0, w)."""
    q0 = 0
    if xoff < 0:
        q0 = min(wo, (-xoff + sw - 1) // sw)
    q1 = wo
    if xoff + (wo - 1) * sw >= w:
        q1 = (w - 1 - xoff) // sw + 1 if w - 1 - xoff >= 0 else 0
    if q1 < q0:
        q1 = q0
    return q0, q1


def _im2col_plane(x, out, c, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo):
    # slice assignments (xsimd-vectorised copies): ~2-3x faster than scalar loops
    h = x.shape[1]
    w = x.shape[2]
    for i in range(kh):
        for j in range(kw):
            r = i * kw + j
            xoff = j * dw - pw
            q0, q1 = _qrange(xoff, sw, wo, w)
            for p in range(ho):
                y = p * sh - ph + i * dh
                base = p * wo
                if y < 0 or y >= h:
                    out[c, r, base:base + wo] = 0
                else:
                    if q0 > 0:
                        out[c, r, base:base + q0] = 0
                    if q1 > q0:
                        if sw == 1:
                            out[c, r, base + q0:base + q1] = x[c, y, xoff + q0:xoff + q1]
                        else:
                            out[c, r, base + q0:base + q1] = \
                                x[c, y, xoff + q0 * sw:xoff + (q1 - 1) * sw + 1:sw]
                    if q1 < wo:
                        out[c, r, base + q1:base + wo] = 0


#pythran export im2col(float64[:,:,:] order(C), int, int, int, int, int, int, int, int, int, int, float64[:,:,:] order(C), int)
#pythran export im2col(float32[:,:,:] order(C), int, int, int, int, int, int, int, int, int, int, float32[:,:,:] order(C), int)
def im2col(x, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out, nt):
    """out[c, i*kw + j, p*wo + q] = x[c, p*sh - ph + i*dh, q*sw - pw + j*dw] (0 outside x)"""
    nc = x.shape[0]
    if nt <= 1 or out.size < PAR_MIN:
        for c in range(nc):
            _im2col_plane(x, out, c, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)
    else:
        #omp parallel for num_threads(nt)
        for c in range(nc):
            _im2col_plane(x, out, c, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)


# ------------------------------------------------- im2col, channel-major layout
def _span(off, st, n, size):
    """Output positions [a, b) whose input index off + pos*st is in [0, size), and the
    input slice bounds (first, stop) for them."""
    a, b = _qrange(off, st, n, size)
    return a, b, off + a * st, off + (b - 1) * st + 1


def _im2col_cm_row(x, out, t, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo):
    # output row t = (c, r) for all images at once (3-D block copies): writes out[c, r] only
    k = kh * kw
    c = t // k
    r = t - c * k
    i = r // kw
    j = r - i * kw
    h = x.shape[2]
    w = x.shape[3]
    p0, p1, y0, y1 = _span(i * dh - ph, sh, ho, h)
    q0, q1, z0, z1 = _span(j * dw - pw, sw, wo, w)
    if p1 <= p0 or q1 <= q0:
        out[c, r, :, :, :] = 0
    else:
        if p0 > 0:
            out[c, r, :, :p0, :] = 0
        if p1 < ho:
            out[c, r, :, p1:, :] = 0
        if q0 > 0:
            out[c, r, :, p0:p1, :q0] = 0
        if q1 < wo:
            out[c, r, :, p0:p1, q1:] = 0
        if sh == 1 and sw == 1:
            out[c, r, :, p0:p1, q0:q1] = x[:, c, y0:y1, z0:z1]
        else:
            out[c, r, :, p0:p1, q0:q1] = x[:, c, y0:y1:sh, z0:z1:sw]


#pythran export im2col_cm(float64[:,:,:,:] order(C), int, int, int, int, int, int, int, int, int, int, float64[:,:,:,:,:] order(C), int)
#pythran export im2col_cm(float32[:,:,:,:] order(C), int, int, int, int, int, int, int, int, int, int, float32[:,:,:,:,:] order(C), int)
def im2col_cm(x, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out, nt):
    """x (N, C, H, W) -> out (C, kh*kw, N, Ho, Wo):
    out[c, i*kw + j, n, p, q] = x[n, c, p*sh - ph + i*dh, q*sw - pw + j*dw] (0 outside x)"""
    m = x.shape[1] * kh * kw
    if nt <= 1 or out.size < PAR_MIN:
        for t in range(m):
            _im2col_cm_row(x, out, t, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)
    else:
        #omp parallel for num_threads(nt)
        for t in range(m):
            _im2col_cm_row(x, out, t, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)


# --------------------------------------------------------------------- col2im
def _col2im_plane(cols, out, c, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo):
    h = out.shape[1]
    w = out.shape[2]
    out[c, :, :] = 0
    for i in range(kh):
        for j in range(kw):
            r = i * kw + j
            xoff = j * dw - pw
            q0, q1 = _qrange(xoff, sw, wo, w)
            if q1 > q0:
                for p in range(ho):
                    y = p * sh - ph + i * dh
                    if y >= 0 and y < h:
                        base = p * wo
                        if sw == 1:
                            out[c, y, xoff + q0:xoff + q1] += cols[c, r, base + q0:base + q1]
                        else:
                            out[c, y, xoff + q0 * sw:xoff + (q1 - 1) * sw + 1:sw] += \
                                cols[c, r, base + q0:base + q1]


#pythran export col2im(float64[:,:,:] order(C), int, int, int, int, int, int, int, int, int, int, float64[:,:,:] order(C), int)
#pythran export col2im(float32[:,:,:] order(C), int, int, int, int, int, int, int, int, int, int, float32[:,:,:] order(C), int)
def col2im(cols, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out, nt):
    """out[c, y, z] = sum of cols[c, i*kw + j, p*wo + q] over the window elements that read x[c, y, z]"""
    nc = out.shape[0]
    if nt <= 1 or cols.size < PAR_MIN:
        for c in range(nc):
            _col2im_plane(cols, out, c, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)
    else:
        #omp parallel for num_threads(nt)
        for c in range(nc):
            _col2im_plane(cols, out, c, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)


# ------------------------------------------------- col2im, channel-major layout
def _col2im_cm_chan(cols, out, c, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo):
    # channel c of every image (3-D block adds): writes out[:, c] only, reads cols[c]
    h = out.shape[2]
    w = out.shape[3]
    out[:, c, :, :] = 0
    for i in range(kh):
        p0, p1, y0, y1 = _span(i * dh - ph, sh, ho, h)
        if p1 > p0:
            for j in range(kw):
                q0, q1, z0, z1 = _span(j * dw - pw, sw, wo, w)
                if q1 > q0:
                    r = i * kw + j
                    if sh == 1 and sw == 1:
                        out[:, c, y0:y1, z0:z1] += cols[c, r, :, p0:p1, q0:q1]
                    else:
                        out[:, c, y0:y1:sh, z0:z1:sw] += cols[c, r, :, p0:p1, q0:q1]


#pythran export col2im_cm(float64[:,:,:,:,:] order(C), int, int, int, int, int, int, int, int, int, int, float64[:,:,:,:] order(C), int)
#pythran export col2im_cm(float32[:,:,:,:,:] order(C), int, int, int, int, int, int, int, int, int, int, float32[:,:,:,:] order(C), int)
def col2im_cm(cols, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, out, nt):
    """Adjoint of ``im2col_cm``: cols (C, kh*kw, N, Ho, Wo) -> out (N, C, H, W)"""
    m = out.shape[1]
    if nt <= 1 or cols.size < PAR_MIN:
        for c in range(m):
            _col2im_cm_chan(cols, out, c, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)
    else:
        #omp parallel for num_threads(nt)
        for c in range(m):
            _col2im_cm_chan(cols, out, c, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)


# ------------------------------------------------------------------ max pool
def _maxpool_planes(x, idx, out, kh, kw, sh, sw, ph, pw, dh, dw):
    # every plane of x, idx, out: the caller passes each thread's block of planes as
    # slices (the former OpenMP loop over single planes of the whole arrays compiled
    # to code 1.3-4.5x slower than the serial loop's, 2026-12-07)
    h = x.shape[1]
    w = x.shape[2]
    ho = out.shape[1]
    wo = out.shape[2]
    n = kh * kw
    for c in range(x.shape[0]):
        for p in range(ho):
            y0 = p * sh - ph
            yin = y0 >= 0 and y0 + (kh - 1) * dh < h
            for q in range(wo):
                z0 = q * sw - pw
                # typed as the input (a float64 accumulator slows the float32 loop)
                best = x.dtype.type(-np.inf)
                bi = -1
                nanf = False
                if yin and z0 >= 0 and z0 + (kw - 1) * dw < w:
                    # window inside the plane: no bounds checks; selects, not
                    # branches, on the (unpredictable) comparison
                    best = x[c, y0, z0]
                    bk = 0
                    nanf = best != best
                    for k in range(1, n):
                        i = k // kw
                        v = x[c, y0 + i * dh, z0 + (k - i * kw) * dw]
                        gt = v > best
                        bk = k if gt else bk
                        best = v if gt else best
                        nanf = nanf | (v != v)
                    i = bk // kw
                    bi = (y0 + i * dh) * w + z0 + (bk - i * kw) * dw
                else:
                    for i in range(kh):
                        y = y0 + i * dh
                        if y >= 0 and y < h:
                            for j in range(kw):
                                z = z0 + j * dw
                                if z >= 0 and z < w:
                                    v = x[c, y, z]
                                    gt = (v > best) | (bi < 0)
                                    bi = y * w + z if gt else bi
                                    best = v if gt else best
                                    nanf = nanf | (v != v)
                if nanf:
                    # PyTorch's rule: NaN wins (the last NaN of the window)
                    for i in range(kh):
                        y = y0 + i * dh
                        if y >= 0 and y < h:
                            for j in range(kw):
                                z = z0 + j * dw
                                if z >= 0 and z < w:
                                    v = x[c, y, z]
                                    if v != v:
                                        best = v
                                        bi = y * w + z
                if bi < 0:
                    # no input element in the window (the glue's output size rules
                    # exclude this; kept safe anyway)
                    out[c, p, q] = -np.inf
                    idx[c, p, q] = 0
                else:
                    out[c, p, q] = best
                    idx[c, p, q] = bi


def _maxpool22_planes(x, idx, out):
    # PyTorch's update rule, in window order: take v if v > best or v is NaN
    w = x.shape[2]
    ho = out.shape[1]
    wo = out.shape[2]
    for c in range(x.shape[0]):
        for p in range(ho):
            y = 2 * p
            for q in range(wo):
                z = 2 * q
                best = x[c, y, z]
                bi = y * w + z
                v = x[c, y, z + 1]
                gt = (v > best) | (v != v)
                bi = y * w + z + 1 if gt else bi
                best = v if gt else best
                v = x[c, y + 1, z]
                gt = (v > best) | (v != v)
                bi = (y + 1) * w + z if gt else bi
                best = v if gt else best
                v = x[c, y + 1, z + 1]
                gt = (v > best) | (v != v)
                bi = (y + 1) * w + z + 1 if gt else bi
                best = v if gt else best
                out[c, p, q] = best
                idx[c, p, q] = bi


#pythran export maxpool2d(float64[:,:,:] order(C), int, int, int, int, int, int, int, int, int64[:,:,:] order(C), float64[:,:,:] order(C), int)
#pythran export maxpool2d(float32[:,:,:] order(C), int, int, int, int, int, int, int, int, int64[:,:,:] order(C), float32[:,:,:] order(C), int)
#pythran export maxpool2d(float64[:,:,:] order(C), int, int, int, int, int, int, int, int, int32[:,:,:] order(C), float64[:,:,:] order(C), int)
#pythran export maxpool2d(float32[:,:,:] order(C), int, int, int, int, int, int, int, int, int32[:,:,:] order(C), float32[:,:,:] order(C), int)
def maxpool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, idx, out, nt):
    """out[c, p, q] = max over the window of (p, q) (padding excluded); idx its flat index in the plane"""
    nc = x.shape[0]
    fast = (kh == 2 and kw == 2 and sh == 2 and sw == 2 and ph == 0 and pw == 0 and dh == 1
            and dw == 1 and 2 * out.shape[1] <= x.shape[1] and 2 * out.shape[2] <= x.shape[2])
    # one contiguous block of planes per thread, passed as slices (see _maxpool_planes)
    nb = 1 if nt <= 1 or out.size * kh * kw < PAR_MIN else min(nt, nc)
    if nb <= 1:
        if fast:
            # the common 2x2/2 pool, every window inside the plane
            _maxpool22_planes(x[0:nc], idx[0:nc], out[0:nc])
        else:
            _maxpool_planes(x[0:nc], idx[0:nc], out[0:nc], kh, kw, sh, sw, ph, pw, dh, dw)
    else:
        #omp parallel for num_threads(nb) schedule(static)
        for t in range(nb):
            c0 = t * nc // nb
            c1 = (t + 1) * nc // nb
            if fast:
                _maxpool22_planes(x[c0:c1], idx[c0:c1], out[c0:c1])
            else:
                _maxpool_planes(x[c0:c1], idx[c0:c1], out[c0:c1], kh, kw, sh, sw, ph, pw, dh, dw)


def _maxpool_backward_planes(grad, idx, out):
    # every plane (row) of the given slices: out[c] = 0, then the scatter-add
    m = out.shape[1]
    for c in range(out.shape[0]):
        out[c, :] = 0
        for k in range(grad.shape[1]):
            t = int(idx[c, k])   # (a slice's element access needs one index type)
            if t >= 0 and t < m:
                out[c, t] += grad[c, k]


#pythran export maxpool2d_backward(float64[:,:] order(C), int64[:,:] order(C), float64[:,:] order(C), int)
#pythran export maxpool2d_backward(float32[:,:] order(C), int64[:,:] order(C), float32[:,:] order(C), int)
#pythran export maxpool2d_backward(float64[:,:] order(C), int32[:,:] order(C), float64[:,:] order(C), int)
#pythran export maxpool2d_backward(float32[:,:] order(C), int32[:,:] order(C), float32[:,:] order(C), int)
def maxpool2d_backward(grad, idx, out, nt):
    """out[c, :] = 0; out[c, idx[c, k]] += grad[c, k]  (grad, idx: (NC, Ho*Wo); out: (NC, H*W))"""
    nc = out.shape[0]
    nb = 1 if nt <= 1 or out.size + grad.size < PAR_MIN else min(nt, nc)
    if nb <= 1:
        _maxpool_backward_planes(grad[0:nc], idx[0:nc], out[0:nc])
    else:
        # one contiguous block of planes per thread (each writes its own rows of out)
        #omp parallel for num_threads(nb) schedule(static)
        for t in range(nb):
            c0 = t * nc // nb
            c1 = (t + 1) * nc // nb
            _maxpool_backward_planes(grad[c0:c1], idx[c0:c1], out[c0:c1])


# ------------------------------------------------------- batch norm (training)
# Two loop orders: rows of L >= BN_ROW_MIN elements per channel, as slice expressions
# (xsimd); shorter rows (BatchNorm1d on (N, C): L = 1; small feature maps) batch-outer:
# per image one contiguous run over all (or a thread's block of) channels, scalar
# loops gcc vectorises (per-channel slice expressions on short rows cost more than
# their arithmetic: (32, 32, 16) float32 took 65 us, now ~5 us). Sums in float64.
BN_ROW_MIN = 128


def _bn_fwd_chan(x, w, b, eps, xhat, y, mean, var, c):
    n = x.shape[0]
    m = n * x.shape[2]
    s = 0.0
    for i in range(n):
        s += np.sum(x[i, c, :])
    mu = s / m
    ss = 0.0
    for i in range(n):
        d = x[i, c, :] - x.dtype.type(mu)
        ss += np.sum(d * d)
    v = ss / m
    inv = 1.0 / np.sqrt(v + eps)
    mean[c] = mu
    var[c] = v
    mu_t = x.dtype.type(mu)
    inv_t = x.dtype.type(inv)
    w_t = w[c]
    b_t = b[c]
    for i in range(n):
        xhat[i, c, :] = (x[i, c, :] - mu_t) * inv_t
        y[i, c, :] = xhat[i, c, :] * w_t + b_t


def _bn_fwd_cols(xf, w, b, eps, xhf, yf, mean, var, n, nc, L, c0, c1):
    # channels [c0, c1) of x, xhat, y flat (N*C*L), batch-outer: per image one
    # contiguous run of (c1 - c0) * L elements (vectorised over it); float64 sums
    cl = nc * L
    j0 = c0 * L
    nj = (c1 - c0) * L
    m = n * L
    acc = np.zeros(nj)
    for i in range(n):
        xr = xf[i * cl + j0:i * cl + j0 + nj]
        for j in range(nj):
            acc[j] += xr[j]
    mu_r = np.empty(nj, xf.dtype)
    for c in range(c0, c1):
        mu = np.sum(acc[(c - c0) * L:(c - c0 + 1) * L]) / m
        mean[c] = mu
        mu_r[(c - c0) * L:(c - c0 + 1) * L] = xf.dtype.type(mu)
    acc[:] = 0
    for i in range(n):
        xr = xf[i * cl + j0:i * cl + j0 + nj]
        for j in range(nj):
            d = xr[j] - mu_r[j]
            acc[j] += d * d
    inv_r = np.empty(nj, xf.dtype)
    w_r = np.empty(nj, xf.dtype)
    b_r = np.empty(nj, xf.dtype)
    for c in range(c0, c1):
        v = np.sum(acc[(c - c0) * L:(c - c0 + 1) * L]) / m
        var[c] = v
        inv_r[(c - c0) * L:(c - c0 + 1) * L] = xf.dtype.type(1.0 / np.sqrt(v + eps))
        w_r[(c - c0) * L:(c - c0 + 1) * L] = w[c]
        b_r[(c - c0) * L:(c - c0 + 1) * L] = b[c]
    for i in range(n):
        xr = xf[i * cl + j0:i * cl + j0 + nj]
        xhr = xhf[i * cl + j0:i * cl + j0 + nj]
        yr = yf[i * cl + j0:i * cl + j0 + nj]
        # (two loops: one with 7 arrays exceeds gcc's alias checks and stays scalar)
        for j in range(nj):
            xhr[j] = (xr[j] - mu_r[j]) * inv_r[j]
        for j in range(nj):
            yr[j] = xhr[j] * w_r[j] + b_r[j]


#pythran export bn_forward(float64[:,:,:] order(C), float64[:], float64[:], float, float64[:,:,:] order(C), float64[:,:,:] order(C), float64[:], float64[:], int)
#pythran export bn_forward(float32[:,:,:] order(C), float32[:], float32[:], float, float32[:,:,:] order(C), float32[:,:,:] order(C), float64[:], float64[:], int)
def bn_forward(x, w, b, eps, xhat, y, mean, var, nt):
    """Training-mode batch norm of x (N, C, L) over axes (0, 2): per channel the mean and
    biased variance (float64 sums), xhat = (x - mean) / sqrt(var + eps), y = xhat * w + b"""
    n = x.shape[0]
    nc = x.shape[1]
    L = x.shape[2]
    if L < BN_ROW_MIN:
        xf = x.reshape(-1)
        xhf = xhat.reshape(-1)
        yf = y.reshape(-1)
        if nt <= 1 or x.size < PAR_MIN or nc < 2:
            _bn_fwd_cols(xf, w, b, eps, xhf, yf, mean, var, n, nc, L, 0, nc)
        else:
            # nq channel blocks (each thread writes its own channels)
            nq = min(nt, nc)
            #omp parallel for num_threads(nt)
            for q in range(nq):
                _bn_fwd_cols(xf, w, b, eps, xhf, yf, mean, var, n, nc, L, q * nc // nq,
                             (q + 1) * nc // nq)
    elif nt <= 1 or x.size < PAR_MIN:
        for c in range(nc):
            _bn_fwd_chan(x, w, b, eps, xhat, y, mean, var, c)
    else:
        #omp parallel for num_threads(nt)
        for c in range(nc):
            _bn_fwd_chan(x, w, b, eps, xhat, y, mean, var, c)


def _bn_bwd_chan(g, xhat, k, gx, gsum, gdot, need_gx, c):
    n = g.shape[0]
    m = n * g.shape[2]
    s = 0.0
    sd = 0.0
    for i in range(n):
        s += np.sum(g[i, c, :])
        sd += np.sum(g[i, c, :] * xhat[i, c, :])
    gsum[c] = s
    gdot[c] = sd
    if need_gx:
        kc = g.dtype.type(k[c])
        a = g.dtype.type(s / m)
        bb = g.dtype.type(sd / m)
        for i in range(n):
            gx[i, c, :] = kc * (g[i, c, :] - a - xhat[i, c, :] * bb)


def _bn_bwd_cols(gf, xhf, k, gxf, gsum, gdot, need_gx, n, nc, L, c0, c1):
    # as _bn_fwd_cols: channels [c0, c1), batch-outer runs, float64 sums
    cl = nc * L
    j0 = c0 * L
    nj = (c1 - c0) * L
    m = n * L
    acc = np.zeros(nj)
    acc2 = np.zeros(nj)
    for i in range(n):
        gr = gf[i * cl + j0:i * cl + j0 + nj]
        xhr = xhf[i * cl + j0:i * cl + j0 + nj]
        for j in range(nj):
            gv = gr[j]
            acc[j] += gv
            acc2[j] += gv * xhr[j]
    k_r = np.empty(nj, gf.dtype)
    a_r = np.empty(nj, gf.dtype)
    b_r = np.empty(nj, gf.dtype)
    for c in range(c0, c1):
        s = np.sum(acc[(c - c0) * L:(c - c0 + 1) * L])
        sd = np.sum(acc2[(c - c0) * L:(c - c0 + 1) * L])
        gsum[c] = s
        gdot[c] = sd
        k_r[(c - c0) * L:(c - c0 + 1) * L] = gf.dtype.type(k[c])
        a_r[(c - c0) * L:(c - c0 + 1) * L] = gf.dtype.type(s / m)
        b_r[(c - c0) * L:(c - c0 + 1) * L] = gf.dtype.type(sd / m)
    if need_gx:
        for i in range(n):
            gr = gf[i * cl + j0:i * cl + j0 + nj]
            xhr = xhf[i * cl + j0:i * cl + j0 + nj]
            gxr = gxf[i * cl + j0:i * cl + j0 + nj]
            for j in range(nj):
                gxr[j] = k_r[j] * (gr[j] - a_r[j] - xhr[j] * b_r[j])


#pythran export bn_backward(float64[:,:,:] order(C), float64[:,:,:] order(C), float64[:], float64[:,:,:] order(C), float64[:], float64[:], bool, int)
#pythran export bn_backward(float32[:,:,:] order(C), float32[:,:,:] order(C), float64[:], float32[:,:,:] order(C), float64[:], float64[:], bool, int)
def bn_backward(g, xhat, k, gx, gsum, gdot, need_gx, nt):
    """Backward of ``bn_forward``: gsum = sum(g), gdot = sum(g * xhat) per channel and (if
    need_gx) gx = k * (g - gsum/m - xhat * gdot/m), k = w / sqrt(var + eps)"""
    n = g.shape[0]
    nc = g.shape[1]
    L = g.shape[2]
    if L < BN_ROW_MIN:
        gf = g.reshape(-1)
        xhf = xhat.reshape(-1)
        gxf = gx.reshape(-1)   # (0, C, 0) when not need_gx: then never indexed
        if nt <= 1 or g.size < PAR_MIN or nc < 2:
            _bn_bwd_cols(gf, xhf, k, gxf, gsum, gdot, need_gx, n, nc, L, 0, nc)
        else:
            nq = min(nt, nc)
            #omp parallel for num_threads(nt)
            for q in range(nq):
                _bn_bwd_cols(gf, xhf, k, gxf, gsum, gdot, need_gx, n, nc, L, q * nc // nq,
                             (q + 1) * nc // nq)
    elif nt <= 1 or g.size < PAR_MIN:
        for c in range(nc):
            _bn_bwd_chan(g, xhat, k, gx, gsum, gdot, need_gx, c)
    else:
        #omp parallel for num_threads(nt)
        for c in range(nc):
            _bn_bwd_chan(g, xhat, k, gx, gsum, gdot, need_gx, c)


# ------------------------------------------------------------------ exact GELU
# float32: per sub-block, scalar loops that gcc vectorises (float32 constants and
# np.reciprocal: Pythran's scalar ``/`` computes in double) around NumPy-style exp
# passes (xsimd). Phi(-|v|) = erfc(|v|/sqrt(2))/2 keeps the relative accuracy of the
# negative tail; the selects are arithmetic (a branch stops the vectorisation).
def _erfc_arg32(x, tb, eb):
    # tb[k] = t, eb[k] = P(t) - z^2 with z = |x[k]| / sqrt(2), for k < len(x)
    c0 = x.dtype.type(ERFC_P[0])
    c1 = x.dtype.type(ERFC_P[1])
    c2 = x.dtype.type(ERFC_P[2])
    c3 = x.dtype.type(ERFC_P[3])
    c4 = x.dtype.type(ERFC_P[4])
    c5 = x.dtype.type(ERFC_P[5])
    c6 = x.dtype.type(ERFC_P[6])
    c7 = x.dtype.type(ERFC_P[7])
    c8 = x.dtype.type(ERFC_P[8])
    c9 = x.dtype.type(ERFC_P[9])
    r2 = x.dtype.type(INV_SQRT2)
    half = x.dtype.type(0.5)
    one = x.dtype.type(1)
    for k in range(x.shape[0]):
        z = abs(x[k]) * r2
        t = np.reciprocal(one + half * z)
        tb[k] = t
        eb[k] = (c0 + t * (c1 + t * (c2 + t * (c3 + t * (c4 + t * (c5 + t * (c6 + t * (
            c7 + t * (c8 + t * c9))))))))) - z * z


def _gelu_erf32_blk(x, out, s, e):
    half = x.dtype.type(0.5)
    one = x.dtype.type(1)
    tb = np.empty(GB, x.dtype)
    eb = np.empty(GB, x.dtype)
    for s2 in range(s, e, GB):
        e2 = min(e, s2 + GB)
        m = e2 - s2
        xs = x[s2:e2]
        os = out[s2:e2]
        _erfc_arg32(xs, tb, eb)
        eb[:m] = np.exp(eb[:m])
        for k in range(m):
            v = xs[k]
            h = half * tb[k] * eb[k]                    # Phi(-|v|)
            os[k] = v * (h + (v >= 0) * (one - 2 * h))


def _gelu_erf_blk(x, out, s, e):
    if x.itemsize == 4:
        _gelu_erf32_blk(x, out, s, e)
        return
    for k in range(s, e):
        v = x[k]
        out[k] = 0.5 * v * (1.0 + math.erf(v * INV_SQRT2))


#pythran export gelu_erf(float64[:], float64[:], int)
#pythran export gelu_erf(float32[:], float32[:], int)
def gelu_erf(x, out, nt):
    """out = x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2)))"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN // 4:
        for b in range(nb):
            _gelu_erf_blk(x, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _gelu_erf_blk(x, out, b * BS, min(n, (b + 1) * BS))


def _gelu_erf_backward32_blk(x, grad, out, s, e):
    half = x.dtype.type(0.5)
    one = x.dtype.type(1)
    c = x.dtype.type(INV_SQRT_2PI)
    tb = np.empty(GB, x.dtype)
    eb = np.empty(GB, x.dtype)
    pb = np.empty(GB, x.dtype)
    for s2 in range(s, e, GB):
        e2 = min(e, s2 + GB)
        m = e2 - s2
        xs = x[s2:e2]
        gs = grad[s2:e2]
        os = out[s2:e2]
        _erfc_arg32(xs, tb, eb)
        for k in range(m):
            v = xs[k]
            pb[k] = -half * v * v
        eb[:m] = np.exp(eb[:m])
        pb[:m] = np.exp(pb[:m])
        for k in range(m):
            v = xs[k]
            h = half * tb[k] * eb[k]                    # Phi(-|v|)
            os[k] = gs[k] * (h + (v >= 0) * (one - 2 * h) + v * c * pb[k])


def _gelu_erf_backward_blk(x, grad, out, s, e):
    if x.itemsize == 4:
        _gelu_erf_backward32_blk(x, grad, out, s, e)
        return
    for k in range(s, e):
        v = x[k]
        cdf = 0.5 * (1.0 + math.erf(v * INV_SQRT2))
        pdf = INV_SQRT_2PI * math.exp(-0.5 * v * v)
        out[k] = grad[k] * (cdf + v * pdf)


#pythran export gelu_erf_backward(float64[:], float64[:], float64[:], int)
#pythran export gelu_erf_backward(float32[:], float32[:], float32[:], int)
def gelu_erf_backward(x, grad, out, nt):
    """out = grad * (Phi(x) + x * phi(x))"""
    n = x.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN // 4:
        for b in range(nb):
            _gelu_erf_backward_blk(x, grad, out, b * BS, min(n, (b + 1) * BS))
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _gelu_erf_backward_blk(x, grad, out, b * BS, min(n, (b + 1) * BS))


# ------------------------------------------------------------------ LSTM cell gates
# One step of an LSTM on n rows (gates i, f, g, o side by side in (n, 4H)); small
# per-step arrays (a recurrent step is sequential), so the kernels are serial.
#pythran export lstm_gates(float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C))
#pythran export lstm_gates(float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C))
def lstm_gates(gates, c, acts, tc, h):
    """acts = (sigmoid, sigmoid, tanh, sigmoid)(gates); c = f c + i g (in place);
    tc = tanh(c); h = o tc."""
    # Whole-array expressions (xsimd: exp/tanh in the arrays' dtype); the former scalar
    # loop called the C library's exp/tanh in double per element: 5-10x slower.
    # (np.reciprocal: a scalar numerator over a deeper expression does not vectorise.)
    hs = c.shape[1]
    acts[:, :2 * hs] = np.reciprocal(1 + np.exp(-gates[:, :2 * hs]))
    acts[:, 2 * hs:3 * hs] = np.tanh(gates[:, 2 * hs:3 * hs])
    acts[:, 3 * hs:] = np.reciprocal(1 + np.exp(-gates[:, 3 * hs:]))
    c[:, :] = acts[:, hs:2 * hs] * c + acts[:, :hs] * acts[:, 2 * hs:3 * hs]
    tc[:, :] = np.tanh(c)
    h[:, :] = acts[:, 3 * hs:] * tc


#pythran export lstm_gates_backward(float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C))
#pythran export lstm_gates_backward(float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C))
def lstm_gates_backward(dh, dc, acts, tc, cprev, dg):
    """From dh, dc (gradients of h', c'): dg = the gates' pre-activation
    gradients; dc = the gradient of c (in place)."""
    n = dh.shape[0]
    hs = dh.shape[1]
    for r in range(n):
        for j in range(hs):
            i = acts[r, j]
            f = acts[r, hs + j]
            g = acts[r, 2 * hs + j]
            o = acts[r, 3 * hs + j]
            t = tc[r, j]
            d = dh[r, j]
            dcv = dc[r, j] + d * o * (1.0 - t * t)
            dg[r, j] = dcv * g * i * (1.0 - i)
            dg[r, hs + j] = dcv * cprev[r, j] * f * (1.0 - f)
            dg[r, 2 * hs + j] = dcv * i * (1.0 - g * g)
            dg[r, 3 * hs + j] = d * t * o * (1.0 - o)
            dc[r, j] = dcv * f
