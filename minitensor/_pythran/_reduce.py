"""Sum kernels (Pythran source; also valid NumPy code).

Only ``minitensor/_kernels.py`` calls these: inputs are C-contiguous with native
byte order and the caller allocates ``out`` (same dtype as ``x``).

Accuracy. Rows (``sum_all``: one row) are cut into segments of at most ``SEG``
elements, read as blocks of ``B = L * R`` = 128 elements: each of the ``L`` = 8
lanes (consecutive elements) adds its ``R`` = 16 values of the block in the input
dtype by a pairwise tree (NumPy's pairwise sum adds 16 values per accumulator at
its base level, one after the other), and the block sums are accumulated per
lane in float64. The tail of a segment (< B elements) and rows shorter than B
are one ``np.sum`` in the input dtype. Segment partial sums (float64) are added
in a fixed order. For float32 the result is at least as accurate as NumPy's
pairwise sum (close to the float64 sum rounded once); for float64, which the
namespace leaves to NumPy, its error is within a few times NumPy's.

Speed. The 16-term sums are written out as scalar expressions over constant
offsets (never slices in the inner loop) so that the C++ compiler vectorises them
with the lane sums in registers (two AVX registers of float64 for ``sum_rows``,
so nothing but the input is loaded or stored per block), and the input is read
in order. A task slices its 2-D block of rows once and indexes it with loop
counters (no view per row: creating one updates a shared reference count, an
atomic operation that both threads contend for on short rows). ``sum_cols``: a
lane is a column of 16 rows.

Determinism. The decomposition into segments and groups depends only on the
shape, never on the thread count, so ``nt = 1`` and ``nt > 1`` give bit-identical
results.
"""
import numpy as np

R = 16              # values added per lane in the input dtype (a pairwise tree)
L = 8               # sum_rows: lanes (consecutive elements, one AVX vector of float32)
B = L * R           # sum_rows: elements of a block (128)
GB = 32             # sum_rows: blocks per group (4096 elements)
SEG = 65536         # sum_rows: elements of a segment (at most one parallel task)
PAR_MIN = 1048576   # elements below which the serial path is used (memory-bound)
RB = 16 * R         # sum_cols: rows per row-block (256)
CW = 4096           # sum_cols: columns per column chunk


def _block_sum(xs, partial, i0, jseg, acc64, a64):
    """partial[i0 + ii, jseg] = float64 sum of row ii of the 2-D block xs, for every
    row of xs (acc64, a64: L float64 each, overwritten).

    The method depends only on the row length (never on threads): B-element blocks,
    each lane adding its R values of a block by a pairwise tree in the input dtype
    and the block sums in float64, then the tail (< B elements) by one np.sum in
    the input dtype; rows shorter than B: one np.sum.
    """
    k = xs.shape[1]
    nb = k // B
    p = nb * B
    if nb == 0:   # short rows: one np.sum each, in the input dtype
        for ii in range(xs.shape[0]):
            partial[i0 + ii, jseg] = np.float64(np.sum(xs[ii]))
        return
    ng = (nb + GB - 1) // GB
    for ii in range(xs.shape[0]):
        acc64[:] = 0.0
        for g in range(ng):
            # lanes: L consecutive elements; a block of R * L = B elements, read in
            # order (sequential memory access, lane sums in registers; every index
            # is a sum of loop counters from 0, so that Pythran and the compiler
            # drop the negative-index tests); GB blocks per group, whose lane sums
            # are then added to acc64 (two levels: float64 input stays within a
            # few times NumPy's pairwise error)
            a64[:] = 0.0
            for b in range(min(GB, nb - g * GB)):
                for j in range(L):
                    q = (g * GB + b) * B + j
                    a64[j] += \
                        (((xs[ii, q] + xs[ii, q + 8]) + (xs[ii, q + 16] + xs[ii, q + 24]))
                         + ((xs[ii, q + 32] + xs[ii, q + 40]) + (xs[ii, q + 48] + xs[ii, q + 56]))) \
                        + (((xs[ii, q + 64] + xs[ii, q + 72]) + (xs[ii, q + 80] + xs[ii, q + 88]))
                           + ((xs[ii, q + 96] + xs[ii, q + 104]) + (xs[ii, q + 112] + xs[ii, q + 120])))
            acc64 += a64
        tot = np.sum(acc64)
        if p < k:
            tot += np.float64(np.sum(xs[ii, p:k]))
        partial[i0 + ii, jseg] = tot


def _rows_task(x, partial, t0, t1, nseg, n):
    """Tasks t0 <= t < t1. One segment per row (nseg == 1): task t = rows [t*tpc,
    (t+1)*tpc) with tpc = SEG // n, else task t = segment j of row i, t = i*nseg + j;
    partial[i, j] = the sum of segment j of row i."""
    acc64 = np.empty(L, np.float64)
    a64 = np.empty(L, np.float64)
    m = x.shape[0]
    if nseg == 1:
        tpc = max(1, SEG // n)
        for t in range(t0, t1):
            r0 = t * tpc
            r1 = min(m, r0 + tpc)
            _block_sum(x[r0:r1, 0:n], partial, r0, 0, acc64, a64)
    else:
        for t in range(t0, t1):
            i = t // nseg
            j = t - i * nseg
            _block_sum(x[i:i + 1, j * SEG:min(n, (j + 1) * SEG)], partial, i, j, acc64, a64)


def _sum_rows(x, out, nt):
    m = x.shape[0]
    n = x.shape[1]
    if n == 0:
        out[:] = 0.0
        return
    nseg = (n + SEG - 1) // SEG
    partial = np.empty((m, nseg), np.float64)
    # tasks: a task covers about SEG elements (fixed, shape-only)
    if nseg == 1:
        ntask = (m + SEG // n - 1) // (SEG // n)
    else:
        ntask = m * nseg
    if nt <= 1 or m * n < PAR_MIN or ntask < 2:
        _rows_task(x, partial, 0, ntask, nseg, n)
    else:
        #omp parallel for num_threads(nt)
        for t in range(ntask):
            _rows_task(x, partial, t, t + 1, nseg, n)
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
