"""Data-parallel training of an MLP over MPI (synthetic data, NumPy only).

``mpiexec -n 2 python -m minitensor.examples.ddp --epochs 2`` starts two processes;
each trains the same model (:class:`~minitensor.nn.parallel.DistributedDataParallel`)
on its shard of every epoch (:class:`~minitensor.utils.data.DistributedSampler`), and
gradients are averaged over the ranks after every ``backward()``. Every epoch prints
each rank's throughput and the loss averaged over all ranks' samples; with
``--checkpoint PATH`` rank 0 saves the model, the optimizer and the epoch after every
epoch, and ``--resume`` continues from that file (the resumed run ends with the same
loss as an uninterrupted one). Without ``mpiexec`` it runs as a world of one process.
"""
import argparse
import os
import sys
import time

import numpy as np

import minitensor as xp
import minitensor.distributed as dist
from minitensor import nn, optim
from minitensor.utils.data import DataLoader, DistributedSampler, TensorDataset


def make_data(n, features, seed=0):
    """A regression task: y = sin(x @ w1) @ w2 + noise, float32."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, features)).astype(np.float32)
    w1 = rng.standard_normal((features, 8)) / np.sqrt(features)
    w2 = rng.standard_normal((8, 1))
    y = (np.sin(x @ w1) @ w2 + 0.05 * rng.standard_normal((n, 1))).astype(np.float32)
    return xp.asarray(x), xp.asarray(y)


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2, help="total number of epochs")
    p.add_argument("--samples", type=int, default=8192)
    p.add_argument("--features", type=int, default=32)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=64, help="per rank")
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint", default=None, help="file saved after every epoch")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    return p.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    if args.resume and not args.checkpoint:
        sys.exit("--resume needs --checkpoint PATH")
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    x, y = make_data(args.samples, args.features)
    data = TensorDataset(x, y)
    xp.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(args.features, args.hidden), nn.ReLU(),
                          nn.Linear(args.hidden, args.hidden), nn.ReLU(),
                          nn.Linear(args.hidden, 1))
    start = 0
    opt_state = None
    if args.resume:
        ckpt = xp.load(args.checkpoint)
        model.load_state_dict(ckpt["model"])
        opt_state = ckpt["optimizer"]
        start = int(ckpt["epoch"]) + 1
        if rank == 0:
            print(f"resumed from {args.checkpoint} after epoch {start - 1}", flush=True)
    ddp = nn.parallel.DistributedDataParallel(model)
    opt = optim.SGD(ddp.parameters(), lr=args.lr, momentum=0.9)
    if opt_state is not None:
        opt.load_state_dict(opt_state)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, seed=args.seed)
    loader = DataLoader(data, batch_size=args.batch_size, sampler=sampler)
    loss = None
    for epoch in range(start, args.epochs):
        sampler.set_epoch(epoch)
        t0 = time.perf_counter()
        total = xp.zeros(2)          # (sum of losses * batch size, number of samples)
        for xb, yb in loader:
            opt.zero_grad()
            out = nn.functional.mse_loss(ddp(xb), yb)
            out.backward()
            opt.step()
            total += xp.asarray([float(out) * xb.shape[0], xb.shape[0]])
        dt = time.perf_counter() - t0
        n_local = int(total[1])
        dist.all_reduce(total)
        loss = float(total[0] / total[1])
        rates = xp.zeros(world)
        rates[rank] = n_local / dt
        dist.all_reduce(rates)
        if rank == 0:
            per_rank = " ".join(f"rank{r} {float(rates[r]):.0f}" for r in range(world))
            print(f"epoch {epoch}: loss {loss:.6f} (over all ranks) | samples/s: {per_rank} | "
                  f"total {float(xp.sum(rates)):.0f}", flush=True)
        if args.checkpoint and rank == 0:
            tmp = args.checkpoint + ".tmp"
            xp.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                     "epoch": epoch}, tmp)
            os.replace(tmp, args.checkpoint)   # a crash mid-save keeps the last checkpoint
        dist.barrier()
    if rank == 0 and loss is not None:
        print(f"final loss {loss!r}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
