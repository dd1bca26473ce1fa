"""The corpus of PyTorch training programs (``tests/torch_programs/prog_*.py``)
timed on PyTorch and, after the mechanical import swap, on ``minitensor.torch``.

    python benchmarks/bench_programs.py                      # 16 programs, 5 repeats (~1.5 min)
    python benchmarks/bench_programs.py --quick              # 2 repeats
    python benchmarks/bench_programs.py --program char_gpt,resnet --repeat 9
    python benchmarks/bench_programs.py --program resnet --profile   # cProfile, minitensor side

Each program's ``main()`` (its defaults: seed, sizes, steps) is the training
loop: building the model and the synthetic data, training, evaluating. Only
``main()`` is timed (loading the module and the swap are not). The programs are
loaded and run by ``tests/torch_programs/_swap.py``, the code the tests
(``tests/test_torch_programs.py``) use, in two spawned worker processes, one per
library: the minitensor worker never imports torch. (In one process, as in the
tests, torch's ~145,000 tracked Python objects make every full collection of
the cyclic garbage collector ~30x slower, and minitensor's allocations trigger
such collections: lstmcell_lbfgs took 1.36 s instead of 0.78 s. ``--same-process``
measures that way.)

Everything runs on one thread: ``torch.set_num_threads(1)``,
``minitensor.set_num_threads(1)`` and the BLAS pool (threadpoolctl) limited to 1
(``_swap.one_thread``, which also pays PyTorch's start-up costs). Per program:
one warm-up run of each, then ``--repeat`` interleaved runs (torch, minitensor,
torch, minitensor, ...), ``gc.collect()`` before each; a program that runs for
less than ``--min-time`` (0.2 s) runs several times back to back per sample
(the count, fixed per program and face from the warm-up, is printed as
"runs/sample"), and the sample is the mean; printed: the medians in ms per run,
the ratio minitensor / torch of the medians (< 1: minitensor is faster), and at
the end the geometric mean of the ratios. The first line gives the date, the
CPU count, the load average and the versions; the last, the load average again.
On a shared machine wall time includes waiting for a core: ``--clock cpu``
(process CPU time) is steadier there.

``--profile`` runs each selected program once on minitensor under cProfile
(after a warm-up run; in this process, without importing torch) and prints the
top ``--top`` functions by tottime; ``--dump PREFIX`` keeps the raw profiles.
"""
import argparse
import cProfile
import datetime
import gc
import importlib.metadata
import io
import math
import multiprocessing as mp
import os
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from torch_programs import _swap  # noqa: E402

import numpy as np  # noqa: E402

import minitensor  # noqa: E402


def _load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def _header(torch_version, args):
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (f"{now}  cpus {os.cpu_count()} (usable {affinity})  load {_load()}  "
            f"python {platform.python_version()}  numpy {np.__version__}  "
            f"torch {torch_version}  minitensor {minitensor.__version__}  "
            f"threads 1  clock {args.clock}  repeats {args.repeat}  "
            f"{'one process' if args.same_process else 'one worker process per library'}")


def _select(names, spec):
    if not spec:
        return names
    wanted = [s.strip().removeprefix("prog_") for s in spec.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in names]
    if unknown:
        sys.exit(f"unknown program(s) {unknown}; the corpus: {', '.join(names)}")
    return [n for n in names if n in wanted]


_CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def _time(name, face, clock, runs=1):
    """Seconds per main() call: the mean of `runs` back-to-back calls."""
    total = 0.0
    for _ in range(runs):
        gc.collect()
        total += _swap.run(name, face, clock=_CLOCKS[clock])[1]
    return total / runs


def _worker(face, conn):
    """A child process that runs programs on one face only: the minitensor
    worker never imports torch (whose ~145,000 Python objects would make each
    full collection of the cyclic GC, which minitensor's allocations trigger,
    ~30x slower), the torch worker imports it."""
    torch = None
    if face == "torch":
        import torch
    with _swap.one_thread(torch):
        if face == "minitensor":
            assert "torch" not in sys.modules, "the minitensor worker imported torch"
        conn.send("ready")
        while (msg := conn.recv()) is not None:
            try:
                conn.send(_time(*msg))
            except Exception:                            # reported by the parent
                import traceback
                conn.send(RuntimeError(f"{face} worker: {traceback.format_exc()}"))


