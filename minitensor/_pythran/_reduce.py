"""Sum kernels (Pythran source; also valid NumPy code).

Only ``minitensor/_kernels.py`` calls these: inputs are C-contiguous with native
byte order and the caller allocates ``out`` (same dtype as ``x``).

Accuracy. A segment of at most ``SEG`` elements is summed in groups of
``G = W * R`` elements: each of the ``W`` lanes adds ``R`` = 16 values of the group
in the input dtype by a pairwise tree (NumPy's pairwise sum adds 16 values per
accumulator at its base level, one after the other), then the lane results are
accumulated in float64 and combined pairwise. Shorter slices (short
rows) use NumPy-sized blocks (see ``_seg_sum``). Segment partial sums (float64)
are added in a fixed order. On large arrays the result is at least as accurate
as NumPy's pairwise sum; for float32 it is close to the float64 sum rounded once.

Speed. The 16-term sums are written out as scalar expressions over constant
offsets (never slices in the inner loop) so that the C++ compiler vectorises them
with the lane sums in registers, and the group is read in order: a lane is one of
8 consecutive elements of a 128-element block (``sum_all``/``sum_rows``), or a
column of 16 rows (``sum_cols``). The former inner loop ``acc += x[row]`` loaded
and stored its ``W``-lane accumulator once per row (about half of torch's speed).

Determinism. The decomposition into segments and groups depends only on the
shape, never on the thread count, so ``nt = 1`` and ``nt > 1`` give bit-identical
results.
"""
import numpy as np

W = 256             # lanes of a group (a power of 2)
R = 16              # rows of a group (values added per lane in the input dtype)
G = W * R           # elements of a group (4096)
SEG = 16 * G        # elements of a segment (65536): one parallel task
SMALL = 256         # slices up to this length: one vectorised np.sum in the input dtype
MB = 256            # slices shorter than G: np.sum of MB-element blocks, added in float64
PAR_MIN = 1048576   # elements below which the serial path is used (memory-bound)
RB = 16 * R         # sum_cols: rows per row-block (256)
CW = 4096           # sum_cols: columns per column chunk


def _pairwise64(acc64):
    """Sum of the W float64 values of acc64 by in-place pairwise halving (destroys acc64)."""
    w = W
    while w > 8:
        h = w // 2
        acc64[:h] += acc64[h:w]
        w = h
    return np.sum(acc64[:8])


