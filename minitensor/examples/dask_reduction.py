"""A reduction over a Dask array of minitensor chunks on a local Dask cluster.

``python -m minitensor.examples.dask_reduction`` starts a ``distributed.LocalCluster``
(2 worker processes), builds an ``n x n`` float64 array whose chunks are
minitensor tensors (``minitensor.dask.from_tensor``), computes per-column
standardised sums of squares and a global log-sum-exp on the workers, and checks
them against NumPy on the same data. Exit status 0 when they agree (relative
difference below 1e-12). ``--workers 0`` uses Dask's synchronous scheduler (no
cluster). Needs ``pip install "minitensor[dask]"``.
"""
import argparse
import sys
import time

import numpy as np

import minitensor as xp


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=4000, help="the array is n x n float64")
    p.add_argument("--chunk", type=int, default=1000, help="chunks are chunk x chunk")
    p.add_argument("--workers", type=int, default=2,
                   help="worker processes of the LocalCluster (0: synchronous, no cluster)")
    args = p.parse_args(argv)
    try:
        import dask
        import dask.array as da
        import minitensor.dask as mtd
    except ImportError:
        print("this example needs Dask: pip install \"minitensor[dask]\"", file=sys.stderr)
        return 2

    rng = np.random.default_rng(0)
    a = rng.standard_normal((args.n, args.n))
    x = mtd.from_tensor(xp.asarray(a), chunks=args.chunk)
    print(f"array {x.shape} {x.dtype}, {x.npartitions} chunks of {x.chunksize}, "
          f"chunk type: {type(x._meta).__name__}")

    def reductions(y):
        z = (y - y.mean(axis=0)) / y.std(axis=0)
        m = y.max()
        return (z ** 2).sum(axis=0), m + da.log(da.exp(y - m).sum())

    client = cluster = None
    if args.workers > 0:
        import distributed
        cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                           processes=True, dashboard_address=None,
                                           silence_logs=40)
        client = distributed.Client(cluster)
        print(f"cluster: {args.workers} worker processes")
    try:
        t0 = time.perf_counter()
        if client is not None:
            ssq, lse = client.compute(reductions(x), sync=True)
        else:
            ssq, lse = dask.compute(*reductions(x), scheduler="synchronous")
        dt = time.perf_counter() - t0
    finally:
        if client is not None:
            client.close()
            cluster.close()

    e_ssq = (((a - a.mean(0)) / a.std(0)) ** 2).sum(0)
    e_lse = a.max() + np.log(np.exp(a - a.max()).sum())
    diff = max(float(np.max(np.abs(np.asarray(ssq) - e_ssq) / np.abs(e_ssq))),
               abs(float(lse) - e_lse) / abs(e_lse))
    print(f"result types: {type(ssq).__name__}, {type(lse).__name__}; computed in {dt:.3f} s")
    print(f"sum of squares of standardised columns: mean {float(xp.mean(ssq)):.6f} "
          f"(n = {args.n}); log-sum-exp {float(lse):.6f}")
    print(f"max relative difference vs NumPy: {diff:.2e}")
    return 0 if diff < 1e-12 and type(ssq).__name__ == "Tensor" else 1


if __name__ == "__main__":
    sys.exit(main())
