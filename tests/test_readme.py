"""Run the Python examples of README.md, so that they cannot rot.

Each ```python block runs in its own interpreter (examples set process-wide
state: environment variables read at import, scikit-learn's global config),
from a temporary directory, so the installed package is imported, as a user
would. Also checks the quick start's two commands and the CI script's test
command against the README, and (slow, opt-in; CI runs it) runs the quick start
in a copy of the repository, in a new virtual environment.
"""
import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

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


def _quick_start():
    """The quick start's commands: the first ```bash block of README.md, comments removed."""
    block = _blocks("bash")[0]
    return [ln.split("#")[0].strip() for ln in block.strip().splitlines()]


QUICK_START = [
    'pip install --config-settings=build-dir=build ".[examples]" && minitensor-digits',
    'pip install --config-settings=build-dir=build ".[test]" && pytest',
]


def test_quick_start_is_two_commands():
    # install + the demo (the console script: `python -m minitensor.examples.digits`
    # in the clone's root would import the uncompiled source tree), install + the
    # tests, both into one kept meson build directory (build/, in .gitignore)
    assert _quick_start() == QUICK_START


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _quick_start()[1]
    assert re.search(r"^" + re.escape(test_command) + r"$", ci, flags=re.M), \
        f".ci/run does not run the README's test command on a line of its own: {test_command}"


def test_console_script_is_the_digits_main():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    scripts = re.search(r"^\[project\.scripts\]\n(.*?)(?:^\[|\Z)", pyproject, flags=re.S | re.M)
    assert scripts, "pyproject.toml has no [project.scripts] table"
    assert re.search(r'^minitensor-digits = "minitensor\.examples\.digits:main"$',
                     scripts.group(1), flags=re.M), scripts.group(1)
    assert "minitensor-digits" in _quick_start()[0]


def test_digits_help_lists_every_option_with_its_default(tmp_path):
    """``--help`` of the README's demo (run as a module, from another directory)
    documents every option and its default, the parser's own defaults."""
    from minitensor.examples import digits
    assert "minitensor-digits" in digits.__doc__
    r = subprocess.run([sys.executable, "-m", "minitensor.examples.digits", "--help"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage: python -m minitensor.examples.digits"), r.stdout
    # one entry per option: its first line starts with "  -", wrapped lines are deeper
    entries = {}
    for chunk in re.split(r"\n(?=  -)", r.stdout.split("\noptions:\n", 1)[1]):
        entries[chunk.split()[0].rstrip(",")] = " ".join(chunk.split())
    defaults = vars(digits.make_parser().parse_args([]))
    for dest, value in defaults.items():
        option = "--" + dest.replace("_", "-")
        assert option in entries, f"--help does not list {option}:\n{r.stdout}"
        text = entries[option]
        shown = "(default: " + ("" if value is None or isinstance(value, bool) else str(value))
        assert shown in text, f"--help does not show {option}'s default {value!r}: {text}"
    documented = set(entries) - {"-h"}
    assert documented == {"--" + d.replace("_", "-") for d in defaults}, documented


# ---------------------------------------------------------------------------
# the quick start itself, as a new user runs it (slow: opt-in, CI runs it)

RUN_QUICK_START = (os.environ.get("MINITENSOR_TEST_QUICKSTART") == "1"
                   or os.environ.get("CI", "").lower() == "true")
# set for the pytest that the quick start's second command runs: never again inside
INNER = "MINITENSOR_QUICKSTART_INNER"
# what that inner pytest runs: the packaging-related files (kernels compiled and
# loaded, the examples, the README's examples), not the whole suite, which the
# outer run has just run against the same sources; ~10 s instead of minutes
INNER_PYTEST_ADDOPTS = ("-m 'not slow' -p no:cacheprovider "
                        "tests/test_kernels.py tests/test_examples.py tests/test_readme.py")
# the user's environment, less what would change how pip builds or what Python
# and pytest import (CI exports PIP_NO_BUILD_ISOLATION for its own build)
_DROP = ("PIP_NO_BUILD_ISOLATION", "PIP_CONFIG_SETTINGS", "PIP_USER", "PIP_TARGET",
         "PIP_PREFIX", "PIP_EDITABLE", "PIP_NO_BINARY", "PIP_ONLY_BINARY", "VIRTUAL_ENV",
         "CONDA_PREFIX")


def _copy_checkout(dest):
    """Copy the repository's working tree as a clone of it would look with the
    uncommitted changes committed: tracked and untracked files, not the ignored ones."""
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], capture_output=True, check=True).stdout
    for rel in sorted(set(files.decode().split("\0")) - {""}):
        src = ROOT / rel
        if src.is_file():                       # (skip files deleted in the work tree)
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def _objects(build):
    return {str(p.relative_to(build)): p.stat().st_mtime_ns for p in build.rglob("*.o")}


