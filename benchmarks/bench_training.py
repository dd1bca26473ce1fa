"""One training step (forward, cross-entropy, backward, optimizer step; float32) in
minitensor, PyTorch (CPU) and hand-written NumPy:

* MLP 784-512-256-10, batch 128, SGD with momentum 0.9 (lr 0.01), and the same with
  Adam (lr 1e-3);
* CNN conv16-conv32-linear on 28x28 (3x3 convolutions with padding 1, ReLU, 2x2 max
  pools), batch 64, SGD with momentum 0.9;
* digits CNN: the model of ``minitensor/examples/digits.py`` (``make_model()``,
  conv16-conv32-pool-linear64-linear on 8x8 inputs, rebuilt layer by layer in
  PyTorch) with the example's defaults, batch 32, Adam (lr 3e-3); PyTorch only
  (no hand-written NumPy version).

    python benchmarks/bench_training.py [--steps N] [--repeat R] [--threads T] [--case NAME]

All three start from PyTorch's initial weights and the same data (the first losses
are checked to agree, and the NumPy loss after 4 steps agrees with minitensor's).
PyTorch runs in a child process that never imports minitensor; the implementations
take turns (one block of ``steps`` steps each, ``repeat`` times, the order rotating
from block to block) so they see the same machine load. For each, the median (and
best) wall time per step and the median CPU time per step (process time, all
threads) in ms; then the ratios minitensor / PyTorch and minitensor / NumPy of the
medians (< 1: minitensor is faster). On a busy shared machine the CPU times are the
steadier figure (wall times include waiting for a core). ``--threads`` sets the
BLAS/OpenMP/kernel thread counts of all three (default 1; 0 leaves the libraries'
defaults). Each implementation runs one untimed warm-up block first, and every
block starts after ``gc.collect()``; the load average is printed per case.

    python benchmarks/bench_training.py --ops [--threads T] [--repeat R]

times the CNN step's pieces instead (minitensor only, the arrays of the step, the
same glue calls): each op at 1 thread and at T threads (default 2; BLAS and kernel
threads both), the repeats of the two settings interleaved; then the whole step in
both settings with each thread's CPU time (Linux: ``/proc/self/task``), which shows
whether a second thread works or waits (OpenBLAS's idle workers spin on
``sched_yield`` for a while after each call: CPU time, not work; they take the
second core from the kernels' OpenMP thread: ``OPENBLAS_THREAD_TIMEOUT=14``, set
before NumPy is imported, makes them sleep after ~2**14 cycles instead of 2**28).
"""
import argparse
import gc
import multiprocessing as mp
import os
import sys
import time


def _set_threads(n):
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


# constructor arguments of the layers the digits example may use
_SPEC_ATTRS = {
    "Conv2d": ("in_channels", "out_channels", "kernel_size", "stride", "padding"),
    "Linear": ("in_features", "out_features"),
    "BatchNorm2d": ("num_features", "eps", "momentum"),
    "BatchNorm1d": ("num_features", "eps", "momentum"),
    "MaxPool2d": ("kernel_size", "stride"),
    "Dropout": ("p",),
    "ReLU": (), "Flatten": (),
}


def digits_spec():
    """The layers of ``minitensor.examples.digits.make_model()`` as plain data, so that
    the PyTorch process (which never imports minitensor) builds the same model."""
    from minitensor.examples import digits
    spec = []
    for m in digits.make_model():
        name = type(m).__name__
        if name not in _SPEC_ATTRS:
            raise NotImplementedError(f"bench_training: digits model layer {name} not mapped")
        spec.append((name, {a: getattr(m, a) for a in _SPEC_ATTRS[name]}))
    return spec


def from_spec(lib, spec):
    return lib.Sequential(*[getattr(lib, name)(**kw) for name, kw in spec])


def digits_cnn(lib, spec=None):
    return from_spec(lib, spec)


# name: (model, input shape, optimizer name, optimizer kwargs)
CASES = {
    "MLP 784-512-256-10, batch 128, SGD momentum":
        (mlp, (128, 784), "SGD", dict(lr=0.01, momentum=0.9)),
    "MLP 784-512-256-10, batch 128, Adam": (mlp, (128, 784), "Adam", dict(lr=1e-3)),
    "CNN conv16-conv32-linear 28x28, batch 64, SGD momentum":
        (cnn, (64, 1, 28, 28), "SGD", dict(lr=0.01, momentum=0.9)),
    "digits CNN (examples/digits.py) 8x8, batch 32, Adam":
        (digits_cnn, (32, 1, 8, 8), "Adam", dict(lr=3e-3)),
}


