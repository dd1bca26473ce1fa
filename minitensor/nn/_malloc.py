"""Keep freed memory for reuse (glibc's malloc), instead of returning it to the OS.

A training step allocates and frees the same large activation and gradient
buffers every iteration. With glibc's defaults, buffers above the (dynamic)
mmap threshold are mmap'ed and unmapped on free, and the top of the heap is
trimmed: every step then page-faults its buffers in again. Measured on the
small CNN of ``benchmarks/bench_training.py`` (one thread): 44-54 ms of CPU time per
step with the defaults, 28-31 ms with the settings below (PyTorch's CPU step:
about 30 ms). This is the "caching allocator" that the upstream project's
measurements called for (``../shared/reference/upstream-minitensor.md`` section 6).

# Note: a process-wide setting, applied once when ``minitensor.nn`` is imported,
# on Linux with glibc only: allocations up to 32 MiB come from the heap, and up to
# 256 MiB of free heap is kept for reuse. Set ``MINITENSOR_MALLOC_TUNING=0`` to
# leave the allocator alone.
"""
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024     # glibc's maximum on 64-bit
TRIM_THRESHOLD = 256 * 1024 * 1024

applied = False


def tune():
    """Apply the settings (idempotent); returns True if they are in effect."""
    global applied
    if applied:
        return True
    if os.environ.get("MINITENSOR_MALLOC_TUNING", "1").strip().lower() in ("0", "false", "no"):
        return False
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        import platform
        if platform.libc_ver()[0] != "glibc":
            return False
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
        ok = libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and ok
    except (OSError, AttributeError):  # pragma: no cover - unusual libc
        return False
    applied = ok
    return ok
