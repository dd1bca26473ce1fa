"""Training-step time of minitensor.nn vs PyTorch (CPU): an MLP 784-512-256-10
(batch 128) and a small CNN (conv16-conv32-linear on 28x28, batch 64), SGD with
momentum, float32. Same architecture, initial weights and data in both.

    python benchmarks/bench_nn.py [--steps N] [--repeat R]

Prints the median and best time per step (ms) over ``repeat`` runs of ``steps``
steps each, and the ratio minitensor / PyTorch (< 1: minitensor is faster).
"""
import argparse
import time

import numpy as np

import minitensor as xp
from minitensor import nn

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def mlp(lib):
    return lib.Sequential(lib.Linear(784, 512), lib.ReLU(), lib.Linear(512, 256), lib.ReLU(),
                          lib.Linear(256, 10))


def cnn(lib):
    return lib.Sequential(
        lib.Conv2d(1, 16, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(16, 32, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
        lib.Flatten(), lib.Linear(32 * 7 * 7, 10))


def copy_weights(src_torch, dst):
    for (n1, p1), (n2, p2) in zip(src_torch.named_parameters(), dst.named_parameters()):
        assert n1 == n2, (n1, n2)
        p2._array[...] = p1.detach().numpy()


def _optimizer(params):
    try:
        from minitensor import optim
        return optim.SGD(params, lr=0.01, momentum=0.9)
    except ImportError:  # pragma: no cover - before minitensor.optim exists
        from minitensor import _kernels

        class _SGD:
            def __init__(self, params):
                self.params = list(params)
                self.bufs = [None] * len(self.params)

            def zero_grad(self):
                for p in self.params:
                    p.grad = None

            def step(self):
                for i, p in enumerate(self.params):
                    self.bufs[i] = _kernels.sgd_step(p._array, p.grad._array, self.bufs[i],
                                                     lr=0.01, momentum=0.9)
        return _SGD(params)


def bench(make, x_np, y_np, steps, repeat):
    rng = np.random.default_rng(0)
    tmodel = make(torch.nn)
    model = make(nn)
    copy_weights(tmodel, model)
    topt = torch.optim.SGD(tmodel.parameters(), lr=0.01, momentum=0.9)
    opt = _optimizer(model.parameters())
    crit, tcrit = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    x, y = xp.asarray(x_np), xp.asarray(y_np)
    tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)

    def step_mt():
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def step_torch():
        topt.zero_grad()
        loss = tcrit(tmodel(tx), ty)
        loss.backward()
        topt.step()
        return loss

    # same first loss (same weights and data)
    l1, l2 = float(step_mt()), float(step_torch())
    assert abs(l1 - l2) < 1e-4 * max(1.0, abs(l2)), (l1, l2)
    res = {}
    for name, f in (("minitensor", step_mt), ("torch", step_torch)):
        for _ in range(3):
            f()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(steps):
                f()
            times.append((time.perf_counter() - t0) / steps * 1e3)
        res[name] = (float(np.median(times)), min(times))
    del rng
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    if torch is None:
        raise SystemExit("PyTorch is needed for this comparison")
    rng = np.random.default_rng(0)
    cases = {
        "MLP 784-512-256-10, batch 128": (mlp, rng.standard_normal((128, 784)).astype(np.float32),
                                          rng.integers(0, 10, 128)),
        "CNN conv16-conv32-linear 28x28, batch 64": (
            cnn, rng.standard_normal((64, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, 64)),
    }
    print(f"threads: torch {torch.get_num_threads()}, minitensor kernels "
          f"{__import__('minitensor._kernels', fromlist=['x']).get_num_threads()}")
    for name, (make, x, y) in cases.items():
        r = bench(make, x, y, args.steps, args.repeat)
        (m_med, m_best), (t_med, t_best) = r["minitensor"], r["torch"]
        print(f"{name}: minitensor {m_med:.2f} ms (best {m_best:.2f}), torch {t_med:.2f} ms "
              f"(best {t_best:.2f}); ratio {m_med / t_med:.2f} (best {m_best / t_best:.2f})")


if __name__ == "__main__":
    main()
