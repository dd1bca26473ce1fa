"""PyTorch training programs, run unchanged on PyTorch and on ``minitensor.torch``.

Every ``tests/torch_programs/prog_*.py`` is a small training program written
against ``torch`` (our own code, in the style of PyTorch's examples and
tutorials; synthetic data, well under 2 s on one CPU thread). Its ``main()``
returns a dict whose ``"losses"`` are the per-step (or per-batch) training
losses. Each program runs twice, in a fresh module namespace of this process:

* on PyTorch (skipped when torch is not installed), and
* after the mechanical import swap (:func:`swap_imports`: ``import torch`` ->
  ``import minitensor.torch as torch``, ``import torch.nn as nn`` ->
  ``import minitensor.torch.nn as nn``, ``from torch.X import Y`` ->
  ``from minitensor.torch.X import Y``; nothing else changes),

with the same seed and one thread. Same-seed bit equality is not expected (the
two frameworks draw different initial weights and batches), so the comparison
is statistical: with ``start``/``end`` the means of the first/last ``window``
losses, minitensor's ``end`` must lie within a factor ``final_tol`` of
PyTorch's, and its decrease ``start / end`` within a factor ``trend_tol`` of
PyTorch's (and be > 1). The tolerances are stated per program in ``PROGRAMS``:
each is about 1.5x the spread PyTorch itself shows over six seeds (measured
with ``main(seed=...)``). Without torch, minitensor is compared with the
PyTorch numbers recorded in ``PROGRAMS`` (``ref_end``, ``ref_factor``).

Optional keys of the result are compared too: ``accuracy`` (held out; at most
0.15 below PyTorch's), ``val_loss`` (within ``final_tol``), ``n_params``
(equal). To add a program: ``prog_<name>.py`` with ``main(seed=...)``, importing
only torch, numpy, math, random, os, tempfile; measure its spread over six
seeds on PyTorch and add its ``Spec``. The files are not collected by pytest
(their names do not start with ``test_``).

``pytest -s tests/test_torch_programs.py`` prints a table (program, both final
losses, both times).
"""
import random
import re
from dataclasses import dataclass

import numpy as np
import pytest

import minitensor
# the import swap, running a program and the one-thread setup, shared with
# benchmarks/bench_programs.py (tests/ is on sys.path under pytest)
from torch_programs._swap import ANY_TORCH_IMPORT as _ANY_TORCH_IMPORT
from torch_programs._swap import HERE, one_thread, swap_imports
from torch_programs._swap import run as _run

try:
    import torch
except ImportError:                       # the minitensor side still runs
    torch = None


@dataclass(frozen=True)
class Spec:
    window: int          # losses averaged at the start and at the end
    final_tol: float     # minitensor's end within [end / tol, end * tol] of torch's
    trend_tol: float     # minitensor's start/end within a factor of torch's
    ref_end: float       # PyTorch 2.13 CPU, one thread, main() defaults
    ref_factor: float
    xfail: str = ""      # the minitensor side's first missing piece, while it fails