class _Faces:
    """_time on each face: in two spawned worker processes (default), or here."""

    def __init__(self, same_process):
        self.workers = {}
        if same_process:
            return
        ctx = mp.get_context("spawn")
        for face in ("torch", "minitensor"):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(face, child), daemon=True)
            proc.start()
            self.workers[face] = (proc, parent)
        for proc, conn in self.workers.values():
            assert conn.recv() == "ready"

    def time(self, name, face, clock, runs=1):
        if not self.workers:
            return _time(name, face, clock, runs)
        conn = self.workers[face][1]
        conn.send((name, face, clock, runs))
        out = conn.recv()
        if isinstance(out, BaseException):
            raise out
        return out

    def close(self):
        for proc, conn in self.workers.values():
            conn.send(None)
            proc.join(timeout=30)


def bench(names, args):
    faces = _Faces(args.same_process)
    try:
        _bench(names, args, faces.time)
    finally:
        faces.close()


def _bench(names, args, timer):
    clock = args.clock
    ratios = []
    print(f"{'program':24s} {'torch ms':>10s} {'minitensor ms':>14s} {'ratio':>7s}"
          f"   {'spread torch':>12s} {'spread mt':>10s}   {'runs/sample':>9s}", flush=True)
    for name in names:
        # warm-up; a sample of a program shorter than --min-time is the mean of
        # several back-to-back runs (the same count for every sample of that face)
        runs = {f: max(1, math.ceil(args.min_time / max(timer(name, f, clock), 1e-6)))
                for f in ("torch", "minitensor")}
        times = {"torch": [], "minitensor": []}
        for _ in range(args.repeat):
            for face in ("torch", "minitensor"):
                times[face].append(timer(name, face, clock, runs[face]))
        t, m = (statistics.median(times[f]) * 1e3 for f in ("torch", "minitensor"))
        ratios.append(m / t)
        # spread: (max - min) / median of the repeats
        spread = {f: (max(v) - min(v)) / statistics.median(v) for f, v in times.items()}
        print(f"{name:24s} {t:10.1f} {m:14.1f} {m / t:7.2f}"
              f"   {spread['torch']:11.0%} {spread['minitensor']:10.0%}"
              f"   {runs['torch']:>4d} {runs['minitensor']:>4d}", flush=True)
    geo = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"{'geometric mean':24s} {'':10s} {'':14s} {geo:7.2f}   "
          f"(max {max(ratios):.2f}, min {min(ratios):.2f}; {len(ratios)} programs)")


def profile(names, args):
    for name in names:
        _swap.run(name, "minitensor")                   # warm-up (torch not imported)
        module = _swap.load(name, "minitensor")
        gc.collect()
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.runcall(module.main)
        wall = time.perf_counter() - t0
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        print(f"\n=== {name} (minitensor.torch; {wall * 1e3:.0f} ms under cProfile, "
              f"{stats.total_tt * 1e3:.0f} ms profiled; load {_load()}) ===")
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue(), flush=True)
        if args.dump:
            stats.dump_stats(f"{args.dump}.{name}.prof")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5, help="interleaved repeats (default 5)")
    p.add_argument("--quick", action="store_true", help="2 repeats")
    p.add_argument("--program", default="", help="comma-separated names (default: all)")
    p.add_argument("--min-time", type=float, default=0.2,
                   help="a sample lasts at least this many seconds (default 0.2): "
                        "shorter programs run several times per sample")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall (perf_counter, default) or process CPU time")
    p.add_argument("--same-process", action="store_true",
                   help="run both faces in this process, as the tests do (torch's "
                        "objects then slow down minitensor's garbage collections)")
    p.add_argument("--profile", action="store_true",
                   help="cProfile the minitensor side instead of timing")
    p.add_argument("--top", type=int, default=25, help="rows of the profile (default 25)")
    p.add_argument("--dump", default="", help="with --profile: write PREFIX.<program>.prof")
    args = p.parse_args(argv)
    if args.quick:
        args.repeat = 2
    try:
        torch_version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        sys.exit("bench_programs.py needs PyTorch (pip install torch)")
    names = _select(_swap.program_names(), args.program)
    torch = None
    if args.same_process and not args.profile:
        import torch
    # (the workers set their own threads; --profile runs here, without torch)
    with _swap.one_thread(torch):
        print(_header(torch_version, args), flush=True)
        start = time.perf_counter()
        (profile if args.profile else bench)(names, args)
        print(f"done in {time.perf_counter() - start:.0f} s; load {_load()}")


if __name__ == "__main__":
    main()
