"""minitensor.distributed, DistributedDataParallel and DistributedSampler.

The multi-process tests launch ``mpiexec -n 2 python tests/distributed/<script>`` (each
script checks itself and exits non-zero on a failure); they are skipped, with the
reason, without mpi4py or ``mpiexec``. DistributedSampler and the single-process world
(mpi4py's singleton MPI) are tested in this process."""
import datetime
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import minitensor as xp
import minitensor.distributed as dist
from minitensor import nn, optim
from minitensor.utils.data import DistributedSampler

HERE = Path(__file__).parent / "distributed"
HAVE_MPI4PY = dist.is_available()
MPIEXEC = shutil.which("mpiexec")
needs_mpi4py = pytest.mark.skipif(not HAVE_MPI4PY, reason="mpi4py is not installed "
                                  "(pip install 'minitensor[distributed]')")
needs_mpiexec = pytest.mark.skipif(not (HAVE_MPI4PY and MPIEXEC),
                                   reason="mpi4py or mpiexec is not available")


def mpirun(args, timeout=900, n=2):
    """Run ``mpiexec -n n python args...``; (returncode, stdout + stderr, seconds)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    t0 = time.monotonic()
    # (cwd: not the source tree's root, whose minitensor/ has no compiled kernels and
    # would come first on sys.path for ``python -m``)
    p = subprocess.run([MPIEXEC, "-n", str(n), sys.executable, *args], env=env, cwd=HERE,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t0


@pytest.fixture
def world():
    dist.init_process_group("mpi")
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


# ------------------------------------------------------------------ two processes
@needs_mpiexec
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_ddp_equals_single_process_training(dtype):
    rc, out, _ = mpirun([str(HERE / "ddp_check.py"), dtype])
    assert rc == 0, out
    for case in ("equal-shards", "padded-shards", "unequal-mean-of-means", "unequal-weighted",
                 "no_sync-accumulation", "small-buckets", "buckets", "buffers"):
        assert f"OK {case}" in out, out


@needs_mpiexec
def test_collectives_against_numpy():
    rc, out, _ = mpirun([str(HERE / "collectives_check.py")])
    assert rc == 0, out
    assert re.search(r"OK \d+ checks", out), out


@needs_mpiexec
@pytest.mark.parametrize("mode", ["kill", "exit", "hang"])
def test_dead_rank_ends_the_job(mode):
    rc, out, _ = mpirun([str(HERE / "fault_check.py"), mode])
    end = time.time()
    assert rc != 0, out
    failed_at = re.search(r"failing \(\w+\) at step 3 at (\S+)", out)
    assert failed_at, out
    seconds = end - float(failed_at.group(1))   # from the failure to the job's end
    assert seconds < 60, f"took {seconds:.1f} s\n{out}"
    assert "finished all steps" not in out, out
    if mode == "hang" and "did not complete" in out:
        # rank 0's collective timed out: it names it and aborts (under load the
        # message can be lost with the abort; the exit code and time are the contract)
        assert "within the timeout of 3 s" in out, out


@needs_mpiexec
def test_example_resume_equals_uninterrupted(tmp_path):
    small = ["--samples", "512", "--hidden", "32", "--batch-size", "32"]
    ex = ["-m", "minitensor.examples.ddp"]
    rc, full, _ = mpirun([*ex, "--epochs", "3", *small, "--checkpoint", str(tmp_path / "a")])
    assert rc == 0, full
    assert re.search(r"samples/s: rank0 \d+ rank1 \d+", full), full
    rc, out, _ = mpirun([*ex, "--epochs", "1", *small, "--checkpoint", str(tmp_path / "b")])
    assert rc == 0, out
    rc, resumed, _ = mpirun([*ex, "--epochs", "3", *small, "--checkpoint", str(tmp_path / "b"),
                             "--resume"])
    assert rc == 0, resumed
    assert "resumed from" in resumed and "epoch 0:" not in resumed, resumed
    final = re.findall(r"final loss (\S+)", full)
    assert final and final == re.findall(r"final loss (\S+)", resumed), (full, resumed)


# ------------------------------------------------------------ one process (in here)
@needs_mpi4py
def test_single_process_world(world):
    assert dist.is_initialized() and dist.get_rank() == 0 and dist.get_world_size() == 1
    assert dist.get_backend() == "mpi"
    t = xp.asarray([1.0, -2.0])
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    assert t.tolist() == [1.0, -2.0]
    with pytest.raises(ValueError, match="twice"):
        dist.init_process_group("mpi")


@needs_mpi4py
def test_init_errors():
    with pytest.raises(ValueError, match="has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="has not been initialized"):
        dist.all_reduce(xp.zeros(2))
    for backend in ("gloo", "nccl"):
        with pytest.raises(RuntimeError, match="only backend='mpi'"):
            dist.init_process_group(backend)
    with pytest.raises(ValueError, match="world_size=3"):
        dist.init_process_group("mpi", world_size=3)
    with pytest.raises(TypeError, match="timedelta"):
        dist.init_process_group("mpi", timeout="10")
    assert not dist.is_initialized()
    dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=5))
    dist.destroy_process_group()
    with pytest.raises(ValueError, match="has not been initialized"):
        dist.destroy_process_group()


@needs_mpi4py
def test_collective_argument_errors(world):
    with pytest.raises(TypeError, match="minitensor Tensor"):
        dist.all_reduce(np.zeros(3))
    with pytest.raises(ValueError, match="complex"):
        dist.all_reduce(xp.asarray([1j]), op=dist.ReduceOp.MAX)
    with pytest.raises(ValueError, match="AVG"):
        dist.all_reduce(xp.asarray([1, 2]), op=dist.ReduceOp.AVG)
    with pytest.raises(ValueError, match="ReduceOp"):
        dist.all_reduce(xp.zeros(2), op="sum")
    with pytest.raises(ValueError, match="invalid root rank 1"):
        dist.broadcast(xp.zeros(2), src=1)
    with pytest.raises(ValueError, match="expected length 1"):
        dist.all_gather([xp.zeros(2), xp.zeros(2)], xp.zeros(2))
    with pytest.raises(ValueError, match="shape"):
        dist.all_gather([xp.zeros(3)], xp.zeros(2))
    with pytest.raises(RuntimeError, match="read-only"):
        dist.all_reduce(xp.broadcast_to(xp.zeros(1), (3,)))
    with pytest.raises(NotImplementedError, match="default process group"):
        dist.barrier(group=object())


@needs_mpi4py
def test_collective_bumps_autograd_version(world):
    x = xp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = (y * y).sum()      # saves y
    dist.all_reduce(y)     # an in-place write of a saved value: backward must refuse
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.backward()


@needs_mpi4py
def test_ddp_single_process(world):
    xp.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    ref = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    ref.load_state_dict(model.state_dict())
    ddp = nn.parallel.DistributedDataParallel(model)
    assert ddp.module is model
    assert list(ddp.state_dict()) == ["module." + k for k in model.state_dict()]
    x = xp.reshape(xp.linspace(-1, 1, 15, dtype=xp.float32), (5, 3))
    for m in (ddp, ref):
        opt = optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            (m(x) ** 2).mean().backward()
            opt.step()
    for p, q in zip(model.parameters(), ref.parameters()):
        assert np.array_equal(np.asarray(p.detach()), np.asarray(q.detach()))
    # the PyTorch face: the same classes and functions
    import minitensor.torch.distributed as tdist
    import minitensor.torch.nn as tnn
    from minitensor.torch.utils.data.distributed import DistributedSampler as TS
    assert tnn.parallel.DistributedDataParallel is nn.parallel.DistributedDataParallel
    assert tdist.all_reduce is dist.all_reduce and TS is DistributedSampler
    # ``import torch; torch.distributed.get_rank()`` with no submodule import, as PyTorch
    import minitensor.torch as torch_face
    assert torch_face.distributed is tdist and "distributed" in dir(torch_face)


@needs_mpi4py
def test_ddp_unused_parameter(world):
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2)
            self.b = nn.Linear(2, 2)

        def forward(self, x):
            return self.a(x)

    x = xp.ones((1, 2), dtype=xp.float32)
    ddp = nn.parallel.DistributedDataParallel(Two(), bucket_cap_mb=1e-6)
    ddp(x).sum().backward()
    with pytest.raises(RuntimeError, match="find_unused_parameters=True"):
        ddp(x)
    ddp = nn.parallel.DistributedDataParallel(Two(), bucket_cap_mb=1e-6,
                                              find_unused_parameters=True)
    for _ in range(2):
        ddp(x).sum().backward()
    assert np.array_equal(np.asarray(ddp.module.a.bias.grad), [2.0, 2.0])
    assert np.array_equal(np.asarray(ddp.module.b.bias.grad), [0.0, 0.0])


@needs_mpi4py
def test_ddp_errors(world):
    with pytest.raises(TypeError, match="nn.Module"):
        nn.parallel.DistributedDataParallel(lambda x: x)
    with pytest.raises(ValueError, match="device_ids"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2), device_ids=[0])
    frozen = nn.Linear(2, 2).requires_grad_(False)
    with pytest.raises(RuntimeError, match="doesn't have any parameter"):
        nn.parallel.DistributedDataParallel(frozen)


def test_ddp_needs_process_group():
    if dist.is_initialized():
        dist.destroy_process_group()
    with pytest.raises(ValueError, match="has not been initialized"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))


# ------------------------------------------------------------------ DistributedSampler
@pytest.mark.parametrize("n", [0, 1, 2, 5, 7, 10, 16])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sampler_matches_torch_without_shuffle(n, replicas, drop_last):
    torch_data = pytest.importorskip("torch.utils.data")
    for rank in range(replicas):
        want = torch_data.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                             drop_last=drop_last)
        got = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(got) == list(want) and len(got) == len(want)
        assert got.total_size == want.total_size


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (2, 5, False),
                                                  (9, 2, False), (8, 4, True)])
def test_sampler_shuffled_shards_as_torch(n, replicas, drop_last):
    """Given PyTorch's permutation, our padding and sharding give PyTorch's lists."""
    torch = pytest.importorskip("torch")
    for epoch in (0, 3):
        for rank in range(replicas):
            want = torch.utils.data.DistributedSampler(range(n), replicas, rank, seed=5,
                                                       drop_last=drop_last)
            want.set_epoch(epoch)
            g = torch.Generator()
            g.manual_seed(5 + epoch)
            perm = torch.randperm(n, generator=g).tolist()
            ours = DistributedSampler(range(n), replicas, rank, seed=5, drop_last=drop_last)
            assert ours._shard(perm) == list(want)


def test_sampler_shuffle_epochs_and_cover():
    n, reps = 11, 3
    shards = [DistributedSampler(range(n), reps, r, seed=7) for r in range(reps)]
    for epoch in (0, 1):
        for s in shards:
            s.set_epoch(epoch)
        lists = [list(s) for s in shards]
        assert all(len(v) == 4 for v in lists)
        flat = sum(lists, [])
        assert sorted(set(flat)) == list(range(n)) and len(flat) == 12
        if epoch == 0:
            first = lists
    assert lists != first   # a new permutation each epoch, the same on every rank
    again = DistributedSampler(range(n), reps, 1, seed=7)
    assert list(again) == first[1]


def test_sampler_errors():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(4), num_replicas=2, rank=-1)
    with pytest.raises(TypeError, match="num_replicas must be an integer"):
        DistributedSampler(range(4), num_replicas=2.0, rank=0)
    if not dist.is_initialized():
        with pytest.raises(RuntimeError, match="init_process_group"):
            DistributedSampler(range(4))


@needs_mpi4py
def test_sampler_defaults_from_process_group(world):
    s = DistributedSampler(range(5))
    assert (s.num_replicas, s.rank, len(s)) == (1, 0, 5)