# Tolerances: ~1.5x the max/min ratio of `end` (and of `start / end`) that
# PyTorch shows over six seeds; the comments give that measured spread.
PROGRAMS = {
    # end 0.15-0.25 (x1.7), start/end 8.4-15 (x1.7): the plateau before take-off
    # varies (minitensor: 0.18-0.37 over the same six seeds; over eight others,
    # PyTorch 0.20-0.31 and minitensor 0.14-0.31)
    "mnist_cnn": Spec(12, 3.0, 3.0, 0.1888, 11.5),
    # end x1.10, start/end 2.0-3.6 (x1.8): the first losses depend on the init
    "logistic_regression": Spec(20, 1.3, 2.5, 0.2202, 2.81),
    # end x1.08, start/end x1.04
    "feedforward": Spec(9, 1.3, 1.3, 0.6911, 1.95),
    # end x1.26, start/end x1.26
    "birnn": Spec(10, 1.6, 1.6, 0.4893, 2.06),
    # end x1.03, start/end x1.03
    "char_gpt": Spec(8, 1.15, 1.15, 2.299, 1.29),
    # end x1.02, start/end x1.02
    "vae": Spec(6, 1.1, 1.1, 24.55, 1.56),
    # end 0.005-0.014 (x2.75), start/end 22-54 (x2.4): LBFGS + strong Wolfe, 5 steps
    "lstmcell_lbfgs": Spec(3, 4.0, 4.0, 0.00814, 39.1),
    # end x1.11, start/end x1.13
    "word_lm": Spec(8, 1.25, 1.3, 1.761, 1.65),
    # end x2.15, start/end x1.8 (40 noisy steps)
    "transformer_classifier": Spec(8, 3.0, 3.0, 0.1803, 3.32),
    # end x1.72, start/end 129-817 (the first loss depends on the random coefficients)
    "polynomial_tensors": Spec(200, 2.5, 10.0, 16.43, 317.0),
    # end x1.32, start/end x2.3 (the first batches' loss depends on the init)
    "regression_module": Spec(40, 2.0, 3.5, 0.005607, 32.2),
    # end x1.10, start/end x1.10; the program asserts resume == uninterrupted
    "checkpoint": Spec(6, 1.25, 1.25, 0.1576, 6.20),
    # the discriminator's loss; a GAN: end x3.0, start/end x3.1
    "dcgan": Spec(6, 4.5, 4.5, 0.3011, 4.01),
    # end x1.19, start/end x1.18
    "resnet": Spec(4, 1.4, 1.4, 0.2100, 5.41),
    # end x1.06, start/end x1.08 (teacher forcing drawn per batch)
    "seq2seq_attention": Spec(5, 1.35, 1.35, 1.038, 1.90),
    # end x1.55, start/end x1.27 (a fit of y and dy/dx: double backward)
    "custom_autograd": Spec(30, 2.3, 2.0, 0.01740, 30.8),
}

# ---------------------------------------------------------------------------
# the import swap

def test_swap_imports_rewrites_only_import_lines():
    src = ("import torch\nimport torch.nn as nn\nimport torch.utils.data\n"
           "from torch import nn, optim\nfrom torch.nn import functional as F\n"
           "    from torch.utils.data import DataLoader\n"
           "x = torch.zeros(2)  # import torch\nimport torchvision_like_name\n")
    assert swap_imports(src) == (
        "import minitensor.torch as torch\nimport minitensor.torch.nn as nn\n"
        "import minitensor.torch.utils.data\n"
        "from minitensor.torch import nn, optim\n"
        "from minitensor.torch.nn import functional as F\n"
        "    from minitensor.torch.utils.data import DataLoader\n"
        "x = torch.zeros(2)  # import torch\nimport torchvision_like_name\n")
    with pytest.raises(ValueError, match="does not handle"):
        swap_imports("import torch, numpy\n")


def test_the_corpus():
    """At least 12 programs; each one in PROGRAMS and vice versa; each imports
    only torch (and its submodules), numpy, math, random, os, tempfile; each
    binds ``torch`` itself, and the swap changes only its import lines."""
    files = sorted(p.stem.removeprefix("prog_") for p in HERE.glob("prog_*.py"))
    assert len(files) >= 12 and files == sorted(PROGRAMS), files
    allowed = {"torch", "numpy", "math", "random", "os", "tempfile"}
    for name in files:
        src = (HERE / f"prog_{name}.py").read_text()
        modules = re.findall(r"^\s*(?:import|from)\s+(\w+)", src, flags=re.M)
        assert set(modules) <= allowed, (name, set(modules) - allowed)
        assert re.search(r"^import torch$", src, flags=re.M), name
        old, new = src.splitlines(), swap_imports(src).splitlines()
        changed = [a for a, b in zip(old, new) if a != b]
        assert len(old) == len(new) and changed, name
        assert all(_ANY_TORCH_IMPORT.match(a) for a in changed), name
        assert not any(_ANY_TORCH_IMPORT.match(b) for b in new), name


# ---------------------------------------------------------------------------
# running a program

def _start_end(losses, window):
    return sum(losses[:window]) / window, sum(losses[-window:]) / window


RESULTS = {}          # (name, face) -> (end, seconds), for the table
_TORCH_RUNS = {}


def _torch_result(name):
    if name not in _TORCH_RUNS:
        _TORCH_RUNS[name] = _run(name, "torch")
    return _TORCH_RUNS[name]


