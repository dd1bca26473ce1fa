"""Dask with minitensor chunks vs NumPy chunks, and the cost of NumPy's protocols.

1. On a 2-worker ``distributed.LocalCluster`` (processes, 1 thread each), the same
   computations on an n x n float64 array (default 4000) in chunks of
   ``--chunk`` (default 1000): elementwise + sum, mean, var, matmul, rechunk + sum;
   once with minitensor chunks (``minitensor.dask.from_tensor``), once with NumPy
   chunks (``dask.array.from_array``), interleaved, ``--repeats`` times; medians and
   the ratio minitensor / NumPy (goal: within 10 %).
2. The protocols' added cost per ``np.*`` call on a small tensor (8 elements):
   ``np.exp(t)``, ``np.add(t, t)``, ``np.sum(t)``, ``np.concatenate([t, t])``
   vs the same call on the tensor's ndarray (goal: <= 2 us).

Run ``python benchmarks/bench_dask.py`` (``--quick``: n=1000, 3 repeats); report
the machine's load (``uptime``) with the figures.
"""
import argparse
import os
import statistics
import sys
import time
import timeit

import numpy as np


def _protocol_overhead(number=20000, repeat=7):
    import minitensor as xp
    a = np.linspace(0.0, 1.0, 8)
    t = xp.asarray(a.copy())
    rows = []
    for name, stmt in (("np.exp(x)", lambda x: np.exp(x)),
                       ("np.add(x, x)", lambda x: np.add(x, x)),
                       ("np.sum(x)", lambda x: np.sum(x)),
                       ("np.sum(x, axis=0)", lambda x: np.sum(x, axis=0)),
                       ("np.concatenate([x, x])", lambda x: np.concatenate([x, x])),
                       ("np.where(x > 0.5, x, 0.0)", lambda x: np.where(x > 0.5, x, 0.0))):
        tt, tn = [], []
        for _ in range(repeat):  # interleaved
            tt.append(timeit.timeit(lambda: stmt(t), number=number) / number)
            tn.append(timeit.timeit(lambda: stmt(a), number=number) / number)
        mt, mn = min(tt), min(tn)
        rows.append((name, mt * 1e6, mn * 1e6, (mt - mn) * 1e6))
    return rows


def _dask_cases(da, x):
    return {
        "elementwise+sum": lambda: ((x * 2.0 + 1.0) ** 2).sum(),
        "mean": lambda: x.mean(axis=0),
        "var": lambda: x.var(),
        "matmul": lambda: (x @ x.T).sum(axis=0),
        "rechunk+sum": lambda: x.rechunk((x.shape[0], x.chunksize[1] // 2)).sum(axis=0),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--chunk", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--skip-dask", action="store_true")
    args = p.parse_args(argv)
    if args.quick:
        args.n, args.chunk, args.repeats = 1000, 250, 3
    print(f"load: {os.getloadavg()}  cpus: {os.cpu_count()}")

    print("\nprotocol overhead per call, 8-element float64 (min of 7 x 20000 calls)")
    print(f"{'call':28s} {'tensor us':>10s} {'ndarray us':>11s} {'added us':>9s}")
    for name, mt, mn, d in _protocol_overhead():
        print(f"{name:28s} {mt:10.2f} {mn:11.2f} {d:9.2f}")
    if args.skip_dask:
        return 0

    import dask.array as da
    import distributed

    import minitensor as xp
    import minitensor.dask as mtd
    rng = np.random.default_rng(0)
    a = rng.standard_normal((args.n, args.n))
    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        xm = client.persist(mtd.from_tensor(xp.asarray(a), chunks=args.chunk))
        xn = client.persist(da.from_array(a, chunks=args.chunk))
        distributed.wait([xm, xn])
        cm, cn = _dask_cases(da, xm), _dask_cases(da, xn)
        print(f"\nDask on {args.workers} worker processes, {args.n}x{args.n} float64, chunks "
              f"{args.chunk}x{args.chunk}; medians of {args.repeats} interleaved runs")
        print(f"{'computation':18s} {'minitensor s':>13s} {'NumPy s':>9s} {'ratio':>7s}  check")
        for name in cm:
            tm, tn = [], []
            for _ in range(args.repeats):
                for f, acc in ((cm[name], tm), (cn[name], tn)):
                    t0 = time.perf_counter()
                    r = client.compute(f(), sync=True)
                    acc.append(time.perf_counter() - t0)
                    if f is cm[name]:
                        rm = r
                    else:
                        rn = r
            ok = type(rm).__name__ == "Tensor" and np.allclose(np.asarray(rm), rn, rtol=1e-12)
            mm, mn = statistics.median(tm), statistics.median(tn)
            print(f"{name:18s} {mm:13.3f} {mn:9.3f} {mm / mn:7.2f}  {'ok' if ok else 'MISMATCH'}")
    print(f"load after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
