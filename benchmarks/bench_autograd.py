"""Autograd costs: the check plain calls pay, recording, and backward vs PyTorch.

Run: ``python benchmarks/bench_autograd.py [--quick]``.

1. Overhead on arrays that need no gradient: per-call time of ``xp.add``,
   ``xp.multiply``, ``xp.exp``, ``xp.sum`` and ``xp.reshape`` on 100-element
   float64 arrays (a) in a process where ``minitensor.autograd`` was never
   imported and (b) in a process that imported it (plain arrays in both).
   Worker processes of both kinds run in alternation (the machine is 2 shared,
   noisy cores); each figure is the best (min) over rounds of the best of many
   short interleaved batches (the min filters out time stolen by other work).
   The ratio b/a must stay within 5%. Then, in one process: (c) the function
   with no autograd check at all (the raw function under the ``differentiable``
   wrapper) vs (e) the public function with the hook installed.
2. A 50-op chain (multiply, add, tanh, exp, ..., sum) on 100 and 1e6
   elements: forward without gradients, forward recording the graph
   (``requires_grad=True``), and ``backward()``; the same in PyTorch with 1 and 2
   threads (minitensor's kernel thread count is set to match). Medians of
   repeats; ratios > 1 mean minitensor is slower.
3. Per recorded op, 1 thread (``MINITENSOR_NUM_THREADS=1``,
   ``torch.set_num_threads(1)``): ``add``, ``multiply``, ``exp``, ``tanh``,
   ``sum`` on float32/float64 leaves (``requires_grad=True``) of 100 and 1e6
   elements: the forward call that records a node, and the backward of a
   50-op chain of that op divided by 50 (the per-node share of the walk).
   minitensor and PyTorch batches alternate in one process; medians of the
   per-batch times; ratio > 1 means minitensor is slower.
"""
import argparse
import json
import os

os.environ.setdefault("MINITENSOR_NUM_THREADS", "1")  # section 3 runs with 1 thread
import statistics
import subprocess
import sys
import time
import timeit

OPS = [
    ("add", "xp.add(x, y)"),
    ("multiply", "xp.multiply(x, y)"),
    ("exp", "xp.exp(x)"),
    ("sum", "xp.sum(x)"),
    ("reshape", "xp.reshape(x, (10, 10))"),
]


# ------------------------------------------------------------ 1. plain overhead
def _worker(kind, number, repeat):
    """Per-call medians (seconds) of OPS in this process; prints JSON."""
    import numpy as np

    import minitensor as xp
    if kind == "autograd":
        import minitensor.autograd  # noqa: F401  (installs the hook)
        assert xp._dispatch.state.hook is not None
    else:
        assert "minitensor.autograd" not in sys.modules
    x = xp.asarray(np.linspace(-1.0, 1.0, 100))
    y = xp.asarray(np.linspace(0.5, 1.5, 100))
    g = {"xp": xp, "x": x, "y": y}
    timers = [(name, timeit.Timer(stmt, globals=g)) for name, stmt in OPS]
    for _, t in timers:  # warm up
        t.timeit(number)
    best = {name: float("inf") for name, _ in OPS}
    for _ in range(repeat):  # ops interleaved, short batches: min is robust to noise
        for name, t in timers:
            best[name] = min(best[name], t.timeit(number) / number)
    print(json.dumps(best))


