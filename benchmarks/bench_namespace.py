"""Per-call cost and throughput of namespace calls: minitensor vs NumPy vs PyTorch.

Run: ``python benchmarks/bench_namespace.py [--quick]``. Everything is timed in
one process; each figure is the median of repeats with the libraries measured
in alternation (the machines are 2 shared, noisy cores). Ratios < 1 mean
minitensor is faster.
"""
import argparse
import statistics
import timeit

import numpy as np

import minitensor as xp

try:
    import torch
    torch.set_num_threads(1)
except ImportError:  # pragma: no cover
    torch = None


def per_call(stmt, glb, number, repeat):
    t = timeit.Timer(stmt, globals=glb)
    return statistics.median(t.repeat(repeat=repeat, number=number)) / number


def bench_overhead(repeat):
    print("Per-call time (us), float64; median of %d repeats" % repeat)
    print(f"{'n':>5} {'xp.add':>8} {'a+b':>8} {'x+1.0':>8} {'xp.exp':>8} | {'np.add':>8} {'np a+b':>8}"
          f" | {'torch.add':>9} {'t a+b':>8} | {'add/np':>6} {'add/torch':>9}")
    for n in (1, 100):
        x, y = xp.ones(n), xp.ones(n)
        a, b = np.ones(n), np.ones(n)
        g = dict(xp=xp, np=np, x=x, y=y, a=a, b=b, torch=torch)
        if torch is not None:
            g.update(ta=torch.ones(n, dtype=torch.float64), tb=torch.ones(n, dtype=torch.float64))
        rows = {}
        for _ in range(3):  # alternate the libraries
            for key, stmt in [("xp.add", "xp.add(x, y)"), ("a+b", "x + y"), ("x+1.0", "x + 1.0"),
                              ("xp.exp", "xp.exp(x)"), ("np.add", "np.add(a, b)"),
                              ("np a+b", "a + b")] + ([("torch.add", "torch.add(ta, tb)"),
                                                      ("t a+b", "ta + tb")] if torch else []):
                rows.setdefault(key, []).append(per_call(stmt, g, 20000, repeat) * 1e6)
        m = {k: statistics.median(v) for k, v in rows.items()}
        tadd = m.get("torch.add", float("nan"))
        print(f"{n:>5} {m['xp.add']:8.3f} {m['a+b']:8.3f} {m['x+1.0']:8.3f} {m['xp.exp']:8.3f} | "
              f"{m['np.add']:8.3f} {m['np a+b']:8.3f} | {tadd:9.3f} {m.get('t a+b', float('nan')):8.3f} | "
              f"{m['xp.add'] / m['np.add']:6.2f} {m['xp.add'] / tadd:9.2f}")


CALLS = [
    ("add", lambda m, x, y: m.add(x, y)),
    ("multiply", lambda m, x, y: m.multiply(x, y)),
    ("exp", lambda m, x, y: m.exp(x)),
    ("tanh", lambda m, x, y: m.tanh(x)),
    ("x*y+1", lambda m, x, y: x * y + 1.0),
    ("where(x>0,x,0)", None),
]


def bench_sizes(sizes, repeat):
    print("\nRatio minitensor / NumPy (and / torch), median of %d repeats, 1 thread" % repeat)
    for dt in ("float32", "float64"):
        for name, f in CALLS:
            if f is None:
                continue
            cells = []
            for n in sizes:
                rng = np.random.default_rng(0)
                a = rng.standard_normal(n).astype(dt)
                b = rng.standard_normal(n).astype(dt)
                x, y = xp.asarray(a), xp.asarray(b)
                number = max(1, int(2e6 // max(n, 1000)))
                tx, tn, tt = [], [], []
                for _ in range(repeat):
                    tx.append(per_call("f(xp, x, y)", dict(f=f, xp=xp, x=x, y=y), number, 1))
                    tn.append(per_call("f(np, a, b)", dict(f=f, np=np, a=a, b=b), number, 1))
                    if torch is not None:
                        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
                        tt.append(per_call("f(torch, a, b)", dict(f=f, torch=torch, a=ta, b=tb),
                                           number, 1))
                rx, rn = statistics.median(tx), statistics.median(tn)
                cell = f"{rx / rn:5.2f}"
                if tt:
                    cell += f"/{rx / statistics.median(tt):5.2f}"
                cells.append(cell)
            print(f"{dt:8} {name:16} " + "  ".join(f"{n:.0e}:{c}" for n, c in zip(sizes, cells)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    repeat = 5 if args.quick else 9
    bench_overhead(repeat)
    sizes = (100, 10_000, 1_000_000) if args.quick else (100, 10_000, 1_000_000, 10_000_000)
    bench_sizes(sizes, 3 if args.quick else 5)


if __name__ == "__main__":
    main()
