"""Optimizer update kernels (Pythran source; also valid NumPy code)."""
import numpy as np

#pythran export sgd(float64[], float64[], float, int)
#pythran export sgd(float32[], float32[], float, int)
def sgd(p, g, lr, nt):
    n = p.shape[0]
    if nt <= 1 or n < 262144:
        p[:] = p - lr * g
    else:
        bs = 32768
        nb = (n + bs - 1) // bs
        #omp parallel for num_threads(nt)
        for b in range(nb):
            s = b * bs
            e = min(n, s + bs)
            p[s:e] = p[s:e] - lr * g[s:e]