@pytest.fixture(scope="module", autouse=True)
def _one_thread_and_table():
    """One thread (these models are tiny: on a busy 2-core machine more threads
    only wait for each other), the random states put back afterwards, and the
    table printed at the end (visible with pytest -s)."""
    mt_state = minitensor._random.get_rng_state()
    py_state, np_state = random.getstate(), np.random.get_state()   # set_seed() helpers
    torch_state = torch.get_rng_state() if torch is not None else None
    with one_thread(torch):
        yield
    random.setstate(py_state)
    np.random.set_state(np_state)
    minitensor._random.set_rng_state(mt_state)
    if torch is not None:
        torch.set_rng_state(torch_state)
    if RESULTS:
        rows = [f"{'program':24s} {'torch end':>11s} {'minitensor':>11s} {'t torch':>8s} "
                f"{'t mt':>8s}"]
        for name in PROGRAMS:
            t = RESULTS.get((name, "torch"))
            m = RESULTS.get((name, "minitensor"))
            rows.append(f"{name:24s} {t[0] if t else float('nan'):11.4g} "
                        f"{m[0] if m else float('nan'):11.4g} "
                        f"{t[1] if t else float('nan'):7.2f}s {m[1] if m else float('nan'):7.2f}s")
        print("\n" + "\n".join(rows))


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program_on_torch(name):
    """The program trains on PyTorch as recorded: its decrease and end loss are
    within the program's tolerances of the recorded reference (so that a change
    to a program shows up here, not as a puzzling minitensor difference)."""
    if torch is None:
        pytest.skip("torch is not installed")
    spec = PROGRAMS[name]
    result, elapsed = _torch_result(name)
    start, end = _start_end(result["losses"], spec.window)
    RESULTS[name, "torch"] = (end, elapsed)
    assert start / end > 1.0, (name, start, end)
    assert spec.ref_end / spec.final_tol <= end <= spec.ref_end * spec.final_tol, (name, end)
    assert (spec.ref_factor / spec.trend_tol <= start / end
            <= spec.ref_factor * spec.trend_tol), (name, start / end)


def _minitensor_params():
    for name, spec in PROGRAMS.items():
        marks = [pytest.mark.xfail(strict=True, reason=spec.xfail)] if spec.xfail else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_minitensor_params()))
def test_program_on_minitensor_torch(name):
    """The same program after the import swap trains on minitensor.torch: it
    decreases the loss by a factor like PyTorch's, ends near PyTorch's loss, and
    its held-out accuracy / validation loss (where reported) are like PyTorch's."""
    spec = PROGRAMS[name]
    result, elapsed = _run(name, "minitensor")
    start, end = _start_end(result["losses"], spec.window)
    RESULTS[name, "minitensor"] = (end, elapsed)
    if torch is not None:
        reference = _torch_result(name)[0]
        t_start, t_end = _start_end(reference["losses"], spec.window)
        t_factor = t_start / t_end
    else:
        reference = {}
        t_end, t_factor = spec.ref_end, spec.ref_factor
    assert start / end > 1.0, f"{name}: the loss did not decrease ({start:.4g} -> {end:.4g})"
    assert t_end / spec.final_tol <= end <= t_end * spec.final_tol, (
        f"{name}: final loss {end:.4g}, PyTorch's {t_end:.4g} (tolerance x{spec.final_tol})")
    assert t_factor / spec.trend_tol <= start / end <= t_factor * spec.trend_tol, (
        f"{name}: loss decreased x{start / end:.3g}, PyTorch's x{t_factor:.3g} "
        f"(tolerance x{spec.trend_tol})")
    # the held-out numbers the programs report: accuracy (PyTorch's spread over
    # six seeds is up to 0.14) and a validation loss (as stable as the training loss)
    if "accuracy" in reference:
        assert result["accuracy"] >= reference["accuracy"] - 0.15, (
            f"{name}: accuracy {result['accuracy']:.3f}, PyTorch's {reference['accuracy']:.3f}")
    if "n_params" in reference:
        assert result["n_params"] == reference["n_params"], name
    if "val_loss" in reference:
        v, t = result["val_loss"], reference["val_loss"]
        assert t / spec.final_tol <= v <= t * spec.final_tol, (
            f"{name}: validation loss {v:.4g}, PyTorch's {t:.4g} (tolerance x{spec.final_tol})")
