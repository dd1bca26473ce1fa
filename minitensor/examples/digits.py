"""Train a small CNN on scikit-learn's 8x8 handwritten digits with minitensor.

Run ``minitensor-digits`` (the console script that ``pip install`` puts on the
PATH) or, from any directory but the source tree's root, ``python -m
minitensor.examples.digits`` (scikit-learn is needed for the data set, which
ships with it: no download). It trains

    Conv2d(1, 16, 3, padding=1) - BatchNorm2d - ReLU
    - Conv2d(16, 32, 3, padding=1) - BatchNorm2d - ReLU - MaxPool2d(2)
    - Flatten - Linear(512, 64) - ReLU - Linear(64, 10)

with ``CrossEntropyLoss`` and Adam (or SGD with momentum: ``--optimizer sgd``),
printing one line per epoch (loss, train and test accuracy, throughput), saves
a checkpoint with ``minitensor.save`` and exits with status 1 if the test
accuracy is below ``--target`` (default 97 %). A second run can evaluate the
checkpoint without training::

    minitensor-digits --checkpoint digits_cnn.mt
    minitensor-digits --eval-only --checkpoint digits_cnn.mt

``minitensor-digits --help`` lists every option with its default. The
train/test split (80/20) is drawn from ``--seed``, which the checkpoint records,
so ``--eval-only`` evaluates on the same test images.

(``python -m`` puts the current directory first on ``sys.path``: run from the
root of a minitensor clone, it imports the uncompiled source tree instead of the
installed package, which fails with an ImportError; the console script does not.)
"""
import argparse
import importlib.util
import os
import sys
import time

import numpy as np

import minitensor as xp
from minitensor import nn, optim
from minitensor.utils.data import DataLoader, TensorDataset

from ._blas import blas_threads

_NO_SKLEARN = ("This example needs scikit-learn for its bundled 8x8 digits data set "
               "(sklearn.datasets.load_digits; no download). Install it with:\n"
               "    pip install scikit-learn")


def _digits_arrays():
    """(images (1797, 8, 8), labels) of scikit-learn's bundled digits data set.

    Read straight from the CSV file that ships with scikit-learn (what
    ``sklearn.datasets.load_digits`` reads), which spares importing
    scikit-learn and SciPy (seconds on a busy machine); ``load_digits`` is the
    fallback if the file is not where it used to be.
    """
    try:
        spec = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(_NO_SKLEARN)
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, "datasets", "data", "digits.csv.gz")
        if os.path.exists(path):
            data = np.loadtxt(path, delimiter=",")
            return data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(np.int64)
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError(_NO_SKLEARN) from exc
    digits = load_digits()
    return digits.images, digits.target


def load_data(seed):
    """(x_train, y_train, x_test, y_test): float32 images (N, 1, 8, 8) in [0, 1], int64 labels.

    Raises ImportError (with an explanation) if scikit-learn is missing.
    """
    images, target = _digits_arrays()
    x = (images / 16.0).astype(np.float32)[:, None, :, :]
    y = target.astype(np.int64)
    perm = np.random.default_rng(seed).permutation(len(y))
    n_test = len(y) // 5
    test, train = perm[:n_test], perm[n_test:]
    return (xp.asarray(x[train]), xp.asarray(y[train]), xp.asarray(x[test]),
            xp.asarray(y[test]))


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


def accuracy(model, x, y, batch_size=512):
    """Fraction of correctly classified samples (evaluation mode, no graph)."""
    was_training = model.training
    model.eval()
    correct = 0
    with xp.no_grad():
        for i in range(0, x.shape[0], batch_size):
            logits = model(x[i:i + batch_size])
            correct += int(xp.sum(xp.argmax(logits, axis=1) == y[i:i + batch_size]))
    model.train(was_training)
    return correct / x.shape[0]


def make_optimizer(name, params, lr):
    if name == "adam":
        return optim.Adam(params, lr=3e-3 if lr is None else lr)
    return optim.SGD(params, lr=0.05 if lr is None else lr, momentum=0.9)


def train(args, out=None):
    """Train, print progress, save the checkpoint; return (final test accuracy, epoch losses)."""
    out = sys.stdout if out is None else out
    xp.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_data(args.seed)
    model = make_model()
    opt = make_optimizer(args.optimizer, model.parameters(), args.lr)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size,
                        shuffle=True, generator=np.random.default_rng(args.seed))
    n_params = sum(p.size for p in model.parameters())
    print(f"digits: {x_train.shape[0]} training / {x_test.shape[0]} test images, CNN with "
          f"{n_params} parameters, {args.optimizer}, batch size {args.batch_size}, "
          f"{xp.get_num_threads()} thread(s)", file=out, flush=True)
    losses = []
    t_start = time.perf_counter()
    acc_test = 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0 = time.perf_counter()
        total, seen = 0.0, 0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += float(loss) * xb.shape[0]
            seen += xb.shape[0]
        train_time = time.perf_counter() - t0
        sched.step()
        losses.append(total / seen)
        acc_train = accuracy(model, x_train, y_train)
        acc_test = accuracy(model, x_test, y_test)
        print(f"epoch {epoch:2d}/{args.epochs}  loss {losses[-1]:.4f}  "
              f"train acc {100 * acc_train:5.1f}%  test acc {100 * acc_test:5.1f}%  "
              f"{seen / train_time:7.0f} samples/s", file=out, flush=True)
    elapsed = time.perf_counter() - t_start
    if args.checkpoint:
        xp.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                 "scheduler": sched.state_dict(), "epoch": args.epochs, "seed": args.seed,
                 "test_accuracy": acc_test}, args.checkpoint)
        print(f"saved checkpoint to {args.checkpoint}", file=out, flush=True)
    print(f"test accuracy {100 * acc_test:.2f}% after {args.epochs} epochs in "
          f"{elapsed:.1f} s", file=out, flush=True)
    return acc_test, losses