def _data(shape):
    import numpy as np
    rng = np.random.default_rng(0)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, 10, shape[0])


def _time_block(step, steps):
    """(wall, CPU) ms per step over a block of ``steps`` steps (after a full garbage
    collection: a collection's cost depends on everything the process holds, and
    the two processes hold different object counts)."""
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    return ((time.perf_counter() - w0) / steps * 1e3, (time.process_time() - c0) / steps * 1e3)


# ---------------------------------------------------------------------------
# PyTorch (child process)

def _torch_worker(conn, threads):
    if threads:
        _set_threads(threads)
    import torch
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    step = None
    while True:
        msg = conn.recv()
        if msg[0] == "quit":
            return
        if msg[0] == "case":
            make, shape, opt_name, opt_kw = CASES[msg[1]]
            model = make(torch.nn, msg[2]) if make is digits_cnn else make(torch.nn)
            opt = getattr(torch.optim, opt_name)(model.parameters(), **opt_kw)
            crit = torch.nn.CrossEntropyLoss()
            x_np, y_np = _data(shape)
            x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)

            def step():
                opt.zero_grad()
                loss = crit(model(x), y)
                loss.backward()
                opt.step()
                return loss
            weights = [p.detach().numpy().copy() for p in model.parameters()]
            first = float(step().detach())
            for _ in range(2):
                step()
            conn.send((weights, first, torch.get_num_threads()))
        elif msg[0] == "time":
            conn.send(_time_block(step, msg[1]))


# ---------------------------------------------------------------------------
# hand-written NumPy forward/backward

