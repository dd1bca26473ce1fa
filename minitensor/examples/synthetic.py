"""Train two small models on synthetic data with minitensor (no data set needed).

``python -m minitensor.examples.synthetic`` runs

1. an MLP classifying three interleaved 2-D spirals (``Linear``/``ReLU``,
   ``CrossEntropyLoss``, ``AdamW`` with a ``OneCycleLR`` schedule);
2. an LSTM reading sequences of 16 numbers and regressing their mean and the
   sign of their sum (``LSTM(batch_first=True)`` + ``Linear``, ``MSELoss``,
   ``Adam``, gradient clipping).

Each prints one line per epoch and the run exits with status 1 if a model
misses its target (MLP test accuracy, LSTM test MSE relative to predicting the
mean). ``--quick`` runs fewer epochs (for tests).
"""
import argparse
import sys
import time

import numpy as np

import minitensor as xp
from minitensor import nn, optim
from minitensor.utils.data import DataLoader, TensorDataset, random_split

from ._blas import blas_threads


def spirals(n_per_class=400, classes=3, noise=0.15, seed=0):
    """Points (N, 2) float32 on ``classes`` interleaved spirals, labels (N,) int64."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.1, 1.0, n_per_class)
        t = np.linspace(0, 3.5, n_per_class) + 2 * np.pi * c / classes
        t = t + noise * rng.standard_normal(n_per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n_per_class, c))
    return (xp.asarray(np.concatenate(xs).astype(np.float32)),
            xp.asarray(np.concatenate(ys).astype(np.int64)))


def sequences(n=2000, length=16, seed=0):
    """Sequences (N, length, 1) float32 and targets (N, 2): their mean and sign of their sum."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, length, 1)).astype(np.float32)
    s = x.sum(axis=(1, 2))
    y = np.stack([x.mean(axis=(1, 2)), np.sign(s) * 0.5], axis=1).astype(np.float32)
    return xp.asarray(x), xp.asarray(y)


class SequenceRegressor(nn.Module):
    """LSTM over the sequence, linear head on the last hidden state."""

    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def _split(x, y, seed):
    ds = TensorDataset(x, y)
    train, test = random_split(ds, [0.8, 0.2], generator=np.random.default_rng(seed))
    idx_test = xp.asarray(np.asarray(test.indices, dtype=np.int64))
    return train, xp.take(x, idx_test, axis=0), xp.take(y, idx_test, axis=0)


def run_mlp(epochs, seed, out=None):
    """Train the spiral MLP; return its test accuracy."""
    out = sys.stdout if out is None else out
    xp.manual_seed(seed)
    x, y = spirals(seed=seed)
    train, x_test, y_test = _split(x, y, seed)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 3))
    loader = DataLoader(train, batch_size=64, shuffle=True, generator=seed)
    opt = optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-4)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-2, epochs=epochs,
                                          steps_per_epoch=len(loader))
    loss_fn = nn.CrossEntropyLoss()
    acc = 0.0
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        model.train()
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * xb.shape[0]
        dt = time.perf_counter() - t0
        model.eval()
        with xp.no_grad():
            acc = float(xp.mean(xp.astype(xp.argmax(model(x_test), axis=1) == y_test,
                                          xp.float32)))
        print(f"[mlp]  epoch {epoch:2d}/{epochs}  loss {total / len(train):.4f}  "
              f"test acc {100 * acc:5.1f}%  {len(train) / dt:7.0f} samples/s", file=out,
              flush=True)
    return acc


def run_lstm(epochs, seed, out=None):
    """Train the sequence LSTM; return its test MSE divided by the variance of the targets."""
    out = sys.stdout if out is None else out
    xp.manual_seed(seed)
    x, y = sequences(seed=seed)
    train, x_test, y_test = _split(x, y, seed)
    model = SequenceRegressor()
    loader = DataLoader(train, batch_size=64, shuffle=True, generator=seed)
    opt = optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = nn.MSELoss()
    baseline = float(xp.mean(xp.var(y_test, axis=0)))
    rel = 1.0
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        model.train()
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += float(loss) * xb.shape[0]
        dt = time.perf_counter() - t0
        model.eval()
        with xp.no_grad():
            rel = float(loss_fn(model(x_test), y_test)) / baseline
        print(f"[lstm] epoch {epoch:2d}/{epochs}  loss {total / len(train):.4f}  "
              f"test mse / variance {rel:.3f}  {len(train) / dt:7.0f} samples/s", file=out,
              flush=True)
    return rel


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m minitensor.examples.synthetic",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="few epochs, no targets (for tests)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    mlp_epochs, lstm_epochs = (3, 2) if args.quick else (15, 12)
    with blas_threads(1):   # small matmuls: one BLAS thread is faster (see digits.py)
        acc = run_mlp(mlp_epochs, args.seed)
        rel = run_lstm(lstm_epochs, args.seed)
    ok = args.quick or (acc >= 0.95 and rel <= 0.2)
    print(f"MLP test accuracy {100 * acc:.1f}% (target 95%), LSTM test mse / variance "
          f"{rel:.3f} (target 0.2): {'ok' if ok else 'FAILED'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
