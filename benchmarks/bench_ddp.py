"""DistributedDataParallel over MPI: step overhead and 2-rank speed-up.

``python benchmarks/bench_ddp.py [--repeats 5] [--quick]`` runs, in alternating order
(interleaved repeats), each configuration as its own process(es), one thread per rank
(``OMP_NUM_THREADS=1``, ``OPENBLAS_NUM_THREADS=1``):

* ``tiny``: an MLP 32-64-64-1 (6.4k parameters), batch 32 per rank: time per training
  step (zero_grad, forward, backward, SGD step) in one plain process, in one process
  wrapped in DDP (a world of one: the hooks and buckets, no communication), and on each
  of 2 ranks with DDP (the same batch per rank). The overhead of DDP is the difference.
* ``mlp``: a compute-bound MLP 512-1024-1024-10 (1.6M parameters), global batch 512:
  one process on the whole batch vs 2 ranks on 256 rows each; the speed-up is the
  ratio of the times per step (the same global batch, so the same work per step).

Each figure is the median over repeats of each run's median step time; ``uptime`` is
printed before and after (other jobs share the machine).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.abspath(__file__)
MODELS = {"tiny": dict(sizes=(32, 64, 64, 1), batch=32, steps=300),
          "mlp": dict(sizes=(512, 1024, 1024, 10), batch=512, steps=20)}


def worker(model_name, mode):
    import numpy as np

    import minitensor as xp
    from minitensor import nn, optim
    xp.set_num_threads(1)
    cfg = MODELS[model_name]
    sizes, batch, steps = cfg["sizes"], cfg["batch"], cfg["steps"]
    rank, world = 0, 1
    if mode != "single":
        import minitensor.distributed as dist
        dist.init_process_group("mpi")
        rank, world = dist.get_rank(), dist.get_world_size()
    if model_name == "mlp":
        batch //= world          # the same global batch, split over the ranks
    xp.manual_seed(0)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    if mode != "single":
        model = nn.parallel.DistributedDataParallel(model)
    opt = optim.SGD(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(rank)
    x = xp.asarray(rng.standard_normal((batch, sizes[0])).astype(np.float32))
    y = xp.asarray(rng.standard_normal((batch, sizes[-1])).astype(np.float32))
    times = []
    for i in range(steps + steps // 5):
        t0 = time.perf_counter()
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    med = float(np.median(times[steps // 5:]))
    if mode != "single":
        t = xp.asarray([med])
        dist.all_reduce(t, op=dist.ReduceOp.MAX)    # the slowest rank sets the pace
        med = float(t[0])
        dist.destroy_process_group()
    if rank == 0:
        print("RESULT " + json.dumps({"model": model_name, "mode": mode, "world": world,
                                      "step_s": med}), flush=True)


def run(model_name, mode):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, HERE, "--worker", model_name, mode]
    if mode == "ddp2":
        cmd = [shutil.which("mpiexec"), "-n", "2"] + cmd
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])["step_s"]
    raise RuntimeError(out)


def uptime():
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load: " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="2 repeats")
    p.add_argument("--worker", nargs=2, metavar=("MODEL", "MODE"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    import numpy as np
    reps = 2 if args.quick else args.repeats
    print("before:", uptime(), flush=True)
    configs = [("tiny", "single"), ("tiny", "ddp1"), ("tiny", "ddp2"),
               ("mlp", "single"), ("mlp", "ddp2")]
    res = {c: [] for c in configs}
    for r in range(reps):
        order = configs if r % 2 == 0 else configs[::-1]     # interleaved, alternating
        for c in order:
            res[c].append(run(*c))
    med = {c: float(np.median(v)) for c, v in res.items()}
    print("after: ", uptime(), flush=True)
    print(f"\nmedians of {reps} runs (each the median of its steps), one thread per rank:")
    for c in configs:
        print(f"  {c[0]:5s} {c[1]:7s} {med[c] * 1e3:9.3f} ms/step   runs: "
              + " ".join(f"{v * 1e3:.3f}" for v in res[c]))
    o1 = (med[("tiny", "ddp1")] - med[("tiny", "single")]) * 1e3
    o2 = (med[("tiny", "ddp2")] - med[("tiny", "single")]) * 1e3
    print(f"\nDDP step overhead, tiny model: {o1:.3f} ms (1 rank: hooks, buckets), "
          f"{o2:.3f} ms (2 ranks: + all_reduce)  [goal <= 2 ms]")
    sp = med[("mlp", "single")] / med[("mlp", "ddp2")]
    print(f"2-rank speed-up, compute-bound MLP (global batch 512): {sp:.2f}x  [goal >= 1.6x]")


if __name__ == "__main__":
    main()