def evaluate(args, out=None):
    """Load ``args.checkpoint`` and return its test accuracy (same split as training)."""
    out = sys.stdout if out is None else out
    ckpt = xp.load(args.checkpoint)
    if not isinstance(ckpt, dict) or "model" not in ckpt:
        raise ValueError(f"{args.checkpoint} is not a checkpoint of this example")
    seed = ckpt.get("seed", args.seed)
    _, _, x_test, y_test = load_data(seed)
    model = make_model()
    model.load_state_dict(ckpt["model"])
    acc = accuracy(model, x_test, y_test)
    print(f"checkpoint {args.checkpoint} (epoch {ckpt.get('epoch')}, seed {seed}): "
          f"test accuracy {100 * acc:.2f}%", file=out, flush=True)
    return acc


def _prog():
    """How the user started the example, for ``--help``'s usage line."""
    if os.path.basename(sys.argv[0]).startswith("minitensor-digits"):
        return "minitensor-digits"
    return "python -m minitensor.examples.digits"


def make_parser():
    """The command line's ``argparse`` parser (every option's help shows its default)."""
    p = argparse.ArgumentParser(
        prog=_prog(), description=__doc__.split("\n\n")[0],
        epilog="example: minitensor-digits --epochs 4 --target 0.9 --checkpoint ''")
    p.add_argument("--epochs", type=int, default=12, metavar="N",
                   help="training epochs (default: %(default)s)")
    p.add_argument("--batch-size", type=int, default=32, metavar="N",
                   help="images per training step (default: %(default)s)")
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam",
                   help="adam, or sgd with momentum 0.9 (default: %(default)s)")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate (default: 3e-3 for adam, 0.05 for sgd)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the weights, the shuffling and the train/test split "
                        "(default: %(default)s)")
    p.add_argument("--blas-threads", type=int, default=1, metavar="N",
                   help="threads of NumPy's BLAS (OpenBLAS) for the matmuls "
                        "(default: %(default)s)")
    p.add_argument("--checkpoint", default="digits_cnn.mt", metavar="PATH",
                   help="where to save the trained model (or read it with --eval-only); "
                        "'' to skip saving (default: %(default)s)")
    p.add_argument("--eval-only", action="store_true",
                   help="evaluate --checkpoint on the test split instead of training "
                        "(default: off, i.e. train)")
    p.add_argument("--target", type=float, default=0.97,
                   help="minimum test accuracy (a fraction); below it the exit status is 1 "
                        "(default: %(default)s)")
    return p


def parse_args(argv=None):
    """Parse the command line (``sys.argv[1:]`` if ``argv`` is None); exits on an error."""
    p = make_parser()
    args = p.parse_args(argv)
    if args.epochs < 1:
        p.error("--epochs must be >= 1")
    if args.batch_size < 1:
        p.error("--batch-size must be >= 1")
    if args.blas_threads < 1:
        p.error("--blas-threads must be >= 1")
    if args.eval_only and not args.checkpoint:
        p.error("--eval-only needs --checkpoint PATH")
    return args


def main(argv=None):
    """Command-line entry point; returns the exit status (0 ok, 1 target missed, 2 error)."""
    args = parse_args(argv)
    # Note: the matmuls of this small CNN are faster on one BLAS thread (OpenBLAS's
    # threads mostly wait for each other, 10x slower on a busy machine); the
    # minitensor kernels keep their threads (MINITENSOR_NUM_THREADS).
    with blas_threads(args.blas_threads):
        return _run(args)


def _run(args):
    try:
        if args.eval_only:
            if not os.path.exists(args.checkpoint):
                print(f"error: no checkpoint at {args.checkpoint!r}; train first "
                      f"({_prog()} --checkpoint PATH)",
                      file=sys.stderr)
                return 2
            acc = evaluate(args)
        else:
            acc, _ = train(args)
    except ImportError as exc:
        if "scikit-learn" in str(exc):
            print(exc, file=sys.stderr)
            return 2
        raise
    if acc < args.target:
        print(f"FAILED: test accuracy {100 * acc:.2f}% is below the target "
              f"{100 * args.target:.2f}%", file=sys.stderr, flush=True)
        return 1
    print(f"OK: test accuracy {100 * acc:.2f}% >= target {100 * args.target:.2f}%", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