def _run_line(line, clone, env, timeout):
    t0 = time.perf_counter()
    r = subprocess.run(["bash", "-c", line], cwd=clone, env=env, capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - t0
    assert r.returncode == 0, (f"quick start command failed (status {r.returncode}) after "
                               f"{elapsed:.0f} s: {line}\n--- stdout (end) ---\n"
                               f"{r.stdout[-6000:]}\n--- stderr (end) ---\n{r.stderr[-6000:]}")
    return r.stdout, elapsed


@pytest.mark.slow
@pytest.mark.skipif(not RUN_QUICK_START, reason="minutes long: set MINITENSOR_TEST_QUICKSTART=1 "
                    "(CI=true runs it)")
@pytest.mark.skipif(os.environ.get(INNER) == "1", reason="already inside the quick start's pytest")
def test_quick_start_in_a_fresh_clone_and_venv(capsys):
    """The README's two quick-start lines, from the root of a copy of this
    checkout, in a new virtual environment: the first builds the kernels and
    trains the digits CNN to its target; the second recompiles nothing (the kept
    build directory) and its ``pytest`` passes (a selection: INNER_PYTEST_ADDOPTS).
    Dependencies come from pip's cache and the configured package index."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (the copy is made from `git ls-files`)")
    lines = _quick_start()
    with tempfile.TemporaryDirectory(prefix="minitensor-quickstart-") as tmp:
        tmp = pathlib.Path(tmp)
        clone, venv = tmp / "minitensor", tmp / "venv"
        _copy_checkout(clone)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        env = {k: v for k, v in os.environ.items()
               if k not in _DROP and not k.startswith(("PYTHON", "PYTEST_", "MINITENSOR_"))}
        env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv))

        out, t_first = _run_line(lines[0], clone, env, timeout=3600)
        assert re.search(r"^epoch\s+\d+/\d+\s+loss [0-9.]+\s+train acc", out, flags=re.M), out
        assert re.search(r"^OK: test accuracy", out, flags=re.M), out
        build = clone / "build"
        objects = _objects(build)
        assert objects, f"the first command kept no compiled objects in {build}"

        # inner pytest: CI=true makes test_kernels_compiled insist on the compiled kernels
        env.update({INNER: "1", "CI": "true", "PYTEST_ADDOPTS": INNER_PYTEST_ADDOPTS})
        out, t_second = _run_line(lines[1], clone, env, timeout=3600)
        summary = out.strip().splitlines()[-1]
        assert re.search(r"\d+ passed", summary), out
        assert not re.search(r"\d+ (failed|error)", summary), out
        again = _objects(build)
        rebuilt = sorted(k for k in again if objects.get(k) != again[k])
        assert not rebuilt, f"the second quick-start command recompiled {rebuilt}"
    with capsys.disabled():
        print(f"\nquick start: first command {t_first:.0f} s, second {t_second:.0f} s, "
              f"recompiling nothing (its pytest, {INNER_PYTEST_ADDOPTS}: {summary})")


def test_scikit_learn_example_is_the_tested_interop_demo():
    """The README's scikit-learn example is docs/interop.md's readme-demo snippet
    (tests/interop/test_readme_demo.py checks its output against NumPy inputs)."""
    doc = (ROOT / "docs" / "interop.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- readme-demo-start -->\s*```python\n(.*?)```\s*<!-- readme-demo-end -->",
                  doc, flags=re.S)
    assert m, "docs/interop.md has no readme-demo block"
    assert m.group(1) in _blocks("python")
