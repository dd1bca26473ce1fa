"""Compiled Pythran/OpenMP kernels: loading, CPU dispatch and the compiled check.

Each kernel file in this folder (``_fused.py``, ``_reduce.py``, ``_optim.py``,
``_nn.py``) is plain Python that Pythran compiles to a C++/OpenMP extension module
of the same name at install time, twice on x86-64: a baseline
(``-march=x86-64-v2``) copy and an AVX2/FMA (``-march=x86-64-v3``) copy named
``<module>_v3``. The copy is chosen here, once, from the CPU's features: on Linux
the ``flags`` of ``/proc/cpuinfo`` (NumPy's ``__cpu_features__`` can only veto: the
table of NumPy 2.2 and older lacks some x86-64-v3 features), elsewhere NumPy's
table alone.

Kernels are only ever called through the glue in ``minitensor/_kernels.py``,
which validates and allocates everything (Pythran checks nothing).

Environment variables
---------------------
MINITENSOR_PURE_PYTHON=1
    Run the kernels' Python source instead of the compiled modules (debugging).
    Correct but much slower.
MINITENSOR_CPU_DISPATCH=baseline
    Never pick the ``x86-64-v3`` copies.

Attributes
----------
KERNEL_MODULES : tuple of str
    The kernel files (must match ``meson.build``).
COMPILED : dict
    ``{module name: True if the compiled extension module is in use}``.
variant : str
    ``"x86-64-v3"``, ``"baseline"`` or ``"python"`` (pure Python mode).
"""
import importlib
import importlib.util
import os
import sys

# libgomp reads this once, when it is loaded (i.e. when the first kernel module
# is imported). Spinning waits made every OpenMP region ~100x slower on a shared
# 2-core machine (../shared/reference/pythran.md, section 3.4).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

KERNEL_MODULES = ("_fused", "_reduce", "_optim", "_nn")

PURE_PYTHON = os.environ.get("MINITENSOR_PURE_PYTHON", "0").lower() not in ("", "0", "false", "no")


# x86-64-v3, the x86-64 psABI level that -march=x86-64-v3 compiles for: AVX, AVX2,
# BMI1, BMI2, F16C, FMA, LZCNT, MOVBE and OSXSAVE. As Linux's /proc/cpuinfo names
# them: LZCNT is "abm", and "xsave" stands for OSXSAVE (the kernel lists avx and
# avx2 only if it enables their register state).
V3_CPUINFO_FLAGS = frozenset({"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe",
                              "xsave"})
# As NumPy's __cpu_features__ names them. NumPy 2.2 and older have no "X86_V3",
# "BMI", "BMI2", "LZCNT" nor "MOVBE" entries: a missing entry is no answer.
V3_NUMPY_FEATURES = ("AVX", "AVX2", "FMA3", "F16C", "BMI", "BMI2", "LZCNT", "MOVBE")


def _cpuinfo_flags(path="/proc/cpuinfo"):
    """The ``flags`` of the first processor in ``path``.

    Returns
    -------
    frozenset of str or None
        None if the file cannot be read (not Linux) or its first processor has
        no ``flags`` line (not x86). Reads the first processor's lines only.
    """
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep and key.strip() == "flags":
                    return frozenset(value.split())
                if not line.strip():        # end of the first processor's block
                    break
    except OSError:
        pass
    return None


def _v3_supported(cpuinfo_flags, numpy_features):
    """Whether this CPU (and OS) run ``-march=x86-64-v3`` code.

    Parameters
    ----------
    cpuinfo_flags : frozenset of str or None
        ``_cpuinfo_flags()``: the kernel's list, which decides where there is one.
    numpy_features : mapping of str to bool
        NumPy's ``__cpu_features__`` (empty if unavailable). Where there is a
        cpuinfo list, an entry that NumPy reports as False vetoes; otherwise
        ``X86_V3`` decides, or, without it, every entry of ``V3_NUMPY_FEATURES``
        must be present and True (so NumPy 2.2's table answers False: it cannot
        tell BMI2, LZCNT or MOVBE).

    Returns
    -------
    bool
    """
    if cpuinfo_flags is not None:
        vetoed = any(not numpy_features[k] for k in ("X86_V3",) + V3_NUMPY_FEATURES
                     if k in numpy_features)
        return V3_CPUINFO_FLAGS <= cpuinfo_flags and not vetoed
    if "X86_V3" in numpy_features:
        return bool(numpy_features["X86_V3"])
    return all(numpy_features.get(k) for k in V3_NUMPY_FEATURES)


