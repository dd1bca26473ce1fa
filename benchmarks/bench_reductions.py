"""Sums and means: minitensor vs NumPy vs PyTorch, and the Pythran kernels vs NumPy.

Run: ``python benchmarks/bench_reductions.py [--quick] [--sizes 1e2,1e4,1e6,1e7]
[--threads N] [--only sum|other|big]``.

For each size (1e2, 1e4, 1e6, 1e7 elements), dtype (float32, float64) and case
(full sum of a 1-D tensor; along axis 1 (rows) and axis 0 (columns) of a 2-D
``(r, n/r)`` tensor with ``r ~ sqrt(n)``), it prints the median time per call of

* ``xp.sum``: minitensor end to end (as routed by ``_statistical_functions``),
* ``kern``: the kernel glue alone (``minitensor._kernels.sum_all/sum_axis``),
* ``np``: ``np.add.reduce`` (what ``np.sum`` runs, minus its wrapper),
* ``torch``: ``torch.sum`` (single-threaded and default threads),

and the ratios ``xp/np``, ``kern/np``, ``xp/torch`` (< 1: minitensor faster).

A second table times the other float reductions through the namespace
(``mean``, ``var``, ``std``, ``max``, ``prod``; full and ``axis=1``) against
NumPy's functions (``np.mean``, ``np.var``, ...) and PyTorch's
(``torch.var(correction=0)``, ``torch.amax``, ...), in the same run.
Libraries are measured in alternation (the machines are 2 shared, noisy cores);
each figure is the median of repeats. ``kern/np`` is the measurement behind the
routing thresholds in ``minitensor/_statistical_functions.py``.

Figures of 2026-12-07 (shared 2-core AMD EPYC, 1 thread, float32, ms, median of
interleaved repeats): full sum of 1e6 elements: kernel 0.047, torch 0.048, NumPy
0.16; 4096x4096 (64 MB): kernel 2.5, torch 2.45, NumPy 2.9 (the former
row-accumulator kernel: 3.8). float64 sums stay with NumPy (the kernel loses at
memory bandwidth: 1e7 elements 5.3 vs NumPy 2.8).

``--only big`` (float32, 64 MB; full, rows of 256/1024/4096, axis 0), 2026-12-07
afternoon, 8-lane kernel with the lane sums in registers (load ~2.5, thread CPU
time, medians of 21, two runs; ratio to torch): 4096^2 full 0.95-0.97 (the
previous 128-lanes-per-group kernel 1.01), 1e7 0.99-1.06 (1.07-1.18), rows of 4096
0.94-0.96 (1.03-1.10), rows of 1024 0.90-0.96, rows of 256 0.99-1.11 (1.04-1.15),
axis 0 0.35-0.39; NumPy 1.25-1.6x torch. The lead's figures on a quiet machine
replace these.
"""
import argparse
import statistics
import timeit

import numpy as np

import minitensor as xp
from minitensor import _kernels

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def per_call(fn, number, repeat):
    t = timeit.Timer(fn)
    return statistics.median(t.repeat(repeat=repeat, number=number)) / number