def bench_plain_overhead(rounds, number, repeat):
    print(f"1. Plain calls on 100-element float64 arrays, per call (us); best of {rounds} "
          f"alternating rounds of worker processes ({repeat} x {number} calls each)")
    res = {"plain": [], "autograd": []}
    for _ in range(rounds):
        for kind in ("plain", "autograd"):
            r = subprocess.run([sys.executable, __file__, "--worker", kind, "--number", str(number),
                                "--repeat", str(repeat)], capture_output=True, text=True,
                               check=True)
            res[kind].append(json.loads(r.stdout.strip().splitlines()[-1]))
    print(f"{'op':>10} {'(a) never imported':>19} {'(b) autograd loaded':>20} {'b/a':>7}")
    worst = 0.0
    for name, _ in OPS:
        a = min(r[name] for r in res["plain"])
        b = min(r[name] for r in res["autograd"])
        worst = max(worst, b / a)
        print(f"{name:>10} {a * 1e6:19.3f} {b * 1e6:20.3f} {b / a:7.3f}")
    print(f"worst ratio b/a: {worst:.3f} ({'within' if worst <= 1.05 else 'OVER'} 5%)")
    # the check itself, measured in one process, alternating: (c) the function
    # without any autograd check (the raw function under a ``differentiable``
    # wrapper; the elementwise table functions have no separate raw path: their
    # check is the ``type(x) is Tensor`` fast-path test they need anyway), with
    # the hook (d) unset and (e) set
    import numpy as np

    import minitensor as xp
    import minitensor.autograd  # noqa: F401
    state = xp._dispatch.state
    hook = state.hook
    x = xp.asarray(np.linspace(-1.0, 1.0, 100))
    g = {"xp": xp, "x": x, "y": x}
    for name, _ in OPS:
        f = getattr(xp, name)
        g["raw_" + name] = getattr(f, "__wrapped_raw__", f)
        g["pub_" + name] = f  # the same (global-name) lookup as raw_ for a fair comparison
    ab = {name: [float("inf")] * 3 for name, _ in OPS}
    timers = {}
    for name, stmt in OPS:
        timers[name] = (timeit.Timer(stmt.replace(f"xp.{name}(", f"raw_{name}("), globals=g),
                        timeit.Timer(stmt.replace(f"xp.{name}(", f"pub_{name}("), globals=g))
    try:
        for _ in range(rounds * repeat):  # variants interleaved per batch; min
            for i, h in enumerate((None, None, hook)):
                state.hook = h
                for name, (traw, tpub) in timers.items():
                    t = traw if i == 0 else tpub
                    ab[name][i] = min(ab[name][i], t.timeit(number) / number)
    finally:
        state.hook = hook
    print(f"   one process, alternating (us): {'op':>9} {'(c) no check':>13} "
          f"{'(d) hook unset':>15} {'(e) hook set':>13} {'e/c':>6}")
    worst = 0.0
    for name, (c, d, e) in ab.items():
        worst = max(worst, e / c)
        print(f"   {'':>30}{name:>9} {c * 1e6:13.3f} {d * 1e6:15.3f} {e * 1e6:13.3f} "
              f"{e / c:6.3f}")
    print(f"   worst ratio e/c: {worst:.3f} ({'within' if worst <= 1.05 else 'OVER'} 5%)")


# ------------------------------------------------------ 2. recording / backward
def _chain(m, x):
    """50 operations: 12 x (multiply, add, tanh, exp), then multiply and sum."""
    y = x
    for _ in range(12):
        y = y * 0.9
        y = y + 0.1
        y = m.tanh(y)
        y = m.exp(y)
    y = y * 0.5
    return m.sum(y)


def _median_time(fn, repeat):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def _measure(lib, m, make_plain, make_leaf, repeat):
    """(forward plain, forward recording, backward) medians in seconds."""
    xplain = make_plain()
    _chain(m, xplain)  # warm up
    fwd = _median_time(lambda: _chain(m, xplain), repeat)
    leaf = make_leaf()
    rec = _median_time(lambda: _chain(m, leaf), repeat)
    bwd = []
    for _ in range(repeat):
        leaf.grad = None
        y = _chain(m, leaf)
        t0 = time.perf_counter()
        y.backward()
        bwd.append(time.perf_counter() - t0)
    return fwd, rec, statistics.median(bwd)


def bench_chain(sizes, repeat_small, repeat_large):
    import numpy as np

    import minitensor as xp
    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    print()
    print("2. A 50-op chain (multiply, add, tanh, exp x 12, multiply, sum), float64; medians (ms)")
    hdr = (f"{'n':>8} {'thr':>3} | {'fwd':>9} {'fwd+rec':>9} {'rec/fwd':>7} {'backward':>9} | "
           f"{'torch fwd':>9} {'t fwd+rec':>9} {'t rec/fwd':>9} {'t bwd':>9} | "
           f"{'fwd/t':>6} {'rec/t':>6} {'bwd/t':>6}")
    print(hdr)
    set_threads = getattr(xp, "set_num_threads", None)
    for n in sizes:
        data = np.linspace(-1.0, 1.0, n)
        repeat = repeat_small if n <= 10_000 else repeat_large
        for threads in (1, 2):
            if set_threads is not None:
                set_threads(threads)
            ours = _measure("xp", xp, lambda: xp.asarray(data),
                            lambda: xp.tensor(data, requires_grad=True), repeat)
            if torch is not None:
                torch.set_num_threads(threads)
                theirs = _measure("torch", torch, lambda: torch.tensor(data),
                                  lambda: torch.tensor(data, requires_grad=True), repeat)
            else:
                theirs = (float("nan"),) * 3
            f, r, b = (v * 1e3 for v in ours)
            tf, tr, tb = (v * 1e3 for v in theirs)
            print(f"{n:>8} {threads:>3} | {f:9.3f} {r:9.3f} {r / f:7.2f} {b:9.3f} | "
                  f"{tf:9.3f} {tr:9.3f} {tr / tf:9.2f} {tb:9.3f} | "
                  f"{f / tf:6.2f} {r / tr:6.2f} {b / tb:6.2f}")
    if set_threads is not None:
        set_threads(os.cpu_count() or 1)


