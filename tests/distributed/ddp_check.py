"""Run under ``mpiexec -n 2``: DistributedDataParallel training equals single-process
training. Each rank also trains the single-process reference itself (same seed, the
whole batch) and compares; prints ``OK <case> <max diff>`` per case, exits 1 on a
mismatch. Usage: ``ddp_check.py float64|float32``."""
import sys

import numpy as np

import minitensor as xp
import minitensor.distributed as dist
from minitensor import nn, optim
from minitensor.utils.data import DistributedSampler

DTYPE = {"float64": xp.float64, "float32": xp.float32}[sys.argv[1]]
TOL = 1e-12 if DTYPE == xp.float64 else 1e-5
STEPS = 5

dist.init_process_group("mpi")
RANK, WORLD = dist.get_rank(), dist.get_world_size()
assert WORLD == 2, WORLD
FAILED = []


def make_model(seed):
    xp.manual_seed(seed)
    m = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(),
                      nn.Linear(8, 3))
    return m.to(DTYPE)


def data(n):
    rng = np.random.default_rng(1234)
    x = xp.asarray(rng.standard_normal((n, 5)), dtype=DTYPE)
    y = xp.asarray(rng.standard_normal((n, 3)), dtype=DTYPE)
    return x, y


def flat(model):
    return np.concatenate([np.asarray(p._array).ravel() for p in model.parameters()])


def check_identical(model, case, step):
    """The parameters are bitwise identical on every rank."""
    mine = xp.asarray(flat(model))
    out = [xp.zeros_like(mine) for _ in range(WORLD)]
    dist.all_gather(out, mine)
    for r in range(WORLD):
        if not np.array_equal(np.asarray(out[r]), np.asarray(mine)):
            FAILED.append(f"{case}: parameters differ between ranks 0 and {r} after step {step}")


def compare(case, ddp_model, ref_model):
    d = float(np.max(np.abs(flat(ddp_model) - flat(ref_model))))
    scale = float(np.max(np.abs(flat(ref_model))))
    if not d <= TOL * max(scale, 1.0):
        FAILED.append(f"{case}: DDP and single-process parameters differ by {d:.3g}")
    if RANK == 0:
        print(f"OK {case} {d:.3g}" if not FAILED else f"FAIL {case} {d:.3g}", flush=True)


def train(case, local_rows, ref_loss, weights=None, momentum=0.9, accumulate=1,
          bucket_cap_mb=None):
    """DDP: rank r trains on rows ``local_rows[r]``; reference: ``ref_loss(model)``.
    The DDP model starts from another seed on rank 1 (the wrap broadcasts rank 0's)."""
    model = make_model(0 if RANK == 0 else 99)
    ddp = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=bucket_cap_mb)
    ref = make_model(0)
    opt = optim.SGD(ddp.parameters(), lr=0.05, momentum=momentum)
    ropt = optim.SGD(ref.parameters(), lr=0.05, momentum=momentum)
    x, y = data(max(max(r) for r in local_rows) + 1)
    rows = local_rows[RANK]
    for step in range(STEPS):
        opt.zero_grad()
        parts = np.array_split(np.asarray(rows), accumulate)
        for k, part in enumerate(parts):
            xb, yb = x[xp.asarray(part)], y[xp.asarray(part)]
            w = 1.0 if weights is None else weights[RANK]
            if k < accumulate - 1:
                with ddp.no_sync():
                    loss = nn.functional.mse_loss(ddp(xb), yb) * (w / accumulate)
                    loss.backward()
            else:
                loss = nn.functional.mse_loss(ddp(xb), yb) * (w / accumulate)
                loss.backward()
        opt.step()
        ropt.zero_grad()
        ref_loss(ref, x, y).backward()
        ropt.step()
        check_identical(model, case, step)
    compare(case, model, ref)
    return ddp


mse = nn.functional.mse_loss

# 1. equal shards from a DistributedSampler: full-batch training on all 16 rows
n = 16
shards = [list(DistributedSampler(range(n), WORLD, r, shuffle=True, seed=3)) for r in range(WORLD)]
train("equal-shards", shards, lambda m, x, y: mse(m(x), y))

# 2. 15 rows: the sampler pads rank 1's shard with a repeated index (PyTorch's semantic):
#    full-batch training on the padded list of 16 indices
n = 15
shards = [list(DistributedSampler(range(n), WORLD, r, shuffle=False)) for r in range(WORLD)]
padded = [i for pair in zip(*shards) for i in pair]
assert len(padded) == 16 and padded.count(0) == 2, padded
train("padded-shards", shards,
      lambda m, x, y: mse(m(x[xp.asarray(padded)]), y[xp.asarray(padded)]))

# 3. unequal local batches (9 and 6 rows): DDP averages the per-rank mean losses
shards = [list(range(0, 9)), list(range(9, 15))]
train("unequal-mean-of-means", shards,
      lambda m, x, y: 0.5 * (mse(m(x[:9]), y[:9]) + mse(m(x[9:]), y[9:])))

# 3b. ... and weighting each rank's loss by its share gives the full-batch mean of 15 rows
train("unequal-weighted", shards, lambda m, x, y: mse(m(x), y),
      weights=[9 / 7.5, 6 / 7.5])

# 4. no_sync: two micro-batches per step, the first without communication
shards = [list(range(0, 16, 2)), list(range(1, 16, 2))]
train("no_sync-accumulation", shards, lambda m, x, y: mse(m(x), y), accumulate=2)

# 5. many small buckets (each parameter its own): reduced in order, same result
train("small-buckets", shards, lambda m, x, y: mse(m(x), y), bucket_cap_mb=1e-6)

# 6. one all_reduce per backward for this small model (one bucket), not one per parameter
calls = []
real = dist.all_reduce


def counting(t, *a, **k):
    calls.append(t.shape)
    return real(t, *a, **k)


dist.all_reduce = counting
ddp = nn.parallel.DistributedDataParallel(make_model(0))
nn.functional.mse_loss(ddp(data(4)[0]), data(4)[1]).backward()
dist.all_reduce = real
n_params = len(list(ddp.parameters()))
if len(calls) != 1 or calls[0] != (sum(p.size for p in ddp.parameters()),):
    FAILED.append(f"buckets: expected 1 all_reduce of all {n_params} parameters, got {calls}")
elif RANK == 0:
    print(f"OK buckets 1 all_reduce for {n_params} parameters", flush=True)

# 7. buffers follow rank 0 at wrap time and at every forward (broadcast_buffers=True)
xp.manual_seed(RANK)
bn = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4)).to(DTYPE)
ddp = nn.parallel.DistributedDataParallel(bn)
x = data(8)[0][RANK * 4:(RANK + 1) * 4]
ddp(x).sum().backward()   # running stats updated from each rank's own batch ...
ddp.eval()
ddp(x)                    # ... and rank 0's copied to every rank by this forward
rm = xp.asarray(np.asarray(bn[1].running_mean._array))
out = [xp.zeros_like(rm) for _ in range(WORLD)]
dist.all_gather(out, rm)
if not np.array_equal(np.asarray(out[0]), np.asarray(out[1])):
    FAILED.append("buffers: running_mean differs between ranks")
elif RANK == 0:
    print("OK buffers", flush=True)

for f in FAILED:
    print(f"rank {RANK}: {f}", file=sys.stderr, flush=True)
dist.destroy_process_group()
sys.exit(1 if FAILED else 0)