def cases(n):
    r = max(1, int(round(n ** 0.5)))
    c = max(1, n // r)
    yield "full", (n,), None
    yield "axis=1", (r, c), 1
    yield "axis=0", (r, c), 0


def bench(sizes, repeat, rounds):
    nthreads = torch.get_num_threads() if torch is not None else 0
    print(f"median time per call (us); kernel threads {_kernels.get_num_threads()}, "
          f"torch threads {nthreads} ('t1': torch with 1 thread)")
    hdr = (f"{'n':>8} {'dtype':>7} {'case':>6} | {'xp.sum':>9} {'kern':>9} {'np':>9} "
           f"{'torch':>9} {'t1':>9} | {'xp/np':>6} {'kern/np':>7} {'xp/torch':>8}")
    print(hdr)
    print("-" * len(hdr))
    rng = np.random.default_rng(0)
    for n in sizes:
        number = max(1, int(2e6 // max(n, 1000)))
        for dt in (np.float32, np.float64):
            for name, shape, axis in cases(n):
                a = rng.standard_normal(shape).astype(dt)
                x = xp.asarray(a)
                if axis is None:
                    fns = {"xp.sum": lambda: xp.sum(x),
                           "kern": lambda: _kernels.sum_all(a),
                           "np": lambda: np.add.reduce(a, axis=None)}
                else:
                    fns = {"xp.sum": lambda: xp.sum(x, axis=axis),
                           "kern": lambda: _kernels.sum_axis(a, axis),
                           "np": lambda: np.add.reduce(a, axis=axis)}
                if torch is not None:
                    t = torch.from_numpy(a)
                    fns["torch"] = (lambda: torch.sum(t)) if axis is None else \
                        (lambda: torch.sum(t, dim=axis))
                times = {k: [] for k in fns}
                times["t1"] = []
                for _ in range(rounds):
                    for k, f in fns.items():
                        times[k].append(per_call(f, number, repeat))
                    if torch is not None:
                        torch.set_num_threads(1)
                        times["t1"].append(per_call(fns["torch"], number, repeat))
                        torch.set_num_threads(nthreads)
                m = {k: statistics.median(v) * 1e6 if v else float("nan")
                     for k, v in times.items()}
                print(f"{n:>8.0e} {np.dtype(dt).name:>7} {name:>6} | {m['xp.sum']:9.2f} "
                      f"{m['kern']:9.2f} {m['np']:9.2f} {m.get('torch', float('nan')):9.2f} "
                      f"{m['t1']:9.2f} | {m['xp.sum'] / m['np']:6.2f} {m['kern'] / m['np']:7.2f} "
                      f"{m['xp.sum'] / m.get('torch', float('nan')):8.2f}", flush=True)


OTHER = {  # name: (minitensor call, NumPy call, torch call); ax is None or an int
    "mean": (lambda x, ax: xp.mean(x, axis=ax), lambda a, ax: np.mean(a, axis=ax),
             lambda t, ax: torch.mean(t) if ax is None else torch.mean(t, dim=ax)),
    "var": (lambda x, ax: xp.var(x, axis=ax), lambda a, ax: np.var(a, axis=ax),
            lambda t, ax: torch.var(t, correction=0) if ax is None
            else torch.var(t, dim=ax, correction=0)),
    "std": (lambda x, ax: xp.std(x, axis=ax), lambda a, ax: np.std(a, axis=ax),
            lambda t, ax: torch.std(t, correction=0) if ax is None
            else torch.std(t, dim=ax, correction=0)),
    "max": (lambda x, ax: xp.max(x, axis=ax), lambda a, ax: np.max(a, axis=ax),
            lambda t, ax: torch.amax(t) if ax is None else torch.amax(t, dim=ax)),
    "prod": (lambda x, ax: xp.prod(x, axis=ax), lambda a, ax: np.prod(a, axis=ax),
             lambda t, ax: torch.prod(t) if ax is None else torch.prod(t, dim=ax)),
}


def bench_other(sizes, repeat, rounds):
    print("\nother reductions through the namespace: median time per call (us), torch with 1 "
          "thread (NumPy's reductions are single-threaded)")
    if torch is not None:
        torch.set_num_threads(1)
    hdr = (f"{'op':>5} {'n':>8} {'dtype':>7} {'case':>6} | {'xp':>9} {'np':>9} {'torch':>9} | "
           f"{'xp/np':>6} {'xp/torch':>8}")
    print(hdr)
    print("-" * len(hdr))
    rng = np.random.default_rng(0)
    for op, (fx, fn, ft) in OTHER.items():
        for n in sizes:
            number = max(1, int(1e6 // max(n, 1000)))
            for dt in (np.float32, np.float64):
                for name, shape, axis in list(cases(n))[:2]:
                    # prod: values near 1 so that products stay finite
                    a = (1 + 1e-3 * rng.standard_normal(shape) if op == "prod"
                         else rng.standard_normal(shape)).astype(dt)
                    x = xp.asarray(a)
                    fns = {"xp": lambda: fx(x, axis), "np": lambda: fn(a, axis)}
                    if torch is not None:
                        t = torch.from_numpy(a)
                        fns["torch"] = lambda: ft(t, axis)
                    times = {k: [] for k in fns}
                    for _ in range(rounds):
                        for k, f in fns.items():
                            times[k].append(per_call(f, number, repeat))
                    m = {k: statistics.median(v) * 1e6 for k, v in times.items()}
                    tt = m.get("torch", float("nan"))
                    print(f"{op:>5} {n:>8.0e} {np.dtype(dt).name:>7} {name:>6} | {m['xp']:9.2f} "
                          f"{m['np']:9.2f} {tt:9.2f} | {m['xp'] / m['np']:6.2f} "
                          f"{m['xp'] / tt:8.2f}", flush=True)


def bench_big(repeats):
    """float32 sums of 64 MB (4096 * 4096 values) and of 1e6 / 1e7 values: full,
    along the last axis with rows of 256, 1024 and 4096, and along axis 0;
    minitensor, torch and NumPy one call each in turn, ``repeats`` times; median
    and min (ms) and the ratios of the medians to torch's."""
    nt = _kernels.get_num_threads()
    if torch is not None:
        torch.set_num_threads(nt)
    print(f"\nfloat32 sums, 64 MB: median / min of {repeats} interleaved calls (ms); "
          f"kernel and torch threads {nt}")
    hdr = (f"{'case':>16} | {'xp':>13} {'torch':>13} {'np':>13} | {'xp/torch':>8} {'xp/np':>6}")
    print(hdr)
    print("-" * len(hdr))
    rng = np.random.default_rng(0)
    big = rng.standard_normal(4096 * 4096).astype(np.float32)
    cases_ = [("1e6 full", big[:10 ** 6], None), ("1e7 full", big[:10 ** 7], None),
              ("4096^2 full", big, None)]
    cases_ += [(f"rows of {n}", big.reshape(-1, n), -1) for n in (256, 1024, 4096)]
    cases_.append(("4096^2 axis=0", big.reshape(4096, 4096), 0))
    for name, a, axis in cases_:
        x = xp.asarray(a)
        fns = {"xp": lambda: xp.sum(x, axis=axis), "np": lambda: np.add.reduce(a, axis=axis)}
        if torch is not None:
            t = torch.from_numpy(a)
            fns["torch"] = (lambda: torch.sum(t)) if axis is None else \
                (lambda: torch.sum(t, dim=axis))
        times = {k: [] for k in fns}
        for f in fns.values():
            f()
        for _ in range(repeats):
            for k, f in fns.items():
                t0 = timeit.default_timer()
                f()
                times[k].append((timeit.default_timer() - t0) * 1e3)
        med = {k: statistics.median(v) for k, v in times.items()}
        cell = {k: f"{med[k]:.3f}/{min(times[k]):.3f}" for k in times}
        tt = med.get("torch", float("nan"))
        print(f"{name:>16} | {cell['xp']:>13} {cell.get('torch', 'nan'):>13} {cell['np']:>13} | "
              f"{med['xp'] / tt:8.2f} {med['xp'] / med['np']:6.2f}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    p.add_argument("--sizes", default="1e2,1e4,1e6,1e7")
    p.add_argument("--only", choices=["sum", "other", "big"],
                   help="one of the tables (big: float32 sums of 64 MB, 15 or more repeats)")
    p.add_argument("--threads", type=int, default=0,
                   help="kernel and torch threads (default: their defaults)")
    args = p.parse_args()
    if args.threads:
        xp.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    repeat, rounds = (3, 1) if args.quick else (5, 3)
    if args.only == "big":
        bench_big(15 if args.quick else 31)
        return
    if args.only != "other":
        bench(sizes, repeat, rounds)
    if args.only != "sum":
        bench_other(sizes, repeat, rounds)


if __name__ == "__main__":
    main()
