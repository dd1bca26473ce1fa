"""Training-step time of minitensor.nn vs PyTorch (CPU): an MLP 784-512-256-10
(batch 128) and a small CNN (conv16-conv32-linear on 28x28 with 2x2 max pools,
batch 64), cross-entropy, SGD with momentum, float32. Same architecture,
initial weights and data in both.

    python benchmarks/bench_nn.py [--steps N] [--repeat R] [--threads T]

PyTorch runs in a child process that never imports minitensor (so it keeps its
own allocator behaviour); the two processes take turns (one block of ``steps``
steps each, ``repeat`` times), so both see the same machine load. Prints the
median and best wall time per step (ms) and the ratio minitensor / PyTorch
(< 1: minitensor is faster). ``--threads`` sets the BLAS/OpenMP/kernel thread
counts of both (default: leave them alone).
"""
import argparse
import multiprocessing as mp
import os
import sys
import time


def _set_threads(n):
    # must be in the environment before NumPy/OpenBLAS/torch load
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "MINITENSOR_NUM_THREADS"):
        os.environ[var] = str(n)


def mlp(lib):
    return lib.Sequential(lib.Linear(784, 512), lib.ReLU(), lib.Linear(512, 256), lib.ReLU(),
                          lib.Linear(256, 10))


def cnn(lib):
    return lib.Sequential(
        lib.Conv2d(1, 16, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(16, 32, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
        lib.Flatten(), lib.Linear(32 * 7 * 7, 10))


CASES = {
    "MLP 784-512-256-10, batch 128": (mlp, (128, 784)),
    "CNN conv16-conv32-linear 28x28, batch 64": (cnn, (64, 1, 28, 28)),
}


def _data(shape):
    import numpy as np
    rng = np.random.default_rng(0)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, 10, shape[0])


def _torch_worker(conn, threads):
    """Child process: builds each case in PyTorch, sends its initial weights, then
    times blocks of steps on request."""
    if threads:
        _set_threads(threads)
    import numpy as np
    import torch
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    while True:
        msg = conn.recv()
        if msg[0] == "quit":
            return
        if msg[0] == "case":
            make, shape = CASES[msg[1]]
            model = make(torch.nn)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            crit = torch.nn.CrossEntropyLoss()
            x_np, y_np = _data(shape)
            x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)

            def step():
                opt.zero_grad()
                loss = crit(model(x), y)
                loss.backward()
                opt.step()
                return loss
            weights = [(n, p.detach().numpy().copy()) for n, p in model.named_parameters()]
            first = float(step().detach())
            for _ in range(2):
                step()
            conn.send((weights, first, torch.get_num_threads()))
        elif msg[0] == "time":
            t0 = time.perf_counter()
            for _ in range(msg[1]):
                step()
            conn.send((time.perf_counter() - t0) / msg[1] * 1e3)


def _optimizer(params):
    from minitensor import optim
    return optim.SGD(params, lr=0.01, momentum=0.9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    if args.threads:
        _set_threads(args.threads)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    worker = ctx.Process(target=_torch_worker, args=(child, args.threads), daemon=True)
    worker.start()

    import numpy as np
    import minitensor as xp
    from minitensor import _kernels, nn
    print(f"minitensor kernel threads: {_kernels.get_num_threads()}", flush=True)
    try:
        for name, (make, shape) in CASES.items():
            parent.send(("case", name))
            weights, t_first, t_threads = parent.recv()
            model = make(nn)
            for (n1, w), (n2, p) in zip(weights, model.named_parameters()):
                assert n1 == n2, (n1, n2)
                p._array[...] = w
            opt = _optimizer(model.parameters())
            crit = nn.CrossEntropyLoss()
            x_np, y_np = _data(shape)
            x, y = xp.asarray(x_np), xp.asarray(y_np)

            def step():
                opt.zero_grad()
                loss = crit(model(x), y)
                loss.backward()
                opt.step()
                return loss
            m_first = float(step())
            # same weights and data: the same first loss
            assert abs(m_first - t_first) < 1e-4 * max(1.0, abs(t_first)), (m_first, t_first)
            for _ in range(2):
                step()
            mt, tt = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                for _ in range(args.steps):
                    step()
                mt.append((time.perf_counter() - t0) / args.steps * 1e3)
                parent.send(("time", args.steps))
                tt.append(parent.recv())
            m_med, t_med = float(np.median(mt)), float(np.median(tt))
            print(f"{name} (torch threads {t_threads}): minitensor {m_med:.2f} ms "
                  f"(best {min(mt):.2f}), torch {t_med:.2f} ms (best {min(tt):.2f}); "
                  f"ratio {m_med / t_med:.2f} (best {min(mt) / min(tt):.2f})", flush=True)
    finally:
        parent.send(("quit",))
        worker.join(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
