"""Smoke tests of the examples in reduced mode (the full digits run is the README's job:
``python -m minitensor.examples.digits`` reaches >= 97 % test accuracy)."""
import re
import subprocess
import sys

import pytest

from minitensor.examples import digits, synthetic


def _losses(text, tag="epoch"):
    return [float(m) for m in re.findall(tag + r"\s+\d+/\d+\s+loss (\d+\.\d+)", text)]


def test_digits_reduced_run_and_eval_only(tmp_path, capsys):
    pytest.importorskip("sklearn")
    ckpt = tmp_path / "digits.mt"
    status = digits.main(["--epochs", "2", "--target", "0", "--checkpoint", str(ckpt)])
    out = capsys.readouterr().out
    assert status == 0, out
    losses = _losses(out)
    assert len(losses) == 2 and losses[1] < losses[0] < 2.5, out
    assert re.search(r"test acc\s+\d+\.\d%\s+\d+ samples/s", out)
    trained = float(re.search(r"test accuracy (\d+\.\d+)% after", out).group(1))
    assert trained > 50.0
    assert ckpt.exists()

    status = digits.main(["--eval-only", "--checkpoint", str(ckpt), "--target", "0"])
    out = capsys.readouterr().out
    assert status == 0
    assert float(re.search(r"test accuracy (\d+\.\d+)%", out).group(1)) == trained

    # the accuracy target decides the exit status
    assert digits.main(["--eval-only", "--checkpoint", str(ckpt), "--target", "1.01"]) == 1
    assert "below the target" in capsys.readouterr().err


def test_digits_errors(tmp_path, capsys, monkeypatch):
    assert digits.main(["--eval-only", "--checkpoint", str(tmp_path / "none.mt")]) == 2
    assert "no checkpoint" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        digits.main(["--epochs", "0"])
    # scikit-learn missing: a clear message, exit status 2
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert digits.main(["--epochs", "1", "--checkpoint", ""]) == 2
    assert "pip install scikit-learn" in capsys.readouterr().err


def test_synthetic_quick(capsys):
    assert synthetic.main(["--quick"]) == 0
    out = capsys.readouterr().out
    mlp, lstm = _losses(out, r"\[mlp\]\s+epoch"), _losses(out, r"\[lstm\] epoch")
    assert len(mlp) == 3 and mlp[-1] < mlp[0]
    assert len(lstm) == 2 and lstm[-1] < lstm[0]


def test_digits_runs_as_module():
    r = subprocess.run([sys.executable, "-m", "minitensor.examples.digits", "--help"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "--eval-only" in r.stdout


def test_blas_threads_is_restored():
    from minitensor.examples._blas import _functions, blas_threads
    getters = _functions("get")
    before = [int(g()) for _, g in getters]
    with blas_threads(1) as n:
        assert n == len(_functions("set"))
        assert all(int(g()) == 1 for _, g in getters)
    assert [int(g()) for _, g in getters] == before


def test_digits_final_line_and_accuracy_target(tmp_path, capsys):
    pytest.importorskip("sklearn")
    ckpt = tmp_path / "d.mt"
    assert digits.main(["--epochs", "1", "--target", "0", "--checkpoint", str(ckpt)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("OK: test accuracy")
    assert digits.main(["--eval-only", "--checkpoint", str(ckpt), "--target", "1.0"]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("FAILED: test accuracy")
