"""Optimizer update kernels (Pythran source; also valid NumPy code).

In-place updates of flat (1-D, C-contiguous, native byte order) parameter and
state buffers of one dtype; only ``minitensor/_kernels.py`` calls these, after
checking shapes, dtypes and writability. Hyperparameters are Python floats
(Pythran ``float`` = double); like PyTorch, scalars derived from them are
computed in double and then used in the array's dtype.

The formulas follow ``torch.optim.SGD``, ``Adam``, ``RMSprop``, ``Adagrad``,
``Adamax`` and ``NAdam`` (single-tensor path, including the order of operations
of its kernels); AdamW is Adam with ``decoupled=True``. Step-dependent scalars
(bias corrections, NAdam's momentum products) are computed by the caller.
Work is split into fixed blocks of ``BS`` elements, the same for the serial and
the parallel path (bit-identical results).
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


def _rmsprop_blk(p, g, square_avg, grad_avg, buf, s, e, lr, alpha, eps, weight_decay,
                 momentum, centered, maximize):
    d = np.empty(e - s, p.dtype)
    if maximize:
        d[:] = -g[s:e]
    else:
        d[:] = g[s:e]
    if weight_decay != 0.0:
        d[:] = d + weight_decay * p[s:e]
    # square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    square_avg[s:e] = square_avg[s:e] * alpha + (1.0 - alpha) * d * d
    avg = np.empty(e - s, p.dtype)
    if centered:
        # grad_avg.lerp_(grad, 1 - alpha); avg = sqrt(square_avg - grad_avg**2)
        w = 1.0 - alpha
        if w < 0.5:
            grad_avg[s:e] = grad_avg[s:e] + w * (d - grad_avg[s:e])
        else:
            grad_avg[s:e] = d - (d - grad_avg[s:e]) * (1.0 - w)
        avg[:] = np.sqrt(square_avg[s:e] - grad_avg[s:e] * grad_avg[s:e]) + eps
    else:
        avg[:] = np.sqrt(square_avg[s:e]) + eps
    if momentum > 0.0:
        # buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
        buf[s:e] = buf[s:e] * momentum + d / avg
        p[s:e] = p[s:e] - lr * buf[s:e]
    else:
        p[s:e] = p[s:e] - lr * d / avg


#pythran export rmsprop(float64[:], float64[:], float64[:], float64[:], float64[:], float, float, float, float, float, bool, bool, int)
#pythran export rmsprop(float32[:], float32[:], float32[:], float32[:], float32[:], float, float, float, float, float, bool, bool, int)
def rmsprop(p, g, square_avg, grad_avg, buf, lr, alpha, eps, weight_decay, momentum,
            centered, maximize, nt):
    """One torch.optim.RMSprop step on p, in place.

    grad_avg is only touched if centered, buf (momentum_buffer) only if momentum > 0.
    """
    n = p.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _rmsprop_blk(p, g, square_avg, grad_avg, buf, b * BS, min(n, (b + 1) * BS), lr,
                         alpha, eps, weight_decay, momentum, centered, maximize)
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _rmsprop_blk(p, g, square_avg, grad_avg, buf, b * BS, min(n, (b + 1) * BS), lr,
                         alpha, eps, weight_decay, momentum, centered, maximize)


def _adagrad_blk(p, g, state_sum, s, e, clr, eps, weight_decay, maximize):
    d = np.empty(e - s, p.dtype)
    if maximize:
        d[:] = -g[s:e]
    else:
        d[:] = g[s:e]
    if weight_decay != 0.0:
        d[:] = d + weight_decay * p[s:e]
    # state_sum.addcmul_(grad, grad, value=1); param.addcdiv_(grad, sqrt(state_sum) + eps, value=-clr)
    state_sum[s:e] = state_sum[s:e] + d * d
    p[s:e] = p[s:e] - clr * d / (np.sqrt(state_sum[s:e]) + eps)


#pythran export adagrad(float64[:], float64[:], float64[:], float, float, float, bool, int)
#pythran export adagrad(float32[:], float32[:], float32[:], float, float, float, bool, int)
def adagrad(p, g, state_sum, clr, eps, weight_decay, maximize, nt):
    """One torch.optim.Adagrad step on p, in place.

    clr = lr / (1 + (step - 1) * lr_decay) is computed by the caller.
    """
    n = p.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _adagrad_blk(p, g, state_sum, b * BS, min(n, (b + 1) * BS), clr, eps,
                         weight_decay, maximize)
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _adagrad_blk(p, g, state_sum, b * BS, min(n, (b + 1) * BS), clr, eps,
                         weight_decay, maximize)


def _adamax_blk(p, g, exp_avg, exp_inf, s, e, clr, beta1, beta2, eps, weight_decay, maximize):
    d = np.empty(e - s, p.dtype)
    if maximize:
        d[:] = -g[s:e]
    else:
        d[:] = g[s:e]
    if weight_decay != 0.0:
        d[:] = d + weight_decay * p[s:e]
    # exp_avg.lerp_(grad, 1 - beta1)
    w = 1.0 - beta1
    if w < 0.5:
        exp_avg[s:e] = exp_avg[s:e] + w * (d - exp_avg[s:e])
    else:
        exp_avg[s:e] = d - (d - exp_avg[s:e]) * (1.0 - w)
    # exp_inf = max(exp_inf * beta2, |grad| + eps); param.addcdiv_(exp_avg, exp_inf, value=-clr)
    exp_inf[s:e] = np.maximum(exp_inf[s:e] * beta2, np.abs(d) + eps)
    p[s:e] = p[s:e] - clr * exp_avg[s:e] / exp_inf[s:e]


#pythran export adamax(float64[:], float64[:], float64[:], float64[:], float, float, float, float, float, bool, int)
#pythran export adamax(float32[:], float32[:], float32[:], float32[:], float, float, float, float, float, bool, int)
def adamax(p, g, exp_avg, exp_inf, clr, beta1, beta2, eps, weight_decay, maximize, nt):
    """One torch.optim.Adamax step on p, in place.

    clr = lr / (1 - beta1**step) is computed by the caller.
    """
    n = p.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _adamax_blk(p, g, exp_avg, exp_inf, b * BS, min(n, (b + 1) * BS), clr, beta1,
                        beta2, eps, weight_decay, maximize)
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _adamax_blk(p, g, exp_avg, exp_inf, b * BS, min(n, (b + 1) * BS), clr, beta1,
                        beta2, eps, weight_decay, maximize)


def _nadam_blk(p, g, exp_avg, exp_avg_sq, s, e, lr, beta1, beta2, eps, weight_decay,
               decoupled, maximize, bias_correction2, coef_grad, coef_avg):
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
    w = 1.0 - beta1
    if w < 0.5:
        exp_avg[s:e] = exp_avg[s:e] + w * (d - exp_avg[s:e])
    else:
        exp_avg[s:e] = d - (d - exp_avg[s:e]) * (1.0 - w)
    exp_avg_sq[s:e] = exp_avg_sq[s:e] * beta2 + (1.0 - beta2) * d * d
    denom = np.sqrt(exp_avg_sq[s:e] / bias_correction2) + eps
    # param.addcdiv_(grad, denom, value=coef_grad); param.addcdiv_(exp_avg, denom, value=coef_avg)
    p[s:e] = p[s:e] + coef_grad * d / denom
    p[s:e] = p[s:e] + coef_avg * exp_avg[s:e] / denom


#pythran export nadam(float64[:], float64[:], float64[:], float64[:], float, float, float, float, float, bool, bool, float, float, float, int)
#pythran export nadam(float32[:], float32[:], float32[:], float32[:], float, float, float, float, float, bool, bool, float, float, float, int)
def nadam(p, g, exp_avg, exp_avg_sq, lr, beta1, beta2, eps, weight_decay, decoupled, maximize,
          bias_correction2, coef_grad, coef_avg, nt):
    """One torch.optim.NAdam step on p, in place (decoupled=True: decoupled weight decay).

    The caller computes bias_correction2 = 1 - beta2**step and the two step
    coefficients coef_grad = -lr * (1 - mu) / (1 - mu_product) and
    coef_avg = -lr * mu_next / (1 - mu_product * mu_next).
    """
    n = p.shape[0]
    nb = (n + BS - 1) // BS
    if nt <= 1 or n < PAR_MIN:
        for b in range(nb):
            _nadam_blk(p, g, exp_avg, exp_avg_sq, b * BS, min(n, (b + 1) * BS), lr, beta1,
                       beta2, eps, weight_decay, decoupled, maximize, bias_correction2,
                       coef_grad, coef_avg)
    else:
        #omp parallel for num_threads(nt)
        for b in range(nb):
            _nadam_blk(p, g, exp_avg, exp_avg_sq, b * BS, min(n, (b + 1) * BS), lr, beta1,
                       beta2, eps, weight_decay, decoupled, maximize, bias_correction2,
                       coef_grad, coef_avg)
