"""Limit the threads of the BLAS library NumPy uses (for the examples' small matmuls).

The examples multiply small matrices (a batch of 32 by a few hundred features).
OpenBLAS splits even those over all its threads, and on a busy machine the
threads wait for each other: a training step then takes ~10x longer with 2
threads than with 1. ``threadpoolctl`` does this properly; it is not a
dependency, so this module calls OpenBLAS's own ``*_set_num_threads`` through
``ctypes`` on the libraries loaded into the process (Linux: read from
``/proc/self/maps``). Elsewhere, or with another BLAS, it does nothing.
"""
import contextlib
import ctypes

_PREFIXES = ("openblas", "scipy_openblas")
_SUFFIXES = ("", "64_")


def _loaded_openblas():
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return []
    return sorted(p for p in paths if p.startswith("/"))


def _functions(what):
    """(library, function) for each loaded OpenBLAS that exports ``*_{what}_num_threads``."""
    found = []
    for path in _loaded_openblas():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                fn = getattr(lib, f"{prefix}_{what}_num_threads{suffix}", None)
                if fn is not None:
                    found.append((path, fn))
                    break
            else:
                continue
            break
    return found


@contextlib.contextmanager
def blas_threads(n):
    """Context manager: every loaded OpenBLAS uses ``n`` threads inside, as before after."""
    getters = dict(_functions("get"))
    setters = _functions("set")
    before = []
    for path, setter in setters:
        get = getters.get(path)
        if get is not None:
            before.append((setter, int(get())))
        setter(ctypes.c_int(int(n)))
    try:
        yield len(setters)
    finally:
        for setter, old in before:
            setter(ctypes.c_int(old))
