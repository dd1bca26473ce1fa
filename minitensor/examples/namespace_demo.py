"""A small end-to-end job on the Array API namespace: logistic regression by
gradient descent, written only with ``minitensor`` functions.

Run: ``python -m minitensor.examples.namespace_demo``. The data are synthetic
(seeded), so the run needs no download. The training demo on real data arrives
with ``minitensor.nn`` (see README).
"""
import sys
import time

import numpy as np

import minitensor as xp
from minitensor import _pythran


def make_data(n=4000, d=20, seed=0):
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d)
    X = rng.standard_normal((n, d))
    y = (X @ w_true + 0.5 * rng.standard_normal(n) > 0).astype(np.float64)
    return xp.asarray(X), xp.asarray(y)


def sigmoid(z):
    return 1.0 / (1.0 + xp.exp(-z))


def accuracy(X, y, w, b):
    hits = (sigmoid(X @ w + b) > 0.5) == (y > 0.5)
    return float(xp.mean(xp.astype(hits, xp.float64)))


def main(epochs=200, lr=0.5):
    X, y = make_data()
    n, d = X.shape
    n_train = int(0.8 * n)
    Xtr, ytr, Xte, yte = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    w = xp.zeros(d)
    b = 0.0
    print(f"minitensor {xp.__version__}: kernels {_pythran.variant}, "
          f"compiled={all(_pythran.COMPILED.values())}")
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        p = sigmoid(Xtr @ w + b)
        err = p - ytr
        w = w - lr * (Xtr.mT @ err) / n_train
        b = b - lr * float(xp.mean(err))
        if epoch % 50 == 0 or epoch == 1:
            eps = 1e-12
            loss = -float(xp.mean(ytr * xp.log(p + eps) + (1 - ytr) * xp.log(1 - p + eps)))
            acc = accuracy(Xte, yte, w, b)
            print(f"epoch {epoch:4d}  loss {loss:.4f}  test accuracy {acc:.3f}")
    dt = time.perf_counter() - t0
    acc = accuracy(Xte, yte, w, b)
    print(f"done: {epochs} epochs in {dt:.2f} s, test accuracy {acc:.3f}")
    return acc


if __name__ == "__main__":
    acc = main()
    sys.exit(0 if acc > 0.85 else 1)
