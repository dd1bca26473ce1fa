"""Optimizer update kernels (Pythran source; also valid NumPy code).

In-place updates of flat (1-D, C-contiguous, native byte order) parameter and
state buffers of one dtype; only ``minitensor/_kernels.py`` calls these, after
checking shapes, dtypes and writability. Hyperparameters are Python floats
(Pythran ``float`` = double); like PyTorch, scalars derived from them are
computed in double and then used in the array's dtype.

The formulas follow ``torch.optim.SGD`` and ``torch.optim.Adam`` (single-tensor
path, including the order of operations of its kernels); AdamW is Adam with
``decoupled=True``. Work is split into fixed blocks of ``BS`` elements, the same
for the serial and the parallel path (bit-identical results).
"""
import numpy as np

BS = 8192           # elements per block (the float64 scratch stays below malloc's mmap threshold)
PAR_MIN = 262144    # elements below which the serial path is used


def _sgd_blk(p, g, buf, s, e, lr, momentum, dampening, weight_decay, nesterov,
             maximize, first):
    gs = -1.0 if maximize else 1.0      # exact: -grad when maximizing
    d = np.empty(e - s, p.dtype)
    if weight_decay != 0.0:
        d[:] = gs * g[s:e] + weight_decay * p[s:e]
    else:
        d[:] = gs * g[s:e]
    if momentum != 0.0:
        if first:
            buf[s:e] = d
        else:
            buf[s:e] = buf[s:e] * momentum + (1.0 - dampening) * d
        if nesterov:
            p[s:e] = p[s:e] - lr * (d + momentum * buf[s:e])
        else:
            p[s:e] = p[s:e] - lr * buf[s:e]
    else:
        p[s:e] = p[s:e] - lr * d


#pythran export sgd(float64[:], float64[:], float64[:], float, float, float, float, bool, bool, bool, int)
#pythran export sgd(float32[:], float32[:], float32[:], float, float, float, float, bool, bool, bool, int)
def sgd(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, maximize, first, nt):
    """One torch.optim.SGD step on p, in place.

    buf is the momentum buffer (same length as p; only touched if momentum != 0);
    first=True initialises it (PyTorch: buffer is None) instead of updating it.
    """
    n = p.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _sgd_blk(p, g, buf, b * BS, min(n, (b + 1) * BS), lr, momentum, dampening,
                     weight_decay, nesterov, maximize, first)
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _sgd_blk(p, g, buf, b * BS, min(n, (b + 1) * BS), lr, momentum, dampening,
                     weight_decay, nesterov, maximize, first)


def _adam_blk(p, g, m, v, vmax, s, e, lr, beta1, beta2, eps, weight_decay, decoupled,
              maximize, amsgrad, bias_correction1, bias_correction2):
    d = np.empty(e - s, p.dtype)
    if maximize:
        d[:] = -g[s:e]
    else:
        d[:] = g[s:e]
    if weight_decay != 0.0:
        if decoupled:
            p[s:e] = p[s:e] * (1.0 - lr * weight_decay)
        else:
            d[:] = d + weight_decay * p[s:e]
    # exp_avg.lerp_(grad, 1 - beta1)
    w = 1.0 - beta1
    if w < 0.5:
        m[s:e] = m[s:e] + w * (d - m[s:e])
    else:
        m[s:e] = d - (d - m[s:e]) * (1.0 - w)
    # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    v[s:e] = v[s:e] * beta2 + (1.0 - beta2) * d * d
    step_size = lr / bias_correction1
    bc2_sqrt = bias_correction2 ** 0.5
    # param.addcdiv_(exp_avg, denom, value=-step_size), denom = sqrt(v)/bc2_sqrt + eps
    if amsgrad:
        vmax[s:e] = np.maximum(vmax[s:e], v[s:e])
        p[s:e] = p[s:e] - step_size * m[s:e] / (np.sqrt(vmax[s:e]) / bc2_sqrt + eps)
    else:
        p[s:e] = p[s:e] - step_size * m[s:e] / (np.sqrt(v[s:e]) / bc2_sqrt + eps)


#pythran export adam(float64[:], float64[:], float64[:], float64[:], float64[:], float, float, float, float, float, bool, bool, bool, float, float, int)
#pythran export adam(float32[:], float32[:], float32[:], float32[:], float32[:], float, float, float, float, float, bool, bool, bool, float, float, int)
def adam(p, g, m, v, vmax, lr, beta1, beta2, eps, weight_decay, decoupled, maximize,
         amsgrad, bias_correction1, bias_correction2, nt):
    """One torch.optim.Adam (decoupled=False) / AdamW (decoupled=True) step, in place.

    m, v: exp_avg, exp_avg_sq; vmax: max_exp_avg_sq, only touched if amsgrad.
    bias_correction1/2 = 1 - beta1**step, 1 - beta2**step (computed by the caller).
    """
    n = p.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _adam_blk(p, g, m, v, vmax, b * BS, min(n, (b + 1) * BS), lr, beta1, beta2,
                      eps, weight_decay, decoupled, maximize, amsgrad, bias_correction1,
                      bias_correction2)
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _adam_blk(p, g, m, v, vmax, b * BS, min(n, (b + 1) * BS), lr, beta1, beta2,
                      eps, weight_decay, decoupled, maximize, amsgrad, bias_correction1,
                      bias_correction2)
