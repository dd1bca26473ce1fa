"""Matrix product: minitensor (``x @ y``) vs NumPy vs PyTorch, square matrices.

Run: ``python benchmarks/bench_matmul.py [--quick] [--threads N]``.

Sizes 8, 64, 256 and 1024, float32 and float64. Each figure is the median of
repeats, with the three libraries measured in alternation (the machines are 2
shared, noisy cores). The BLAS of NumPy (hence of minitensor) and PyTorch's
intra-op pool are both limited to ``--threads`` threads (default 1) so that the
comparison is of the libraries, not of their thread counts. Ratios < 1 mean
minitensor is faster; at small sizes the ratio to NumPy is the per-call
overhead of the wrapper (validation + ``Tensor`` creation).
"""
import argparse
import statistics
import timeit

import numpy as np

import minitensor as xp

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None


def _number(n):
    """Calls per timing so that one timing takes roughly 20-50 ms."""
    return max(1, int(2e7 / (2 * n ** 3 + 2e4)))


def per_call(stmt, glb, number, repeat):
    t = timeit.Timer(stmt, globals=glb)
    return statistics.median(t.repeat(repeat=repeat, number=number)) / number


def bench(sizes, dtypes, repeat, rounds):
    head = (f"{'dtype':>8} {'n':>5} | {'minitensor':>11} {'numpy':>11} {'torch':>11} | "
            f"{'xp/np':>6} {'xp/torch':>8} | {'xp GFLOP/s':>10}")
    print(head)
    print("-" * len(head))
    for dt in dtypes:
        for n in sizes:
            rng = np.random.default_rng(0)
            a = rng.standard_normal((n, n)).astype(dt)
            b = rng.standard_normal((n, n)).astype(dt)
            g = {"x": xp.asarray(a), "y": xp.asarray(b), "a": a, "b": b, "np": np}
            stmts = [("minitensor", "x @ y"), ("numpy", "a @ b")]
            if torch is not None:
                g["ta"], g["tb"] = torch.from_numpy(a), torch.from_numpy(b)
                stmts.append(("torch", "ta @ tb"))
            number = _number(n)
            times = {}
            for _ in range(rounds):  # alternate the libraries
                for key, stmt in stmts:
                    times.setdefault(key, []).append(per_call(stmt, g, number, repeat))
            m = {k: statistics.median(v) for k, v in times.items()}
            tt = m.get("torch", float("nan"))
            gflops = 2 * n ** 3 / m["minitensor"] / 1e9
            print(f"{dt:>8} {n:>5} | {_fmt(m['minitensor'])} {_fmt(m['numpy'])} {_fmt(tt)} | "
                  f"{m['minitensor'] / m['numpy']:6.2f} {m['minitensor'] / tt:8.2f} | "
                  f"{gflops:10.2f}")


def _fmt(sec):
    if sec != sec:
        return f"{'n/a':>11}"
    if sec < 1e-3:
        return f"{sec * 1e6:8.2f} us"
    return f"{sec * 1e3:8.2f} ms"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats, no n=1024")
    p.add_argument("--threads", type=int, default=1, help="BLAS / torch threads (default 1)")
    args = p.parse_args()
    sizes = (8, 64, 256) if args.quick else (8, 64, 256, 1024)
    repeat, rounds = (3, 2) if args.quick else (5, 3)
    if torch is not None:
        torch.set_num_threads(args.threads)
    print(f"matmul, square n x n; median of {repeat} repeats x {rounds} alternating rounds; "
          f"{args.threads} thread(s); numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch is not None else ", torch not installed"))
    if threadpool_limits is not None:
        with threadpool_limits(limits=args.threads, user_api="blas"):
            bench(sizes, ("float32", "float64"), repeat, rounds)
    else:  # pragma: no cover
        print("(threadpoolctl not installed: NumPy's BLAS uses its default thread count)")
        bench(sizes, ("float32", "float64"), repeat, rounds)


if __name__ == "__main__":
    main()