def _cpu_has_v3(environ=os.environ):
    """Whether to load the ``x86-64-v3`` kernel copies (False under
    ``MINITENSOR_CPU_DISPATCH=baseline``)."""
    if environ.get("MINITENSOR_CPU_DISPATCH", "auto") == "baseline":
        return False
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # pragma: no cover - the NumPy >= 2.0 we require has it
        features = {}
    return _v3_supported(_cpuinfo_flags(), features)


def _missing_message(name, found, cwd=None):
    """The ImportError message for a kernel module whose import found only its
    Python source, at ``found``: what went wrong and what fixes it (never an
    install by name: the package index's ``minitensor`` is another project)."""
    cwd = os.getcwd() if cwd is None else cwd
    folder = os.path.dirname(os.path.abspath(found))
    package_root = os.path.dirname(os.path.dirname(folder))   # .../<root>/minitensor/_pythran
    head = (f"minitensor: the compiled kernel module {name!r} is missing: the import "
            f"found only its Python source, {found}. ")
    tail = ("(MINITENSOR_PURE_PYTHON=1 runs the kernels' Python source instead: slow, "
            "for debugging.)")
    if os.path.exists(os.path.join(folder, "meson.build")):
        # meson.build files are never installed: this is a source tree
        where = (f"the current directory, {cwd}, is the root of that source tree, and "
                 if os.path.realpath(cwd) == os.path.realpath(package_root) else "")
        return head + (
            f"That is minitensor's source tree ({package_root}), not an installed "
            f"minitensor: {where}Python put it ahead of the installed package on "
            f"sys.path (`python -m ...` and `python -c ...` put the current directory "
            f"first). Run from another directory, or use the `minitensor-digits` "
            f"script and `pytest` (not `python -m pytest`), which import the installed "
            f"package; if minitensor is not installed yet, run `pip install .` in the "
            f"source tree (needs a C++17 compiler). " + tail)
    return head + (
        f"This minitensor installation ({package_root}) lacks its compiled kernels: "
        f"reinstall it from the source tree, `pip install .` run in a minitensor clone "
        f"(needs a C++17 compiler; `pip install -v .` shows the compiler's errors). "
        + tail)


def _load_source(name):
    """Import the kernel file ``name`` as a plain Python module (not compiled)."""
    path = os.path.join(os.path.dirname(__file__), name + ".py")
    spec = importlib.util.spec_from_file_location(f"{__name__}.{name}_source", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _load(name):
    if PURE_PYTHON:
        return _load_source(name)
    mod = None
    if _USE_V3:
        try:
            mod = importlib.import_module(f"{__name__}.{name}_v3")
        except ImportError:
            mod = None  # built without the v3 copies (non-x86_64 or -Ddispatch-v3=false)
    if mod is None:
        mod = importlib.import_module(f"{__name__}.{name}")
    if not hasattr(mod, "__pythran__"):
        # The import found the .py source, not the extension module.
        raise ImportError(_missing_message(name, getattr(mod, "__file__", None) or "?"))
    return mod


_USE_V3 = _cpu_has_v3()

_fused = _load("_fused")
_reduce = _load("_reduce")
_optim = _load("_optim")
_nn = _load("_nn")

COMPILED = {name: hasattr(globals()[name], "__pythran__") for name in KERNEL_MODULES}
if PURE_PYTHON:
    variant = "python"
elif _fused.__name__.endswith("_v3"):
    variant = "x86-64-v3"
else:
    variant = "baseline"
