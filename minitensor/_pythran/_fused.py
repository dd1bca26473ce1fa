"""Fused elementwise kernels (Pythran source; also valid NumPy code)."""
import numpy as np

#pythran export gelu(float64[], float64[], int)
#pythran export gelu(float32[], float32[], int)
def gelu(x, out, nt):
    n = x.shape[0]
    c = np.sqrt(2.0 / np.pi)
    if nt <= 1 or n < 65536:
        out[:] = 0.5 * x * (1.0 + np.tanh(c * (x + 0.044715 * x * x * x)))
    else:
        bs = 16384
        nb = (n + bs - 1) // bs
        #omp parallel for num_threads(nt)
        for b in range(nb):
            s = b * bs
            e = min(n, s + bs)
            xb = x[s:e]
            out[s:e] = 0.5 * xb * (1.0 + np.tanh(c * (xb + 0.044715 * xb * xb * xb)))
