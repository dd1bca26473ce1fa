"""Compiled Pythran/OpenMP kernels: loading, CPU dispatch and the compiled check.

Each kernel file in this folder (``_fused.py``, ``_reduce.py``, ``_optim.py``) is
plain Python that Pythran compiles to a C++/OpenMP extension module of the same
name at install time, twice on x86-64: a baseline (``-march=x86-64-v2``) copy and
an AVX2/FMA (``-march=x86-64-v3``) copy named ``<module>_v3``. The copy is chosen
here, once, from the CPU's features.

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


def _cpu_has_v3():
    if os.environ.get("MINITENSOR_CPU_DISPATCH", "auto") == "baseline":
        return False
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as f
    except ImportError:  # pragma: no cover - numpy < 2
        return False
    if "X86_V3" in f:
        return bool(f["X86_V3"])
    return all(f.get(k) for k in ("AVX", "AVX2", "FMA3", "F16C", "BMI", "BMI2", "LZCNT", "MOVBE"))


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
        raise ImportError(
            f"minitensor: the compiled kernel module {name!r} is missing (found only its "
            f"Python source at {getattr(mod, '__file__', '?')}). Reinstall minitensor from "
            f"source with a C++17 compiler available (pip install --force-reinstall "
            f"--no-binary minitensor minitensor), or set MINITENSOR_PURE_PYTHON=1 to run "
            f"the kernels uncompiled (slow; for debugging)."
        )
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
