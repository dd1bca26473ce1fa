"""Per-call cost and throughput of namespace calls: minitensor vs NumPy vs PyTorch.

Run: ``python benchmarks/bench_namespace.py [--quick]``. Everything is timed in
one process; each figure is the median of repeats with the libraries measured
in alternation (the machines are 2 shared, noisy cores). Ratios < 1 mean
minitensor is faster.
"""
import argparse
import os
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


# (label, minitensor statement, NumPy statement, torch statement); names: xp/np/torch,
# x/y: 4x4 float64 tensors (a/b: NumPy, ta/tb: torch), x1/y1 (a1/b1, ta1/tb1): 1 element.
PER_CALL = [
    ("zeros((4,4))", "xp.zeros((4, 4))", "np.zeros((4, 4))", "torch.zeros((4, 4), dtype=f64)"),
    ("ones((4,4))", "xp.ones((4, 4))", "np.ones((4, 4))", "torch.ones((4, 4), dtype=f64)"),
    ("empty((4,4))", "xp.empty((4, 4))", "np.empty((4, 4))", "torch.empty((4, 4), dtype=f64)"),
    ("full((4,4),1.5)", "xp.full((4, 4), 1.5)", "np.full((4, 4), 1.5)",
     "torch.full((4, 4), 1.5, dtype=f64)"),
    ("zeros_like(x)", "xp.zeros_like(x)", "np.zeros_like(a)", "torch.zeros_like(ta)"),
    ("ones_like(x)", "xp.ones_like(x)", "np.ones_like(a)", "torch.ones_like(ta)"),
    ("empty_like(x)", "xp.empty_like(x)", "np.empty_like(a)", "torch.empty_like(ta)"),
    ("full_like(x,2.)", "xp.full_like(x, 2.0)", "np.full_like(a, 2.0)", "torch.full_like(ta, 2.0)"),
    ("asarray(tensor)", "xp.asarray(x)", "np.asarray(a)", "torch.asarray(ta)"),
    ("asarray(ndarray)", "xp.asarray(a)", "np.asarray(a)", "torch.asarray(a)"),
    ("asarray([1.,2.,3.])", "xp.asarray([1.0, 2.0, 3.0])", "np.asarray([1.0, 2.0, 3.0])",
     "torch.asarray([1.0, 2.0, 3.0], dtype=f64)"),
    ("arange(10)", "xp.arange(10)", "np.arange(10)", "torch.arange(10)"),
    ("a+b (1 elem)", "x1 + y1", "a1 + b1", "ta1 + tb1"),
    ("a+b (4x4)", "x + y", "a + b", "ta + tb"),
    ("a+2.0 (1 elem)", "x1 + 2.0", "a1 + 2.0", "ta1 + 2.0"),
    ("a*2.0 (4x4)", "x * 2.0", "a * 2.0", "ta * 2.0"),
    ("a-b (4x4)", "x - y", "a - b", "ta - tb"),
    ("-a (4x4)", "-x", "-a", "-ta"),
    ("a@b (4x4)", "x @ y", "a @ b", "ta @ tb"),
    ("a<b (4x4)", "x < y", "a < b", "ta < tb"),
    ("a+=b (4x4)", "v += y", "v += b", "v += tb"),   # v: x, a, ta (timeit setup)
    ("xp.add(a,b) (4x4)", "xp.add(x, y)", "np.add(a, b)", "torch.add(ta, tb)"),
]