# ------------------------------------------------- 3. per recorded op, 1 thread
PER_OP = ("add", "multiply", "exp", "tanh", "sum")


def _op_fns(m, name, other):
    if name == "add":
        return lambda a: m.add(a, other)
    if name == "multiply":
        return lambda a: m.multiply(a, other)
    if name == "sum":
        return lambda a: m.sum(a)
    return getattr(m, name)


def bench_per_op(sizes, repeat, number_small, number_large):
    import numpy as np

    import minitensor as xp
    import minitensor.autograd  # noqa: F401
    import torch
    if hasattr(xp, "set_num_threads"):
        xp.set_num_threads(1)
    torch.set_num_threads(1)
    print()
    print(f"3. Per recorded op, 1 thread; medians of {repeat} interleaved batches (us per op): "
          f"forward with recording, and backward of a 50-op chain / 50")
    print(f"{'n':>8} {'dtype':>7} {'op':>9} | {'rec':>8} {'t rec':>8} {'rec/t':>6} | "
          f"{'bwd/op':>8} {'t bwd/op':>8} {'bwd/t':>6}")
    out = {}
    for n in sizes:
        number = number_small if n <= 10_000 else number_large
        rep = repeat if n <= 10_000 else max(3, repeat // 10)
        for dt in ("float32", "float64"):
            data = np.linspace(-1.0, 1.0, n).astype(dt)
            odata = np.linspace(0.5, 1.5, n).astype(dt)
            for name in PER_OP:
                libs = []
                for m, mk in ((xp, lambda d, r: xp.tensor(d, requires_grad=r)),
                              (torch, lambda d, r: torch.tensor(d, requires_grad=r))):
                    leaf = mk(data, True)
                    f = _op_fns(m, name, mk(odata, False))

                    def fwd(f=f, leaf=leaf, number=number):
                        t0 = time.perf_counter()
                        for _ in range(number):
                            f(leaf)
                        return (time.perf_counter() - t0) / number

                    def bwd(f=f, leaf=leaf):
                        leaf.grad = None
                        y = leaf
                        for _ in range(50):
                            y = f(y)
                        if y.ndim:
                            y = y.sum()  # (not timed separately: one extra node)
                        t0 = time.perf_counter()
                        y.backward()
                        return (time.perf_counter() - t0) / 50

                    libs.append((fwd, bwd))
                res = [[[], []], [[], []]]
                with np.errstate(all="ignore"):
                    for lib in libs:  # warm up
                        lib[0]()
                        lib[1]()
                    for _ in range(rep):
                        for i, (fwd, bwd) in enumerate(libs):
                            res[i][0].append(fwd())
                            res[i][1].append(bwd())
                (r, b), (tr, tb) = ([statistics.median(v) * 1e6 for v in x] for x in res)
                out[(n, dt, name)] = (r, tr, b, tb)
                print(f"{n:>8} {dt:>7} {name:>9} | {r:8.2f} {tr:8.2f} {r / tr:6.2f} | "
                      f"{b:8.2f} {tb:8.2f} {b / tb:6.2f}")
    small = [v for k, v in out.items() if k[0] <= 10_000]
    if small:
        print(f"median ratio, small tensors: recording {statistics.median(v[0] / v[1] for v in small):.2f}, "
              f"backward per node {statistics.median(v[2] / v[3] for v in small):.2f}")
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer rounds and repeats")
    p.add_argument("--per-op", action="store_true", help="only section 3 (per recorded op)")
    p.add_argument("--worker", choices=("plain", "autograd"), help=argparse.SUPPRESS)
    p.add_argument("--number", type=int, default=20000, help=argparse.SUPPRESS)
    p.add_argument("--repeat", type=int, default=7, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        _worker(args.worker, args.number, args.repeat)
        return
    if args.per_op:
        bench_per_op((100, 1_000_000), repeat=30 if args.quick else 100, number_small=200,
                     number_large=2)
        return
    if args.quick:
        bench_plain_overhead(rounds=3, number=200, repeat=50)
        bench_chain((100, 1_000_000), repeat_small=20, repeat_large=3)
        bench_per_op((100, 1_000_000), repeat=30, number_small=200, number_large=2)
    else:
        bench_plain_overhead(rounds=7, number=200, repeat=300)
        bench_chain((100, 1_000_000), repeat_small=200, repeat_large=7)
        bench_per_op((100, 1_000_000), repeat=100, number_small=200, number_large=2)


if __name__ == "__main__":
    main()