def _seg_sum(x, s, e, acc, acc64):
    """float64 sum of the 1-D slice x[s:e] (acc: W values of x's dtype, acc64: W float64).

    The method depends only on e - s (never on threads): up to SMALL elements, one
    np.sum (vector lanes of <= 32 values); below G, np.sum of MB-element blocks
    added in float64; otherwise R-row groups of W lanes in the input dtype,
    accumulated in float64 and combined pairwise.
    """
    k = e - s
    if k <= SMALL:
        return np.float64(np.sum(x[s:e]))
    if k < G:
        tot = np.float64(0.0)
        for p in range(s, e, MB):
            tot += np.float64(np.sum(x[p:min(e, p + MB)]))
        return tot
    ng = k // G
    acc64[:] = 0.0
    for g in range(ng):
        p = s + g * G
        # lanes: 8 consecutive elements; W // 8 blocks of R * 8 = 128 elements,
        # read in order (sequential memory access, lane sums stay in registers)
        xs = x[p:p + G]
        for b in range(W // 8):
            for j in range(8):
                q = b * 128 + j
                acc64[b * 8 + j] += \
                    (((xs[q] + xs[q + 8]) + (xs[q + 16] + xs[q + 24]))
                     + ((xs[q + 32] + xs[q + 40]) + (xs[q + 48] + xs[q + 56]))) \
                    + (((xs[q + 64] + xs[q + 72]) + (xs[q + 80] + xs[q + 88]))
                       + ((xs[q + 96] + xs[q + 104]) + (xs[q + 112] + xs[q + 120])))
    p = s + ng * G
    nr = (e - p) // W
    if nr > 0:
        acc[:] = x[p:p + W]
        for r in range(1, nr):
            acc += x[p + r * W:p + (r + 1) * W]
        acc64 += acc
    p = p + nr * W
    tot = np.float64(_pairwise64(acc64))
    if p < e:
        tot += np.float64(np.sum(x[p:e]))
    return tot


def _rows_task(x, partial, t0, t1, nseg, n):
    """partial[i, j] = sum of segment j of row i, for flat task t = i*nseg + j in [t0, t1)."""
    acc = np.empty(W, x.dtype)
    acc64 = np.empty(W, np.float64)
    for t in range(t0, t1):
        i = t // nseg
        j = t - i * nseg
        partial[i, j] = _seg_sum(x[i], j * SEG, min(n, (j + 1) * SEG), acc, acc64)


def _sum_rows(x, out, nt):
    m = x.shape[0]
    n = x.shape[1]
    if n == 0:
        out[:] = 0.0
        return
    nseg = (n + SEG - 1) // SEG
    partial = np.empty((m, nseg), np.float64)
    ntask = m * nseg
    # tasks per chunk: a chunk covers about SEG elements (fixed, shape-only)
    tpc = max(1, SEG // min(n, SEG))
    nchunk = (ntask + tpc - 1) // tpc
    if nt <= 1 or m * n < PAR_MIN or nchunk < 2:
        _rows_task(x, partial, 0, ntask, nseg, n)
    else:
        #omp parallel for num_threads(nt)
        for c in range(nchunk):
            _rows_task(x, partial, c * tpc, min(ntask, (c + 1) * tpc), nseg, n)
    if nseg == 1:
        out[:] = partial[:, 0]
    else:
        for i in range(m):
            out[i] = np.sum(partial[i])


#pythran export sum_all(float64[:], float64[:], int)
#pythran export sum_all(float32[:], float32[:], int)
def sum_all(x, out, nt):
    """out[0] = sum(x)"""
    _sum_rows(x.reshape((1, x.shape[0])), out, nt)


#pythran export sum_rows(float64[:,:] order(C), float64[:], int)
#pythran export sum_rows(float32[:,:] order(C), float32[:], int)
def sum_rows(x, out, nt):
    """out[i] = sum(x[i, :])  (sum along the last axis)"""
    _sum_rows(x, out, nt)


def _cols_task(x, partial, t0, t1, ncc, m, n):
    """partial[b, cols of chunk c] = float64 sums over row-block b, for task t = b*ncc + c."""
    acc = np.empty(min(n, CW), x.dtype)
    for t in range(t0, t1):
        b = t // ncc
        c = t - b * ncc
        c0 = c * CW
        c1 = min(n, c0 + CW)
        w = c1 - c0
        r0 = b * RB
        r1 = min(m, r0 + RB)
        partial[b, c0:c1] = 0.0
        ps = partial[b, c0:c1]
        for g0 in range(r0, r1, R):
            g1 = min(r1, g0 + R)
            if g1 - g0 == R:
                xs = x[g0:g1, c0:c1]
                for j in range(w):
                    ps[j] += (((xs[0, j] + xs[1, j]) + (xs[2, j] + xs[3, j]))
                              + ((xs[4, j] + xs[5, j]) + (xs[6, j] + xs[7, j]))) \
                        + (((xs[8, j] + xs[9, j]) + (xs[10, j] + xs[11, j]))
                           + ((xs[12, j] + xs[13, j]) + (xs[14, j] + xs[15, j])))
            else:
                acc[:w] = x[g0, c0:c1]
                for r in range(g0 + 1, g1):
                    acc[:w] += x[r, c0:c1]
                ps += acc[:w]


#pythran export sum_cols(float64[:,:] order(C), float64[:], int)
#pythran export sum_cols(float32[:,:] order(C), float32[:], int)
def sum_cols(x, out, nt):
    """out[j] = sum(x[:, j])  (sum along the first axis)"""
    m = x.shape[0]
    n = x.shape[1]
    if m == 0 or n == 0:
        out[:] = 0.0
        return
    nrb = (m + RB - 1) // RB
    ncc = (n + CW - 1) // CW
    partial = np.empty((nrb, n), np.float64)
    ntask = nrb * ncc
    if nt <= 1 or m * n < PAR_MIN or ntask < 2:
        _cols_task(x, partial, 0, ntask, ncc, m, n)
    else:
        #omp parallel for num_threads(nt)
        for t in range(ntask):
            _cols_task(x, partial, t, t + 1, ncc, m, n)
    if nrb == 1:
        out[:] = partial[0]
    else:
        tot = partial[0].copy()
        for b in range(1, nrb):
            tot += partial[b]
        out[:] = tot