def bench_per_call(repeat, rounds=5):
    """Per-call time of creation functions and operators on tiny arrays, vs NumPy
    and torch: the three libraries alternate statement by statement; each figure
    is the median over ``rounds`` rounds of the best of ``repeat`` timings."""
    print("\nPer-call time (us), float64, tiny arrays; libraries interleaved, median of "
          f"{rounds} rounds of best-of-{repeat}")
    a, b = np.ones((4, 4)), np.ones((4, 4))
    a1, b1 = np.ones(1), np.ones(1)
    g = dict(xp=xp, np=np, torch=torch, a=a, b=b, a1=a1, b1=b1,
             x=xp.ones((4, 4)), y=xp.ones((4, 4)), x1=xp.ones(1), y1=xp.ones(1))
    if torch is not None:
        g.update(f64=torch.float64, ta=torch.ones((4, 4), dtype=torch.float64),
                 tb=torch.ones((4, 4), dtype=torch.float64),
                 ta1=torch.ones(1, dtype=torch.float64), tb1=torch.ones(1, dtype=torch.float64))
    print(f"{'call':20} {'minitensor':>10} {'numpy':>8} {'torch':>8} | {'mt/np':>6} {'mt/torch':>8}")
    for label, sx, sn, st in PER_CALL:
        res = {"x": [], "n": [], "t": []}
        for _ in range(rounds):
            for key, stmt in (("x", sx), ("n", sn), ("t", st)):
                if key == "t" and torch is None:
                    continue
                setup = "v = " + {"x": "x", "n": "a", "t": "ta"}[key] if "v +=" in stmt else "pass"
                t = timeit.Timer(stmt, setup=setup, globals=g)
                res[key].append(min(t.repeat(repeat=repeat, number=2000)) / 2000 * 1e6)
        m = {k: statistics.median(v) if v else float("nan") for k, v in res.items()}
        print(f"{label:20} {m['x']:10.3f} {m['n']:8.3f} {m['t']:8.3f} | "
              f"{m['x'] / m['n']:6.2f} {m['x'] / m['t']:8.2f}")


def _gelu(m, x):
    return 0.5 * x * (1.0 + m.tanh(0.7978845608028654 * (x + 0.044715 * (x * x * x))))


def bench_elision(repeat, n=10_000_000):
    """Composed expressions on large float32 arrays (temporaries: NumPy writes into
    them, see ``_array_object._elide``): minitensor with elision, without it
    (``_ELIDE_BYTES`` raised above every size), NumPy and torch, interleaved."""
    import minitensor._array_object as ao
    rng = np.random.default_rng(0)
    a = rng.standard_normal(n, dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    x, y = xp.asarray(a), xp.asarray(b)
    cases = [("composed GELU", lambda m, u, v: _gelu(m, u)),
             ("(a + b) * a - b", lambda m, u, v: (u + v) * u - v)]
    on = getattr(ao, "_ELIDE_BYTES", None)
    print(f"\nComposed expressions, {n:.0e} float32, ms; median of {repeat} interleaved repeats")
    print(f"{'expression':18} {'mt':>8} {'mt no-elide':>11} {'numpy':>8} {'torch':>8} | "
          f"{'mt/np':>6} {'no-el/np':>8} {'mt/torch':>8}")
    for label, f in cases:
        res = {"x": [], "x0": [], "n": [], "t": []}
        for _ in range(repeat):
            res["x"].append(min(timeit.repeat(lambda: f(xp, x, y), number=1, repeat=2)))
            if on is not None:
                ao._ELIDE_BYTES = 1 << 62
                res["x0"].append(min(timeit.repeat(lambda: f(xp, x, y), number=1, repeat=2)))
                ao._ELIDE_BYTES = on
            res["n"].append(min(timeit.repeat(lambda: f(np, a, b), number=1, repeat=2)))
            if torch is not None:
                ta, tb = torch.from_numpy(a), torch.from_numpy(b)
                res["t"].append(min(timeit.repeat(lambda: f(torch, ta, tb), number=1, repeat=2)))
        m = {k: statistics.median(v) * 1e3 if v else float("nan") for k, v in res.items()}
        print(f"{label:18} {m['x']:8.2f} {m['x0']:11.2f} {m['n']:8.2f} {m['t']:8.2f} | "
              f"{m['x'] / m['n']:6.2f} {m['x0'] / m['n']:8.2f} {m['x'] / m['t']:8.2f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--per-call", action="store_true",
                   help="only the per-call table (creation functions and operators)")
    p.add_argument("--elision", action="store_true",
                   help="only the composed-expression table (temporary elision)")
    args = p.parse_args()
    repeat = 5 if args.quick else 9
    print(f"load average {os.getloadavg()[0]:.2f}")
    if not args.elision:
        bench_per_call(repeat)
    if args.per_call or args.elision:
        if args.elision:
            bench_elision(repeat)
        return
    bench_overhead(repeat)
    sizes = (100, 10_000, 1_000_000) if args.quick else (100, 10_000, 1_000_000, 10_000_000)
    bench_sizes(sizes, 3 if args.quick else 5)


if __name__ == "__main__":
    main()
