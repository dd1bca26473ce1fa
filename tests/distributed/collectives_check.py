"""Run under ``mpiexec -n 2``: every collective and reduction against NumPy.

Each rank knows every rank's input (a function of the rank), so it computes the
expected result with NumPy and compares. Prints ``OK <n> checks``; exits 1 on failure."""
import functools
import sys

import numpy as np

import minitensor as xp
import minitensor.distributed as dist

dist.init_process_group("mpi")
RANK, WORLD = dist.get_rank(), dist.get_world_size()
FAILED = []
N = [0]


def check(cond, what):
    N[0] += 1
    if not cond:
        FAILED.append(what)


def value(rank, dtype, shape=(2, 3)):
    rng = np.random.default_rng(10 + rank)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.dtype(dtype).kind in "iu":
        return rng.integers(1, 6, shape).astype(dtype)
    a = rng.uniform(0.5, 2.0, shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.uniform(-1.0, 1.0, shape)
    return a.astype(dtype)


NP_REDUCE = {
    dist.ReduceOp.SUM: lambda vs: functools.reduce(np.add, vs),
    dist.ReduceOp.AVG: lambda vs: functools.reduce(np.add, vs) / len(vs),
    dist.ReduceOp.PRODUCT: lambda vs: functools.reduce(np.multiply, vs),
    dist.ReduceOp.MIN: lambda vs: functools.reduce(np.minimum, vs),
    dist.ReduceOp.MAX: lambda vs: functools.reduce(np.maximum, vs),
    dist.ReduceOp.BAND: lambda vs: functools.reduce(np.bitwise_and, vs),
    dist.ReduceOp.BOR: lambda vs: functools.reduce(np.bitwise_or, vs),
    dist.ReduceOp.BXOR: lambda vs: functools.reduce(np.bitwise_xor, vs),
}
BOOL_REDUCE = {dist.ReduceOp.SUM: np.logical_or, dist.ReduceOp.MAX: np.logical_or,
               dist.ReduceOp.BOR: np.logical_or, dist.ReduceOp.PRODUCT: np.logical_and,
               dist.ReduceOp.MIN: np.logical_and, dist.ReduceOp.BAND: np.logical_and,
               dist.ReduceOp.BXOR: np.logical_xor}

DTYPES = [np.float64, np.float32, np.float16, np.complex128, np.complex64, np.int64, np.int32,
          np.int16, np.int8, np.uint8, np.bool_]

for dtype in DTYPES:
    kind = np.dtype(dtype).kind
    for op in dist.ReduceOp:
        vals = [value(r, dtype) for r in range(WORLD)]
        t = xp.asarray(vals[RANK].copy())
        bad = ((kind == "c" and op in (dist.ReduceOp.MIN, dist.ReduceOp.MAX))
               or (op.name.startswith("B") and kind not in "biu")
               or (op is dist.ReduceOp.AVG and kind not in "fc")
               or (kind == "b" and op is dist.ReduceOp.AVG))
        if bad:
            try:
                dist.all_reduce(t, op=op)
            except ValueError:
                check(True, "")
            else:
                check(False, f"all_reduce {op} {np.dtype(dtype)}: no ValueError")
            continue
        if kind == "b":
            want = functools.reduce(BOOL_REDUCE[op], vals)
        else:
            want = NP_REDUCE[op](vals).astype(dtype)
        dist.all_reduce(t, op=op)
        got = np.asarray(t)
        check(got.dtype == np.dtype(dtype), f"all_reduce {op} {dtype}: dtype {got.dtype}")
        tol = {"e": 1e-3, "f": 1e-6}.get(kind, 1e-6 if dtype == np.complex64 else 0)
        ok = (np.array_equal(got, want) if kind in "biu" else
              np.allclose(got, want, rtol=tol if tol else 1e-15, atol=0))
        check(ok, f"all_reduce {op} {np.dtype(dtype)}: {got} != {want}")

# non-contiguous tensor: reduced through a copy, written back in place
base = xp.asarray(np.arange(12.0).reshape(3, 4) * (RANK + 1))
view = base.mT
dist.all_reduce(view)
check(np.array_equal(np.asarray(base), np.arange(12.0).reshape(3, 4) * 3), "non-contiguous")

# async_op
t = xp.asarray([1.0 + RANK])
w = dist.all_reduce(t, op=dist.ReduceOp.SUM, async_op=True)
check(w.wait() is True and float(t[0]) == 3.0 and w.is_completed(), "async all_reduce")

# broadcast from each root, several dtypes
for src in range(WORLD):
    for dtype in (np.float64, np.int32, np.bool_, np.complex128, np.float16):
        t = xp.asarray(value(RANK, dtype))
        dist.broadcast(t, src=src)
        check(np.array_equal(np.asarray(t), value(src, dtype)), f"broadcast {src} {dtype}")
t = xp.asarray(np.zeros((4, 4)) + RANK)[:, ::2]
dist.broadcast(t, src=1)
check(np.array_equal(np.asarray(t), np.ones((4, 2))), "broadcast non-contiguous")

# all_gather
for dtype in (np.float64, np.int64, np.bool_, np.float32):
    outs = [xp.asarray(np.zeros((2, 3), dtype)) for _ in range(WORLD)]
    dist.all_gather(outs, xp.asarray(value(RANK, dtype)))
    for r in range(WORLD):
        check(np.array_equal(np.asarray(outs[r]), value(r, dtype)), f"all_gather {dtype} {r}")
try:
    dist.all_gather([xp.zeros(3)], xp.zeros(3))
    check(False, "all_gather wrong length: no error")
except ValueError:
    check(True, "")
try:
    dist.broadcast(xp.zeros(3), src=WORLD)
    check(False, "broadcast bad src: no error")
except ValueError:
    check(True, "")

# tensors that require grad: changed in place, not recorded
p = xp.tensor([1.0, 2.0], requires_grad=True)
dist.all_reduce(p)
check(np.array_equal(np.asarray(p.detach()), [2.0, 4.0]), "requires_grad value")
(p * 3).sum().backward()
check(np.array_equal(np.asarray(p.grad), [3.0, 3.0]), "requires_grad: not recorded")

dist.barrier()
w = dist.barrier(async_op=True)
w.wait()

for f in FAILED:
    print(f"rank {RANK}: {f}", file=sys.stderr, flush=True)
if RANK == 0 and not FAILED:
    print(f"OK {N[0]} checks", flush=True)
dist.destroy_process_group()
sys.exit(1 if FAILED else 0)
