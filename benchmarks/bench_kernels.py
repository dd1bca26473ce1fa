"""Time minitensor's Pythran kernels (through their glue, ``minitensor._kernels``)
against the natural NumPy expression and, when importable, PyTorch.

    python benchmarks/bench_kernels.py [--quick] [--sizes 1e4,1e6] [--kernels gelu,adam]
                                       [--threads 1,2] [--repeats 7] [--json out.json]

Every figure is the median of ``--repeats`` measurements; in each repeat the
implementations run in alternating order (ours first on even repeats, last on
odd ones), and one measurement loops over enough calls to last >= ~5 ms. Outputs
are allocated inside every call for all implementations (that is what a tensor
library does). Ratios < 1 mean minitensor is faster. NumPy is single-threaded
whatever ``--threads`` says; PyTorch gets ``torch.set_num_threads(nt)``.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from minitensor import _kernels as K

C = 0.7978845608028654


def _probe_torch():
    """import torch in a subprocess first: a half-installed torch can crash the interpreter."""
    try:
        r = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0:
        return None
    import torch
    return torch


# ---------------------------------------------------------------------------
# cases: name -> setup(n, dtype, rng, torch) returning {"ours": f, "numpy": f, "torch": f or None}

def _np_gelu(x):
    return 0.5 * x * (1.0 + np.tanh(C * (x + 0.044715 * (x * x * x))))


def _np_gelu_bw(x, g):
    x_sq = x * x
    t = np.tanh(C * (x + 0.044715 * (x_sq * x)))
    return g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * (C * (1.0 + 3.0 * 0.044715 * x_sq)))


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_silu_bw(x, g):
    s = 1.0 / (1.0 + np.exp(-x))
    return g * s * (1.0 + x * (1.0 - s))


def _elementwise(ours, numpy_fn, torch_fn, nargs, first=None):
    def setup(n, dt, rng, torch):
        args = [(3 * rng.standard_normal(n)).astype(dt) for _ in range(nargs)]
        if first is not None:
            args[0] = first(args[0])
        d = {"ours": lambda: ours(*args), "numpy": lambda: numpy_fn(*args), "torch": None}
        if torch is not None and torch_fn is not None:
            targs = [torch.from_numpy(a) for a in args]
            d["torch"] = lambda: torch_fn(torch, *targs)
        return d
    return setup


def _shape2d(n):
    cols = min(n, 1000)
    return (max(1, n // cols), cols)


def _add_row_setup(n, dt, rng, torch):
    x = rng.standard_normal(_shape2d(n)).astype(dt)
    row = rng.standard_normal(x.shape[1]).astype(dt)
    d = {"ours": lambda: K.add_row(x, row), "numpy": lambda: x + row, "torch": None}
    if torch is not None:
        tx, tr = torch.from_numpy(x), torch.from_numpy(row)
        d["torch"] = lambda: tx + tr
    return d


def _sum_setup(axis):
    def setup(n, dt, rng, torch):
        x = rng.standard_normal(n if axis is None else _shape2d(n)).astype(dt)
        if axis is None:
            d = {"ours": lambda: K.sum_all(x), "numpy": lambda: np.sum(x)}
        else:
            d = {"ours": lambda: K.sum_axis(x, axis), "numpy": lambda: np.sum(x, axis=axis)}
        d["torch"] = None
        if torch is not None:
            tx = torch.from_numpy(x)
            d["torch"] = (lambda: torch.sum(tx)) if axis is None else (lambda: torch.sum(tx, dim=axis))
        return d
    return setup


def _sgd_setup(n, dt, rng, torch):
    lr, mom, wd = 1e-3, 0.9, 1e-4
    p, g = rng.standard_normal(n).astype(dt), rng.standard_normal(n).astype(dt)
    buf = K.sgd_step(p.copy(), g, lr=lr, momentum=mom, weight_decay=wd)
    p2, buf2 = p.copy(), buf.copy()

    def numpy_sgd():
        nonlocal p2, buf2
        d = g + wd * p2
        buf2 *= mom
        buf2 += d
        p2 -= lr * buf2

    d = {"ours": lambda: K.sgd_step(p, g, buf, lr=lr, momentum=mom, weight_decay=wd),
         "numpy": numpy_sgd, "torch": None}
    if torch is not None:
        tp = torch.nn.Parameter(torch.from_numpy(p.copy()))
        tp.grad = torch.from_numpy(g)
        opt = torch.optim.SGD([tp], lr=lr, momentum=mom, weight_decay=wd, foreach=False)
        opt.step()
        d["torch"] = opt.step
    return d


def _adam_setup(n, dt, rng, torch):
    lr, b1, b2, eps, wd = 1e-3, 0.9, 0.999, 1e-8, 1e-2
    p, g = rng.standard_normal(n).astype(dt), rng.standard_normal(n).astype(dt)
    m, v = np.zeros_like(p), np.zeros_like(p)
    p2, m2, v2 = p.copy(), m.copy(), v.copy()
    bc1, bc2 = 1 - b1 ** 10, 1 - b2 ** 10

    def ours():   # AdamW
        K.adam_step(p, g, m, v, lr=lr, beta1=b1, beta2=b2, eps=eps, weight_decay=wd,
                    decoupled_weight_decay=True, bias_correction1=bc1, bias_correction2=bc2)

    def numpy_adam():
        nonlocal p2, m2, v2
        p2 *= 1 - lr * wd
        m2 *= b1
        m2 += (1 - b1) * g
        v2 *= b2
        v2 += (1 - b2) * (g * g)
        denom = np.sqrt(v2) / np.sqrt(bc2) + eps
        p2 -= (lr / bc1) * (m2 / denom)

    d = {"ours": ours, "numpy": numpy_adam, "torch": None}
    if torch is not None:
        tp = torch.nn.Parameter(torch.from_numpy(p.copy()))
        tp.grad = torch.from_numpy(g)
        opt = torch.optim.AdamW([tp], lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd,
                                foreach=False)
        opt.step()
        d["torch"] = opt.step
    return d


def _torch_aten(name):
    return lambda torch, *a: getattr(torch.ops.aten, name)(*a)


CASES = {
    "gelu": _elementwise(K.gelu, _np_gelu,
                         lambda torch, x: torch.nn.functional.gelu(x, approximate="tanh"), 1),
    "gelu_backward": _elementwise(K.gelu_backward, _np_gelu_bw,
                                  lambda torch, x, g: torch.ops.aten.gelu_backward(g, x, approximate="tanh"), 2),
    "sigmoid": _elementwise(K.sigmoid, _np_sigmoid, lambda torch, x: torch.sigmoid(x), 1),
    "sigmoid_backward": _elementwise(K.sigmoid_backward, lambda y, g: g * (1.0 - y) * y,
                                     lambda torch, y, g: torch.ops.aten.sigmoid_backward(g, y), 2,
                                     first=_np_sigmoid),
    "silu": _elementwise(K.silu, lambda x: x / (1.0 + np.exp(-x)),
                         lambda torch, x: torch.nn.functional.silu(x), 1),
    "silu_backward": _elementwise(K.silu_backward, _np_silu_bw,
                                  lambda torch, x, g: torch.ops.aten.silu_backward(g, x), 2),
    "tanh_backward": _elementwise(K.tanh_backward, lambda y, g: g * (1.0 - y * y),
                                  lambda torch, y, g: torch.ops.aten.tanh_backward(g, y), 2,
                                  first=np.tanh),
    "relu_backward": _elementwise(K.relu_backward, lambda x, g: np.where(x > 0, g, 0),
                                  lambda torch, x, g: torch.ops.aten.threshold_backward(g, x, 0), 2),
    "muladd": _elementwise(K.muladd, lambda x, y, z: x * y + z,
                           lambda torch, x, y, z: torch.addcmul(z, x, y), 3),
    "add_row": _add_row_setup,
    "sum_all": _sum_setup(None),
    "sum_rows": _sum_setup(1),
    "sum_cols": _sum_setup(0),
    "sgd": _sgd_setup,
    "adam": _adam_setup,
}


# ---------------------------------------------------------------------------
# timing

def _calibrate(f, target=0.005):
    f()
    t0 = time.perf_counter()
    f()
    dt = time.perf_counter() - t0
    return max(1, min(10000, int(target / max(dt, 1e-7))))


def _measure(f, k):
    t0 = time.perf_counter()
    for _ in range(k):
        f()
    return (time.perf_counter() - t0) / k


def bench_case(fns, repeats):
    impls = [name for name in ("ours", "numpy", "torch") if fns.get(name) is not None]
    loops = {name: _calibrate(fns[name]) for name in impls}
    times = {name: [] for name in impls}
    for r in range(repeats):
        order = impls if r % 2 == 0 else impls[::-1]
        for name in order:
            times[name].append(_measure(fns[name], loops[name]))
    return {name: float(np.median(t)) for name, t in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes 1e2,1e4,1e6 and 3 repeats")
    ap.add_argument("--sizes", default=None, help="comma-separated sizes (default 1e2,1e4,1e6,1e7)")
    ap.add_argument("--kernels", default=None, help="comma-separated subset of: " + ",".join(CASES))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--json", default=None, help="also write the raw results to this file")
    args = ap.parse_args(argv)

    sizes = [int(float(s)) for s in (args.sizes or ("1e2,1e4,1e6" if args.quick else "1e2,1e4,1e6,1e7")).split(",")]
    repeats = args.repeats or (3 if args.quick else 7)
    kernels = args.kernels.split(",") if args.kernels else list(CASES)
    threads = [int(t) for t in args.threads.split(",")]
    dtypes = [np.dtype(d) for d in args.dtypes.split(",")]
    torch = None if args.no_torch else _probe_torch()

    from minitensor import _pythran
    print(f"# minitensor kernels: variant={_pythran.variant}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'not available'}, cpus={os.cpu_count()}, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}")
    print(f"# median of {repeats} alternating repeats; ratio < 1: minitensor faster\n")
    print("| kernel | dtype | n | nt | ours µs | numpy µs | torch µs | ours/numpy | ours/torch |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    rng = np.random.default_rng(0)
    for name in kernels:
        for dt in dtypes:
            for n in sizes:
                fns = CASES[name](n, dt, rng, torch)
                for nt in threads:
                    K.set_num_threads(nt)
                    if torch is not None:
                        torch.set_num_threads(nt)
                    res = bench_case(fns, repeats)
                    ours, npy, tor = res["ours"], res["numpy"], res.get("torch")
                    rows.append(dict(kernel=name, dtype=dt.name, n=n, nt=nt, ours=ours, numpy=npy,
                                     torch=tor))
                    tor_s = f"{tor * 1e6:.1f}" if tor else "-"
                    rt = f"{ours / tor:.2f}" if tor else "-"
                    print(f"| {name} | {dt.name} | {n:.0e} | {nt} | {ours * 1e6:.1f} | {npy * 1e6:.1f} "
                          f"| {tor_s} | {ours / npy:.2f} | {rt} |", flush=True)
                del fns
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