def _numpy_step_factory(case, weights, x, y):
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view
    make, shape, opt_name, opt_kw = CASES[case]
    params = [w.copy() for w in weights]
    n = x.shape[0]
    onehot = np.zeros((n, 10), np.float32)
    onehot[np.arange(n), y] = 1

    def ce(z):
        m = z.max(axis=1, keepdims=True)
        e = np.exp(z - m)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) + m[:, 0] - z[np.arange(n), y]))
        return loss, (e / s - onehot) / n

    def conv_fwd(a, w, b):
        nb, c, h, wd = a.shape
        ap = np.pad(a, ((0, 0), (0, 0), (1, 1), (1, 1)))
        cols = sliding_window_view(ap, (3, 3), axis=(2, 3)).transpose(0, 2, 3, 1, 4, 5)
        cols = cols.reshape(nb * h * wd, c * 9)
        out = cols @ w.reshape(w.shape[0], -1).T + b
        return out.reshape(nb, h, wd, -1).transpose(0, 3, 1, 2), cols

    def conv_bwd(dout, cols, w, a_shape, need_dx):
        nb, c, h, wd = a_shape
        d = dout.transpose(0, 2, 3, 1).reshape(-1, w.shape[0])
        dw = (d.T @ cols).reshape(w.shape)
        db = d.sum(axis=0)
        if not need_dx:
            return None, dw, db
        dcols = (d @ w.reshape(w.shape[0], -1)).reshape(nb, h, wd, c, 3, 3)
        dxp = np.zeros((nb, c, h + 2, wd + 2), np.float32)
        for i in range(3):
            for j in range(3):
                dxp[:, :, i:i + h, j:j + wd] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
        return dxp[:, :, 1:-1, 1:-1], dw, db

    def pool_fwd(a):
        nb, c, h, wd = a.shape
        r = a.reshape(nb, c, h // 2, 2, wd // 2, 2).transpose(0, 1, 2, 4, 3, 5)
        r = r.reshape(nb, c, h // 2, wd // 2, 4)
        idx = r.argmax(axis=-1)[..., None]
        return np.take_along_axis(r, idx, axis=-1)[..., 0], idx

    def pool_bwd(dout, idx, a_shape):
        nb, c, h, wd = a_shape
        dr = np.zeros((nb, c, h // 2, wd // 2, 4), np.float32)
        np.put_along_axis(dr, idx, dout[..., None], axis=-1)
        dr = dr.reshape(nb, c, h // 2, wd // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
        return dr.reshape(a_shape)

    def grads_mlp():
        w1, b1, w2, b2, w3, b3 = params
        h1 = x @ w1.T + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ w2.T + b2
        a2 = np.maximum(h2, 0)
        loss, dz = ce(a2 @ w3.T + b3)
        g3, gb3 = dz.T @ a2, dz.sum(0)
        d2 = (dz @ w3) * (h2 > 0)
        g2, gb2 = d2.T @ a1, d2.sum(0)
        d1 = (d2 @ w2) * (h1 > 0)
        g1, gb1 = d1.T @ x, d1.sum(0)
        return loss, [g1, gb1, g2, gb2, g3, gb3]

    def grads_cnn():
        k1, c1, k2, c2, w, b = params
        h1, cols1 = conv_fwd(x, k1, c1)
        a1 = np.maximum(h1, 0)
        p1, i1 = pool_fwd(a1)
        h2, cols2 = conv_fwd(p1, k2, c2)
        a2 = np.maximum(h2, 0)
        p2, i2 = pool_fwd(a2)
        f = p2.reshape(n, -1)
        loss, dz = ce(f @ w.T + b)
        gw, gb = dz.T @ f, dz.sum(0)
        dp2 = (dz @ w).reshape(p2.shape)
        da2 = pool_bwd(dp2, i2, a2.shape) * (h2 > 0)
        dp1, gk2, gc2 = conv_bwd(da2, cols2, k2, p1.shape, True)
        da1 = pool_bwd(dp1, i1, a1.shape) * (h1 > 0)
        _, gk1, gc1 = conv_bwd(da1, cols1, k1, x.shape, False)
        return loss, [gk1, gc1, gk2, gc2, gw, gb]

    if make not in (mlp, cnn):
        return None
    grads = grads_mlp if make is mlp else grads_cnn
    state = {"t": 0, "m": [np.zeros_like(p) for p in params],
             "v": [np.zeros_like(p) for p in params], "buf": None}

    def step():
        loss, gs = grads()
        state["t"] += 1
        if opt_name == "Adam":
            lr, b1, b2, eps = opt_kw["lr"], 0.9, 0.999, 1e-8
            bc1, bc2 = 1 - b1 ** state["t"], 1 - b2 ** state["t"]
            for p, g, m, v in zip(params, gs, state["m"], state["v"]):
                m *= b1
                m += (1 - b1) * g
                v *= b2
                v += (1 - b2) * g * g
                p -= (lr / bc1) * m / (np.sqrt(v) / np.sqrt(bc2) + eps)
        else:
            lr, mom = opt_kw["lr"], opt_kw["momentum"]
            if state["buf"] is None:
                state["buf"] = [g.copy() for g in gs]
            else:
                for buf, g in zip(state["buf"], gs):
                    buf *= mom
                    buf += g
            for p, buf in zip(params, state["buf"]):
                p -= lr * buf
        return loss

    return step


# ---------------------------------------------------------------------------
# per-op breakdown of the CNN step (minitensor only)

def _thread_cpu_ms():
    """{thread id: CPU ms} of this process's threads (Linux; {} elsewhere)."""
    out = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return out
    tick = os.sysconf("SC_CLK_TCK")
    for t in tids:
        try:
            with open(f"/proc/self/task/{t}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[t] = (int(fields[11]) + int(fields[12])) * 1e3 / tick   # utime + stime
    return out


def op_breakdown(threads, repeat):
    import numpy as np
    import minitensor as xp
    from minitensor import _kernels as MK, nn, optim
    from minitensor.examples._blas import blas_threads
    from minitensor.nn import _conv_ops as C, _nn_kernels as K
    f32 = np.float32
    rng = np.random.default_rng(0)
    n = 64
    x1 = rng.standard_normal((n, 1, 28, 28)).astype(f32)
    w1 = rng.standard_normal((16, 1, 3, 3)).astype(f32)
    x2 = rng.standard_normal((n, 16, 14, 14)).astype(f32)
    w2 = rng.standard_normal((32, 16, 3, 3)).astype(f32)
    y1 = rng.standard_normal((n, 16, 28, 28)).astype(f32)
    y2 = rng.standard_normal((n, 32, 14, 14)).astype(f32)
    geo = ((3, 3), (1, 1), (1, 1), (1, 1))
    cols1 = C.cols_of(x1, *geo, (28, 28))
    cols2 = C.cols_of(x2, *geo, (14, 14))
    gt1, gt2 = C.g_t(y1, f32), C.g_t(y2, f32)
    pools = {}
    for name, y, o in (("1", y1, 14), ("2", y2, 7)):
        h = y.shape[2]
        out, idx = K.maxpool2d(y.reshape(-1, h, h), (2, 2), (2, 2), (0, 0), (1, 1), (o, o))
        pools[name] = (y.reshape(-1, h, h), out, idx, (h, h), (o, o))

    def pool(k):
        y, _, _, _, o = pools[k]
        return lambda: K.maxpool2d(y, (2, 2), (2, 2), (0, 0), (1, 1), o)

    def pool_b(k):
        _, out, idx, hw, _ = pools[k]
        return lambda: K.maxpool2d_backward(out, idx, hw)

    ops = {   # the step's array work (its glue calls), in the order of the step
        "conv1 im2col": lambda: C.cols_of(x1, *geo, (28, 28)),
        "conv1 product, bias": lambda: C.conv_y(cols1, w1, w1[:, 0, 0, 0], 1, n, (28, 28), False),
        "relu1": lambda: MK.relu_backward(y1, y1),
        "pool1": pool("1"),
        "conv2 im2col": lambda: C.cols_of(x2, *geo, (14, 14)),
        "conv2 product, bias": lambda: C.conv_y(cols2, w2, w2[:, 0, 0, 0], 1, n, (14, 14), False),
        "relu2": lambda: MK.relu_backward(y2, y2),
        "pool2": pool("2"),
        "pool2 backward": pool_b("2"),
        "relu2 backward": lambda: MK.relu_backward(y2, y2),
        "conv2 grad transpose": lambda: C.g_t(y2, f32),
        "conv2 bias grad": lambda: gt2.sum(axis=1),
        "conv2 weight grad": lambda: C.weight_grad(gt2, cols2, 1, w2.shape),
        "conv2 input grad": lambda: C.input_grad(gt2, w2, 1, n, (14, 14), (14, 14), *geo[1:],
                                                 ga=y2),
        "pool1 backward": pool_b("1"),
        "relu1 backward": lambda: MK.relu_backward(y1, y1),
        "conv1 grad transpose": lambda: C.g_t(y1, f32),
        "conv1 bias grad": lambda: gt1.sum(axis=1),
        "conv1 weight grad": lambda: C.weight_grad(gt1, cols1, 1, w1.shape),
    }
    settings = (1, threads)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs, load "
          f"average {' '.join(f'{v:.1f}' for v in os.getloadavg())}; CNN step ops, float32, "
          f"batch {n}: best (median) wall us of {repeat} blocks, 1 vs {threads} threads "
          f"(BLAS and kernels), interleaved; OPENBLAS_THREAD_TIMEOUT="
          f"{os.environ.get('OPENBLAS_THREAD_TIMEOUT', 'unset')}", flush=True)

    def block(f, k):
        t0 = time.perf_counter()
        for _ in range(k):
            f()
        return (time.perf_counter() - t0) / k

    def run(f, k, nt):
        xp.set_num_threads(nt)
        with blas_threads(nt):
            return block(f, k)

    total = {s: 0.0 for s in settings}
    for name, f in ops.items():
        times = {s: [] for s in settings}
        for s in settings:
            run(f, 3, s)   # warm-up
        for _ in range(repeat):
            for s in settings:
                times[s].append(run(f, 10, s) * 1e6)
        best = {s: min(v) for s, v in times.items()}
        for s in settings:
            total[s] += best[s]
        print(f"    {name:22s} {best[1]:8.0f} ({np.median(times[1]):6.0f})   "
              f"{best[threads]:8.0f} ({np.median(times[threads]):6.0f})   "
              f"x{best[1] / best[threads]:.2f}", flush=True)
    print(f"    {'sum of the above':22s} {total[1]:8.0f}            {total[threads]:8.0f}"
          f"            x{total[1] / total[threads]:.2f}")

    # the whole step, with each thread's CPU time
    model = cnn(nn)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    crit = nn.CrossEntropyLoss()
    xs, ys = _data((n, 1, 28, 28))
    x, y = xp.asarray(xs), xp.asarray(ys)

    def step():
        opt.zero_grad()
        crit(model(x), y).backward()
        opt.step()
    steps = 20
    for s in settings:
        xp.set_num_threads(s)
        with blas_threads(s):
            block(step, 5)
            walls, cpu = [], {}
            for _ in range(repeat):
                gc.collect()
                c0 = _thread_cpu_ms()
                walls.append(block(step, steps) * 1e3)
                for t, v in _thread_cpu_ms().items():
                    cpu[t] = cpu.get(t, 0.0) + v - c0.get(t, 0.0)
        per = sorted((v / (steps * repeat) for v in cpu.values()), reverse=True)
        busy = ", ".join(f"{v:.2f}" for v in per if v > 0.005)
        print(f"    whole step, {s} thread(s): wall {min(walls):.2f} ({np.median(walls):.2f}) "
              f"ms/step; CPU ms/step of the busy threads: {busy or 'n/a'}", flush=True)
    return 0


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS/OpenMP/kernel threads of all three (default 1; 0: leave the "
                         "libraries' defaults)")
    ap.add_argument("--case", default=None, help="run only the cases whose name starts with this")
    ap.add_argument("--ops", action="store_true",
                    help="per-op times of the CNN step at 1 and --threads threads (default 2)")
    args = ap.parse_args()
    if args.ops:
        return op_breakdown(args.threads if args.threads > 1 else 2, args.repeat)
    if args.threads:
        _set_threads(args.threads)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    worker = ctx.Process(target=_torch_worker, args=(child, args.threads), daemon=True)
    worker.start()

    import numpy as np
    import minitensor as xp
    from minitensor import nn, optim
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}; minitensor kernel "
          f"threads {xp.get_num_threads()}; medians of {args.repeat} blocks of {args.steps} "
          f"steps after one warm-up block each (wall ms/step, CPU ms/step)", flush=True)
    try:
        for name, (make, shape, opt_name, opt_kw) in CASES.items():
            if args.case and not name.startswith(args.case):
                continue
            spec = digits_spec() if make is digits_cnn else None
            parent.send(("case", name, spec))
            weights, t_first, t_threads = parent.recv()
            model = make(nn, spec) if spec else make(nn)
            params = list(model.parameters())
            assert [p.shape for p in params] == [w.shape for w in weights]
            for p, w in zip(params, weights):
                p._array[...] = w
            opt = getattr(optim, opt_name)(params, **opt_kw)
            crit = nn.CrossEntropyLoss()
            x_np, y_np = _data(shape)
            x, y = xp.asarray(x_np), xp.asarray(y_np)

            def m_step():
                opt.zero_grad()
                loss = crit(model(x), y)
                loss.backward()
                opt.step()
                return loss
            np_step = _numpy_step_factory(name, weights, x_np, y_np)
            m_first = float(m_step())
            firsts = [m_first] + ([np_step()] if np_step else [])
            for first in firsts:   # same weights and data: the same first loss
                assert abs(first - t_first) < 1e-4 * max(1.0, abs(t_first)), (firsts, t_first)
            for _ in range(3):
                m_loss = float(m_step())
                n_loss = np_step() if np_step else m_loss
            # the NumPy backward passes and updates agree with minitensor's (4th step's loss)
            assert abs(m_loss - n_loss) < 1e-3 * max(1.0, abs(m_loss)), (m_loss, n_loss)

            def torch_block(steps):
                parent.send(("time", steps))
                return parent.recv()
            runners = {"minitensor": lambda k: _time_block(m_step, k), "torch": torch_block}
            if np_step:
                runners["numpy"] = lambda k: _time_block(np_step, k)
            names = list(runners)
            times = {k: [] for k in names}
            for k in names:   # warm-up block (caches, allocator pools, lazy imports)
                runners[k](args.steps)
            load0 = os.getloadavg()[0]
            for r in range(args.repeat):
                for k in names[r % len(names):] + names[:r % len(names)]:   # rotate the order
                    times[k].append(runners[k](args.steps))
            wall = {k: float(np.median([t[0] for t in v])) for k, v in times.items()}
            cpu = {k: float(np.median([t[1] for t in v])) for k, v in times.items()}
            best = {k: min(t[0] for t in v) for k, v in times.items()}
            print(f"{name} (torch threads {t_threads}; load average {load0:.1f} -> "
                  f"{os.getloadavg()[0]:.1f}):", flush=True)
            for k in names:
                print(f"    {k:10s} wall {wall[k]:8.2f} ms/step (best {best[k]:7.2f})  "
                      f"CPU {cpu[k]:8.2f} ms/step", flush=True)
            for other in names[1:]:
                print(f"    ratio minitensor/{other}: wall {wall['minitensor'] / wall[other]:.2f} "
                      f"(best {best['minitensor'] / best[other]:.2f}), "
                      f"CPU {cpu['minitensor'] / cpu[other]:.2f}", flush=True)
    finally:
        parent.send(("quit",))
        worker.join(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
