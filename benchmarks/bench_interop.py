"""SciPy's and scikit-learn's Array API code on minitensor arrays vs NumPy arrays.

Run: ``python benchmarks/bench_interop.py [--quick] [--repeat N] [--clock wall]``.
Each call gets the same data (1e6 elements) once as NumPy arrays and once as
minitensor arrays; the two are timed in alternation and the median of the
repeats is reported, with the ratio minitensor / NumPy (target: within 10%,
i.e. <= 1.10). scikit-learn runs with ``array_api_dispatch=True`` for both inputs.

Both sides run single-threaded (BLAS/OpenMP and minitensor's kernels, set here
before NumPy is imported) and are timed by default with the process CPU clock
(``time.process_time``), which a busy shared machine disturbs much less than
wall time; ``--clock wall`` uses ``time.perf_counter``.

SCIPY_ARRAY_API=1 is set here, before SciPy is imported.
"""
import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("SCIPY_ARRAY_API", "1")
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

import minitensor as mt  # noqa: E402


def _calls(n):
    import scipy.fft
    import scipy.ndimage
    import scipy.signal
    import scipy.special
    import scipy.stats
    from sklearn.decomposition import PCA
    from sklearn.linear_model import Ridge
    from sklearn.metrics import mean_squared_error, pairwise_distances, r2_score
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    rng = np.random.default_rng(0)
    side = int(round(n ** 0.5))
    x1 = rng.standard_normal(n)
    x2 = rng.standard_normal((side, side))
    tall = rng.standard_normal((n // 10, 10))            # 1e6 elements, 10 features
    y = tall @ rng.standard_normal(10) + 0.1 * rng.standard_normal(n // 10)
    ker = rng.standard_normal(101)
    pw = rng.standard_normal((1000, 1000))                 # 1e6-element pairwise input
    return [
        # (name, function, NumPy arguments)
        ("special.logsumexp(x)", scipy.special.logsumexp, (x1,)),
        ("special.logsumexp(X, axis=1)", lambda a: scipy.special.logsumexp(a, axis=1), (x2,)),
        ("special.softmax(X, axis=1)", lambda a: scipy.special.softmax(a, axis=1), (x2,)),
        ("special.erf(x)", scipy.special.erf, (x1,)),
        ("stats.zscore(X)", scipy.stats.zscore, (x2,)),
        ("stats.moment(X, order=3)", lambda a: scipy.stats.moment(a, order=3), (x2,)),
        ("stats.skew(X)", scipy.stats.skew, (x2,)),
        ("signal.fftconvolve(x, k)", scipy.signal.fftconvolve, (x1, ker)),
        ("signal.convolve(x, k)", scipy.signal.convolve, (x1, ker)),
        ("fft.rfft(x)", scipy.fft.rfft, (x1,)),
        ("ndimage.gaussian_filter(X, 2)", lambda a: scipy.ndimage.gaussian_filter(a, 2.0),
         (x2,)),
        ("StandardScaler.fit_transform", lambda a: StandardScaler().fit_transform(a), (tall,)),
        ("MinMaxScaler.fit_transform", lambda a: MinMaxScaler().fit_transform(a), (tall,)),
        ("PCA(5, full).fit_transform", lambda a: PCA(5, svd_solver="full").fit_transform(a),
         (tall,)),
        ("PCA(5, covariance_eigh).fit", lambda a: PCA(5, svd_solver="covariance_eigh").fit(a),
         (tall,)),
        ("Ridge(svd).fit", lambda a, b: Ridge(solver="svd").fit(a, b), (tall, y)),
        ("metrics.r2_score", r2_score, (y, y * 0.9 + 0.1)),
        ("metrics.mean_squared_error", mean_squared_error, (x1, x1 * 0.9 + 0.1)),
        ("metrics.pairwise_distances", lambda a: pairwise_distances(a[:300], a), (pw,)),
    ]


_clock = time.process_time


def _time(f, args, number):
    t0 = _clock()
    for _ in range(number):
        f(*args)
    return (_clock() - t0) / number


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="1e5 elements, 3 repeats")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--clock", choices=("process", "wall"), default="process",
                   help="process CPU time (default) or wall time")
    p.add_argument("--only", default="", help="comma-separated substrings of call names")
    args = p.parse_args()
    global _clock
    _clock = time.process_time if args.clock == "process" else time.perf_counter
    mt.set_num_threads(1)
    n = 100_000 if args.quick else 1_000_000
    repeat = 3 if args.quick else args.repeat

    import sklearn
    warnings.simplefilter("ignore")  # scikit-learn's notices about solvers
    calls = _calls(n)
    if args.only:
        calls = [c for c in calls if any(k in c[0] for k in args.only.split(","))]
    print(f"SciPy / scikit-learn Array API calls on {n:.0e} elements: median of {repeat} "
          f"repeats (ms, {args.clock} clock, 1 thread), NumPy vs minitensor inputs, "
          f"timed in alternation")
    print(f"{'call':<32} {'numpy':>9} {'minitensor':>11} {'ratio':>7}")
    ratios = []
    with sklearn.config_context(array_api_dispatch=True):
        for name, f, np_args in calls:
            mt_args = tuple(mt.asarray(a) for a in np_args)
            f(*np_args), f(*mt_args)  # warm up (imports, caches)
            number = max(1, int(0.2 / max(_time(f, np_args, 1), 1e-4)))
            tn, tm = [], []
            for _ in range(repeat):
                tn.append(_time(f, np_args, number))
                tm.append(_time(f, mt_args, number))
            a, b = statistics.median(tn), statistics.median(tm)
            ratios.append(b / a)
            flag = "" if b / a <= 1.10 else "  <-- over 10%"
            print(f"{name:<32} {a * 1e3:9.2f} {b * 1e3:11.2f} {b / a:7.2f}{flag}")
    print(f"{'geometric mean ratio':<32} {'':>9} {'':>11} "
          f"{statistics.geometric_mean(ratios):7.2f}")


if __name__ == "__main__":
    main()
