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
* ``gelu_erf`` / ``gelu_erf_backward``: exact GELU (``x * Phi(x)``) with the C
  library's ``erf`` (NumPy has no ``erf``).

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
def _maxpool_plane(x, idx, out, c, kh, kw, sh, sw, ph, pw, dh, dw):
    h = x.shape[1]
    w = x.shape[2]
    ho = out.shape[1]
    wo = out.shape[2]
    n = kh * kw
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


def _maxpool22_plane(x, idx, out, c):
    # PyTorch's update rule, in window order: take v if v > best or v is NaN
    w = x.shape[2]
    ho = out.shape[1]
    wo = out.shape[2]
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
    if (kh == 2 and kw == 2 and sh == 2 and sw == 2 and ph == 0 and pw == 0 and dh == 1
            and dw == 1 and 2 * out.shape[1] <= x.shape[1] and 2 * out.shape[2] <= x.shape[2]):
        # the common 2x2/2 pool, every window inside the plane
        if nt <= 1 or out.size * 4 < PAR_MIN:
            for c in range(nc):
                _maxpool22_plane(x, idx, out, c)
        else:
            #omp parallel for num_threads(nt)
            for c in range(nc):
                _maxpool22_plane(x, idx, out, c)
    elif nt <= 1 or out.size * kh * kw < PAR_MIN:
        for c in range(nc):
            _maxpool_plane(x, idx, out, c, kh, kw, sh, sw, ph, pw, dh, dw)
    else:
        #omp parallel for num_threads(nt)
        for c in range(nc):
            _maxpool_plane(x, idx, out, c, kh, kw, sh, sw, ph, pw, dh, dw)


def _maxpool_backward_plane(grad, idx, out, c):
    m = out.shape[1]
    out[c, :] = 0
    for k in range(grad.shape[1]):
        t = idx[c, k]
        if t >= 0 and t < m:
            out[c, t] += grad[c, k]


#pythran export maxpool2d_backward(float64[:,:] order(C), int64[:,:] order(C), float64[:,:] order(C), int)
#pythran export maxpool2d_backward(float32[:,:] order(C), int64[:,:] order(C), float32[:,:] order(C), int)
#pythran export maxpool2d_backward(float64[:,:] order(C), int32[:,:] order(C), float64[:,:] order(C), int)
#pythran export maxpool2d_backward(float32[:,:] order(C), int32[:,:] order(C), float32[:,:] order(C), int)
def maxpool2d_backward(grad, idx, out, nt):
    """out[c, :] = 0; out[c, idx[c, k]] += grad[c, k]  (grad, idx: (NC, Ho*Wo); out: (NC, H*W))"""
    nc = out.shape[0]
    if nt <= 1 or out.size + grad.size < PAR_MIN:
        for c in range(nc):
            _maxpool_backward_plane(grad, idx, out, c)
    else:
        #omp parallel for num_threads(nt)
        for c in range(nc):
            _maxpool_backward_plane(grad, idx, out, c)


# ------------------------------------------------------- batch norm (training)
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


#pythran export bn_forward(float64[:,:,:] order(C), float64[:], float64[:], float, float64[:,:,:] order(C), float64[:,:,:] order(C), float64[:], float64[:], int)
#pythran export bn_forward(float32[:,:,:] order(C), float32[:], float32[:], float, float32[:,:,:] order(C), float32[:,:,:] order(C), float64[:], float64[:], int)
def bn_forward(x, w, b, eps, xhat, y, mean, var, nt):
    """Training-mode batch norm of x (N, C, L) over axes (0, 2): per channel the mean and
    biased variance (float64 sums), xhat = (x - mean) / sqrt(var + eps), y = xhat * w + b"""
    nc = x.shape[1]
    if nt <= 1 or x.size < PAR_MIN:
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


#pythran export bn_backward(float64[:,:,:] order(C), float64[:,:,:] order(C), float64[:], float64[:,:,:] order(C), float64[:], float64[:], bool, int)
#pythran export bn_backward(float32[:,:,:] order(C), float32[:,:,:] order(C), float64[:], float32[:,:,:] order(C), float64[:], float64[:], bool, int)
def bn_backward(g, xhat, k, gx, gsum, gdot, need_gx, nt):
    """Backward of ``bn_forward``: gsum = sum(g), gdot = sum(g * xhat) per channel and (if
    need_gx) gx = k * (g - gsum/m - xhat * gdot/m), k = w / sqrt(var + eps)"""
    nc = g.shape[1]
    if nt <= 1 or g.size < PAR_MIN:
        for c in range(nc):
            _bn_bwd_chan(g, xhat, k, gx, gsum, gdot, need_gx, c)
    else:
        #omp parallel for num_threads(nt)
        for c in range(nc):
            _bn_bwd_chan(g, xhat, k, gx, gsum, gdot, need_gx, c)


# ------------------------------------------------------------------ exact GELU
def _gelu_erf_blk(x, out, s, e):
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


def _gelu_erf_backward_blk(x, grad, out, s, e):
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
# per-step arrays (a recurrent step is sequential), so the loops are serial.
#pythran export lstm_gates(float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C), float64[:,:] order(C))
#pythran export lstm_gates(float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C), float32[:,:] order(C))
def lstm_gates(gates, c, acts, tc, h):
    """acts = (sigmoid, sigmoid, tanh, sigmoid)(gates); c = f c + i g (in place);
    tc = tanh(c); h = o tc."""
    n = c.shape[0]
    hs = c.shape[1]
    for r in range(n):
        for j in range(hs):
            i = 1.0 / (1.0 + math.exp(-gates[r, j]))
            f = 1.0 / (1.0 + math.exp(-gates[r, hs + j]))
            g = math.tanh(gates[r, 2 * hs + j])
            o = 1.0 / (1.0 + math.exp(-gates[r, 3 * hs + j]))
            acts[r, j] = i
            acts[r, hs + j] = f
            acts[r, 2 * hs + j] = g
            acts[r, 3 * hs + j] = o
            cv = f * c[r, j] + i * g
            c[r, j] = cv
            t = math.tanh(cv)
            tc[r, j] = t
            h[r, j] = o * t


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
