"""How much of PyTorch's public surface the face ``minitensor.torch`` covers.

Compares the public names (no leading underscore) of ``torch``, ``torch.nn``,
``torch.nn.functional``, ``torch.optim`` and ``torch.Tensor`` with those of
``minitensor.torch``, ``minitensor.torch.nn``, ``minitensor.torch.nn.functional``,
``minitensor.torch.optim`` and minitensor's ``Tensor``. ``pytest -s`` prints the five
percentages and the missing names. Each percentage must stay above a floor set a little
below the figure when the test was written, so coverage cannot silently drop.
Skipped without PyTorch.
"""
import pytest

import minitensor
import minitensor.torch as mtorch

torch = pytest.importorskip("torch")

# (label, torch object, our object, floor in percent)
PAIRS = [
    ("torch", lambda: torch, lambda: mtorch, 40.0),
    ("torch.nn", lambda: torch.nn, lambda: mtorch.nn, 50.0),
    ("torch.nn.functional", lambda: torch.nn.functional, lambda: mtorch.nn.functional, 42.0),
    ("torch.optim", lambda: torch.optim, lambda: mtorch.optim, 75.0),
    ("torch.Tensor", lambda: torch.Tensor, lambda: minitensor.Tensor, 33.0),
]


def _public(obj):
    return {n for n in dir(obj) if not n.startswith("_")}


def coverage():
    """{label: (percent, covered, total, sorted missing names)}."""
    out = {}
    for label, ref, ours, _ in PAIRS:
        want = _public(ref())
        have = _public(ours())
        covered = want & have
        out[label] = (100.0 * len(covered) / len(want), len(covered), len(want),
                      sorted(want - have))
    return out


@pytest.mark.parametrize("label,floor", [(p[0], p[3]) for p in PAIRS])
def test_coverage_does_not_drop(label, floor):
    pct, covered, total, missing = coverage()[label]
    print(f"\n{label}: {covered}/{total} public names = {pct:.1f}% "
          f"(torch {torch.__version__})")
    print(f"missing from the face: {' '.join(missing)}")
    assert pct >= floor, f"{label}: coverage {pct:.1f}% fell below {floor}%"


def test_face_names_exist():
    """Every name the face lists in ``__all__`` resolves (no stale entries)."""
    for mod in (mtorch, mtorch.nn, mtorch.nn.functional, mtorch.optim, mtorch.linalg,
                mtorch.fft, mtorch.special, mtorch.cuda, mtorch.accelerator, mtorch.backends):
        for name in getattr(mod, "__all__", ()):
            assert hasattr(mod, name), f"{mod.__name__}.{name}"
