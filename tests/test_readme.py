"""Run the Python examples of README.md, so that they cannot rot.

Each ```python block runs in its own interpreter (examples set process-wide
state: environment variables read at import, scikit-learn's global config),
from a temporary directory, so the installed package is imported, as a user
would. Also checks the quick start's two commands and the CI script's test
command against the README.
"""
import importlib.util
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _blocks(lang):
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^```" + lang + r"\n(.*?)^```", text, flags=re.S | re.M)


def _python_blocks():
    blocks = _blocks("python")
    return [pytest.param(b, id=f"block{i}") for i, b in enumerate(blocks)]


def test_readme_has_examples():
    # the namespace, training and SciPy/scikit-learn examples
    assert len(_blocks("python")) >= 3


@pytest.mark.parametrize("code", _python_blocks())
def test_readme_python_example(code, tmp_path):
    for mod in ("sklearn", "scipy"):
        if re.search(rf"^\s*(import|from) {mod}\b", code, flags=re.M) and \
                importlib.util.find_spec(mod) is None:
            pytest.skip(f"{mod} is not installed")
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    r = subprocess.run([sys.executable, "-W", "error", str(script)], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"README example failed:\n{code}\n--- stderr ---\n{r.stderr}"
    assert r.stdout.strip(), "README example printed nothing"
    m = re.search(r"^loss ([0-9.]+)$", r.stdout, flags=re.M)
    if m:  # the training example's comment promises a final loss below 0.01
        assert float(m.group(1)) < 0.01, r.stdout


def test_quick_start_is_two_commands():
    block = _blocks("bash")[0]
    lines = [ln.split("#")[0].strip() for ln in block.strip().splitlines()]
    assert lines == ['pip install ".[examples]" && python -m minitensor.examples.digits',
                     'pip install ".[test]" && pytest']


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install ".[test]" && pytest' in ci


def test_scikit_learn_example_is_the_tested_interop_demo():
    """The README's scikit-learn example is docs/interop.md's readme-demo snippet
    (tests/interop/test_readme_demo.py checks its output against NumPy inputs)."""
    doc = (ROOT / "docs" / "interop.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- readme-demo-start -->\s*```python\n(.*?)```\s*<!-- readme-demo-end -->",
                  doc, flags=re.S)
    assert m, "docs/interop.md has no readme-demo block"
    assert m.group(1) in _blocks("python")
