"""Reduction kernels (Pythran source; also valid NumPy code).

Called by the glue in ``minitensor/_kernels.py``; inputs are C-contiguous,
native byte order, and the caller allocates ``out``.
"""
import numpy as np

#pythran export sum_rows(float64[:,:] order(C), float64[:], int)
#pythran export sum_rows(float32[:,:] order(C), float32[:], int)
def sum_rows(x, out, nt):
    """out[i] = sum(x[i, :])"""
    m = x.shape[0]
    if nt <= 1 or m * x.shape[1] < 131072:
        for i in range(m):
            out[i] = np.sum(x[i])
    else:
        #omp parallel for num_threads(nt)
        for i in range(m):
            out[i] = np.sum(x[i])
