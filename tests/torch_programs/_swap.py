"""Running the corpus ``prog_*.py`` on PyTorch or, after the mechanical import
swap, on ``minitensor.torch``: shared by ``tests/test_torch_programs.py`` (which
compares the losses) and ``benchmarks/bench_programs.py`` (which times them).

Not a program (its name does not start with ``prog_``). Import it with
``tests/`` on ``sys.path`` as ``torch_programs._swap`` (pytest puts ``tests/``
there; the benchmark inserts it).
"""
import contextlib
import pathlib
import re
import time
import types

import minitensor

HERE = pathlib.Path(__file__).parent


def program_names():
    """The corpus: ``prog_<name>.py`` -> ``<name>``, sorted."""
    return sorted(p.stem.removeprefix("prog_") for p in HERE.glob("prog_*.py"))


# ---------------------------------------------------------------------------
# the import swap

_ALIASED = re.compile(r"^(\s*)import torch((?:\.\w+)*) as (\w+)\s*$")
_PLAIN = re.compile(r"^(\s*)import torch((?:\.\w+)*)\s*$")
_FROM = re.compile(r"^(\s*)from torch((?:\.\w+)*) import (.*)$")
ANY_TORCH_IMPORT = re.compile(r"^\s*(import|from)\s+torch\b")


def swap_imports(source):
    """The mechanical port: rewrite the import lines that name ``torch``, and
    nothing else. ``import torch.utils.data`` (no alias) becomes ``import
    minitensor.torch.utils.data``, which, like the original, relies on the
    program's own ``import torch`` for the name ``torch``."""
    out = []
    for line in source.splitlines(keepends=True):
        body, nl = line.rstrip("\r\n"), line[len(line.rstrip("\r\n")):]
        if m := _ALIASED.match(body):
            body = f"{m[1]}import minitensor.torch{m[2]} as {m[3]}"
        elif m := _PLAIN.match(body):
            body = (f"{m[1]}import minitensor.torch as torch" if not m[2]
                    else f"{m[1]}import minitensor.torch{m[2]}")
        elif m := _FROM.match(body):
            body = f"{m[1]}from minitensor.torch{m[2]} import {m[3]}"
        elif ANY_TORCH_IMPORT.match(body):
            raise ValueError(f"an import form swap_imports does not handle: {body!r}")
        out.append(body + nl)
    return "".join(out)


# ---------------------------------------------------------------------------
# running a program

def from_torch(obj):
    """Whether obj is (or was defined in) a module of the real PyTorch."""
    module = (obj.__name__ if isinstance(obj, types.ModuleType)
              else getattr(obj, "__module__", None))
    return isinstance(module, str) and module.split(".")[0] == "torch"


def load(name, face):
    """prog_<name>.py executed in a fresh module namespace, on `face` ("torch"
    or "minitensor": after swap_imports); returns the module."""
    path = HERE / f"prog_{name}.py"
    src = path.read_text()
    if face == "minitensor":
        src = swap_imports(src)
    module = types.ModuleType(f"torch_program_{name}_{face}")
    module.__file__ = str(path)
    # the same file name (the swap keeps line numbers): tracebacks show the program
    exec(compile(src, str(path), "exec"), module.__dict__)
    leaked = [k for k, v in vars(module).items() if from_torch(v)]
    # (on PyTorch the same check finds torch, nn, F, ...: it can fail)
    assert bool(leaked) == (face == "torch"), (name, face, leaked)
    return module


def run(name, face, clock=time.perf_counter, **kwargs):
    """Run prog_<name>.py's main(**kwargs) in a fresh module namespace, on `face`
    ("torch" or "minitensor"); returns (result dict, seconds of main() alone,
    measured with `clock`)."""
    module = load(name, face)
    t0 = clock()
    result = module.main(**kwargs)
    elapsed = clock() - t0
    losses = result["losses"]
    assert isinstance(losses, list) and losses, name
    assert all(isinstance(v, float) and v == v and abs(v) != float("inf") for v in losses), \
        (name, face, losses[:5])
    return result, elapsed


@contextlib.contextmanager
def one_thread(torch=None):
    """One thread for minitensor's kernels, the BLAS pool NumPy's matmuls use
    and (given the module) PyTorch, whose one-off start-up costs are paid here;
    the previous counts are restored on exit. (These models are tiny: on a busy
    2-core machine more threads only wait for each other.)"""
    mt_threads = minitensor.get_num_threads()
    minitensor.set_num_threads(1)
    # minitensor's matmuls are NumPy's, whose BLAS has its own thread pool, which
    # set_num_threads does not limit; on a busy 2-core machine, two BLAS threads
    # make the small matmuls here up to 100x slower (measured: 0.02 ms -> 6 ms)
    blas = contextlib.nullcontext()
    with contextlib.suppress(ImportError):
        import threadpoolctl
        blas = threadpoolctl.threadpool_limits(1, user_api="blas")
    torch_threads = None
    try:
        blas.__enter__()
        if torch is not None:
            torch_threads = torch.get_num_threads()
            torch.set_num_threads(1)
            # PyTorch's one-off start-up costs, not a program's: BLAS, oneDNN, and
            # the first optimizer step (it imports torch._dynamo: seconds)
            torch.zeros(4, 4) @ torch.zeros(4, 4)
            torch.nn.functional.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 3, 3))
            p = torch.nn.Parameter(torch.zeros(2))
            p.grad = torch.ones(2)
            torch.optim.SGD([p], lr=0.1).step()
        yield
    finally:
        blas.__exit__(None, None, None)
        minitensor.set_num_threads(mt_threads)
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)
