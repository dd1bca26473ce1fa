"""Collective communication over MPI with PyTorch's ``torch.distributed`` names.

Processes are started by MPI's launcher, ``mpiexec -n 2 python train.py``; each calls
:func:`init_process_group` (``backend="mpi"``, the only backend) and then takes part in
the collectives (:func:`all_reduce`, :func:`broadcast`, :func:`all_gather`,
:func:`barrier`). MPI is reached through `mpi4py <https://mpi4py.readthedocs.io>`_, an
optional dependency (``pip install "minitensor[distributed]"``) imported on the first
call of :func:`init_process_group`, never by ``import minitensor``. Run without
``mpiexec``, a program is an MPI world of one process (rank 0, size 1).

The collectives work in place on a tensor's memory (its NumPy buffer) and are not
recorded by autograd, as in PyTorch: ``all_reduce`` on a tensor that requires grad
changes its value, and a later ``backward()`` sees no operation (the gradient passes
through as if the collective had not happened). Every collective waits at most the
``timeout`` given to :func:`init_process_group` (30 minutes by default, as PyTorch);
past it the process prints which collective did not complete and aborts the whole MPI
job (``MPI_Abort``), so a dead or hung rank never leaves the others hanging.

Examples
--------
>>> import minitensor as xp
>>> import minitensor.distributed as dist
>>> dist.init_process_group("mpi")        # under mpiexec: one process per rank
>>> dist.get_rank(), dist.get_world_size()  # a single process is a world of one
(0, 1)
>>> t = xp.asarray([1.0, 2.0, 3.0])
>>> dist.all_reduce(t, op=dist.ReduceOp.SUM)   # in place: the sum over all ranks
>>> t
Tensor([1., 2., 3.], dtype=float64)
>>> dist.destroy_process_group()
"""
import datetime
import enum
import importlib.util
import sys
import time

import numpy as np

from .._array_object import Tensor

__all__ = [
    "is_available", "is_mpi_available", "is_initialized", "init_process_group",
    "destroy_process_group", "get_rank", "get_world_size", "get_backend", "ReduceOp",
    "Work", "all_reduce", "broadcast", "all_gather", "barrier", "Backend",
]

# PyTorch's default (``torch.distributed.default_pg_timeout``)
_DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)


class Backend:
    """Names of the backends (``Backend.MPI`` is the only one minitensor has).

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> dist.Backend.MPI
    'mpi'
    """
    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"


class ReduceOp(enum.Enum):
    """The reduction of :func:`all_reduce`: ``SUM``, ``AVG`` (floating and complex
    tensors), ``PRODUCT``, ``MIN``, ``MAX``, and the bitwise ``BAND``, ``BOR``,
    ``BXOR`` (integer and bool tensors).

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> dist.ReduceOp.MAX
    <ReduceOp.MAX: 'max'>
    """
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


class _State:
    comm = None      # a duplicate of MPI.COMM_WORLD (our collectives never mix with the user's)
    world = None     # MPI.COMM_WORLD (for Abort)
    MPI = None
    rank = 0
    size = 1
    timeout = _DEFAULT_TIMEOUT.total_seconds()


_state = _State()


def is_available():
    """Whether collectives can be used here: mpi4py is installed (it is not imported).

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> isinstance(dist.is_available(), bool)
    True
    """
    return importlib.util.find_spec("mpi4py") is not None


def is_mpi_available():
    """The same as :func:`is_available` (MPI is minitensor's only backend).

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> dist.is_mpi_available() == dist.is_available()
    True
    """
    return is_available()


def is_initialized():
    """Whether :func:`init_process_group` has been called (and not undone by
    :func:`destroy_process_group`).

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> dist.is_initialized()
    False
    """
    return _state.comm is not None


def _timeout_seconds(timeout):
    if timeout is None:
        return _DEFAULT_TIMEOUT.total_seconds()
    if isinstance(timeout, datetime.timedelta):
        s = timeout.total_seconds()
    elif isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        s = float(timeout)
    else:
        raise TypeError(f"init_process_group: timeout must be a datetime.timedelta, got "
                        f"{type(timeout).__name__}")
    if not s > 0:
        raise ValueError(f"init_process_group: timeout must be positive, got {timeout}")
    return s


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1,
                       rank=-1, store=None, group_name="", pg_options=None, device_id=None):
    """Join the MPI job started by ``mpiexec``: the rank and the world size are MPI's.

    Parameters
    ----------
    backend : str, optional
        ``"mpi"`` (the default, and the only backend). ``"gloo"``, ``"nccl"`` and the
        others raise RuntimeError.
    init_method : str, optional
        Ignored (MPI's launcher connects the processes; no ``env://`` variables are read).
    timeout : datetime.timedelta, optional
        How long a collective may wait for the other ranks (30 minutes by default);
        past it the job is aborted with a message naming the collective.
    world_size, rank : int, optional
        If given (not -1), they must equal MPI's, else ValueError.
    store, group_name, pg_options, device_id : optional
        Accepted for PyTorch's signature; ``store`` and ``device_id`` must be None.

    Raises
    ------
    ValueError
        If the default process group is already initialized, or ``rank`` /
        ``world_size`` disagree with MPI's.
    RuntimeError
        For another backend, or when mpi4py is not installed.

    Examples
    --------
    >>> import datetime
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group(backend="mpi", timeout=datetime.timedelta(minutes=5))
    >>> dist.is_initialized(), dist.get_backend()
    (True, 'mpi')
    >>> dist.destroy_process_group()
    """
    if backend is None:
        backend = "mpi"
    if not isinstance(backend, str):
        raise TypeError(f"init_process_group: backend must be a string, got "
                        f"{type(backend).__name__}")
    if backend.lower() != "mpi":
        raise RuntimeError(
            f"init_process_group: backend {backend!r} is not available; minitensor.distributed "
            f"has only backend='mpi' (start the processes with mpiexec)")
    if store is not None:
        raise ValueError("init_process_group: store is not supported by the MPI backend "
                         "(mpiexec connects the processes)")
    if device_id is not None and str(device_id) != "cpu":
        raise ValueError(f"init_process_group: device_id must be None or 'cpu', got "
                         f"{device_id!r}")
    seconds = _timeout_seconds(timeout)
    if _state.comm is not None:
        raise ValueError("trying to initialize the default process group twice!")
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise RuntimeError(
            "init_process_group: backend 'mpi' needs mpi4py and an MPI library: "
            "pip install \"minitensor[distributed]\" (mpi4py and mpich)") from exc
    world = MPI.COMM_WORLD
    r, n = world.Get_rank(), world.Get_size()
    if world_size not in (-1, None) and world_size != n:
        raise ValueError(f"init_process_group: world_size={world_size} but MPI started {n} "
                         f"processes (mpiexec -n {n})")
    if rank not in (-1, None) and rank != r:
        raise ValueError(f"init_process_group: rank={rank} but this is MPI rank {r}")
    _state.MPI = MPI
    _state.world = world
    _state.comm = world.Dup()
    _state.rank, _state.size = r, n
    _state.timeout = seconds


def destroy_process_group(group=None):
    """Leave the process group (MPI itself stays initialized until the process exits,
    so :func:`init_process_group` may be called again).

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> dist.destroy_process_group()
    >>> dist.is_initialized()
    False
    """
    _check_group(group)
    if _state.comm is None:
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
    comm = _state.comm
    _state.comm = None
    comm.Free()


def _check_group(group):
    if group is not None:
        raise NotImplementedError("minitensor.distributed has only the default process group "
                                  "(group=None); new_group is not supported")


def _comm(group=None):
    _check_group(group)
    c = _state.comm
    if c is None:
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
    return c


def get_rank(group=None):
    """This process's rank, ``0 <= rank < get_world_size()``.

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> dist.get_rank()
    0
    >>> dist.destroy_process_group()
    """
    _comm(group)
    return _state.rank


def get_world_size(group=None):
    """The number of processes (``mpiexec -n``).

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> dist.get_world_size()
    1
    >>> dist.destroy_process_group()
    """
    _comm(group)
    return _state.size


def get_backend(group=None):
    """``"mpi"``.

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> dist.get_backend()
    'mpi'
    >>> dist.destroy_process_group()
    """
    _comm(group)
    return "mpi"


# ------------------------------------------------------------- waiting with a deadline
def _abort(what):
    msg = (f"minitensor.distributed: rank {_state.rank} of {_state.size}: {what} did not "
           f"complete within the timeout of {_state.timeout:g} s (another rank died, hung, or "
           f"called a different collective); aborting the MPI job")
    try:
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()
        sys.stdout.flush()
    finally:
        _state.world.Abort(1)


def _wait(req, what):
    """Wait for MPI request ``req``; abort the job past the timeout."""
    if req.Test():
        return
    start = time.monotonic()
    deadline = start + _state.timeout
    spin_until = start + 0.005        # spin (low latency) then poll with short sleeps
    sleep = time.sleep
    test = req.Test
    while not test():
        now = time.monotonic()
        if now > spin_until:
            if now > deadline:
                _abort(what)
            sleep(0.0002)


class Work:
    """The handle of a collective started with ``async_op=True``.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> t = xp.asarray([1.0, 2.0])
    >>> work = dist.all_reduce(t, async_op=True)
    >>> work.wait()
    True
    >>> work.is_completed()
    True
    >>> dist.destroy_process_group()
    """

    def __init__(self, req, what, finish=None):
        self._req = req
        self._what = what
        self._finish = finish
        self._done = False

    def is_completed(self):
        """Whether the collective has completed (:meth:`wait` still must be called
        for its result to be written, as in PyTorch)."""
        if self._done:
            return True
        return bool(self._req.Test())

    def wait(self, timeout=None):
        """Block until the collective completes (at most the process group's timeout,
        or ``timeout`` if given); returns True."""
        if not self._done:
            if timeout is not None:
                saved = _state.timeout
                _state.timeout = _timeout_seconds(timeout)
                try:
                    _wait(self._req, self._what)
                finally:
                    _state.timeout = saved
            else:
                _wait(self._req, self._what)
            self._done = True
            if self._finish is not None:
                self._finish()
                self._finish = None
        return True


def _run(req, what, finish, async_op):
    w = Work(req, what, finish)
    if async_op:
        return w
    w.wait()
    return None


# ------------------------------------------------------------------- buffers
def _array(tensor, fname, argname="tensor"):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fname}: {argname} must be a minitensor Tensor, got "
                        f"{type(tensor).__name__}")
    a = tensor._array
    if not a.flags.writeable:
        raise RuntimeError(f"{fname}: {argname} is read-only (a broadcast view?); "
                           f"the collective writes into it")
    return a


def _written(tensor):
    """Note an in-place write (autograd's version counter), as PyTorch's collectives."""
    m = getattr(tensor, "_meta", None)
    if m is not None:
        m.version += 1
    ag = sys.modules.get("minitensor.autograd._inplace")
    if ag is not None:
        ag._note_write(tensor._array)


def _work_buffer(a):
    """A contiguous buffer to communicate ``a`` from (``a`` itself if it is contiguous;
    float16 goes through float32 as MPI defines no float16 arithmetic)."""
    if a.dtype == np.float16:
        return np.ascontiguousarray(a, dtype=np.float32)
    if a.flags.c_contiguous:
        return a
    return np.ascontiguousarray(a)


def _mpi_op(op, a):
    MPI = _state.MPI
    if not isinstance(op, ReduceOp):
        raise ValueError(f"all_reduce: op must be a ReduceOp, got {op!r}")
    kind = a.dtype.kind
    if kind == "c" and op in (ReduceOp.MIN, ReduceOp.MAX):
        raise ValueError(f"all_reduce does not support {op} on complex tensors")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in "biu":
        raise ValueError(f"all_reduce: {op} needs an integer or bool tensor, got {a.dtype}")
    if op is ReduceOp.AVG and kind not in "fc":
        raise ValueError(f"all_reduce: ReduceOp.AVG needs a floating or complex tensor, got "
                         f"{a.dtype} (use SUM and divide)")
    if kind == "b":
        # MPI has no arithmetic on bool: as PyTorch, SUM/MAX are a logical or, PRODUCT/MIN
        # a logical and
        return {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
                ReduceOp.PRODUCT: MPI.LAND, ReduceOp.MIN: MPI.LAND, ReduceOp.BAND: MPI.LAND,
                ReduceOp.BXOR: MPI.LXOR}[op]
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
            ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}[op]


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over all ranks, in place: afterwards every rank holds the result.

    Parameters
    ----------
    tensor : Tensor
        Input and output (any dtype; non-contiguous tensors are reduced through a
        contiguous copy and written back).
    op : ReduceOp
        ``SUM`` (default), ``AVG`` (floating/complex: the sum divided by the world
        size), ``PRODUCT``, ``MIN``, ``MAX`` (not complex), ``BAND``/``BOR``/``BXOR``
        (integer/bool). On bool tensors ``SUM``/``MAX`` are a logical or and
        ``PRODUCT``/``MIN`` a logical and.
    group : None
        Only the default group.
    async_op : bool
        If True, return a :class:`Work` whose ``wait()`` completes the operation.

    Returns
    -------
    None, or a Work if ``async_op``.

    Notes
    -----
    Not recorded by autograd (as PyTorch): the gradient of a later ``backward()``
    ignores the collective.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> t = xp.asarray([1.0, 5.0]) * (dist.get_rank() + 1)
    >>> dist.all_reduce(t, op=dist.ReduceOp.MAX)
    >>> t
    Tensor([1., 5.], dtype=float64)
    >>> dist.destroy_process_group()
    """
    comm = _comm(group)
    a = _array(tensor, "all_reduce")
    mop = _mpi_op(op, a)
    buf = _work_buffer(a)
    if buf.dtype == np.bool_:
        buf = buf.view(np.uint8)
    size = _state.size

    def finish():
        if op is ReduceOp.AVG:
            np.divide(buf, size, out=buf)
        if buf is not a and buf.base is not a:
            np.copyto(a, buf.view(np.bool_) if a.dtype.kind == "b" else buf, casting="unsafe")
        _written(tensor)

    req = comm.Iallreduce(_state.MPI.IN_PLACE, buf, op=mop)
    return _run(req, f"all_reduce({op.name})", finish, async_op)


def broadcast(tensor, src, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` of rank ``src`` into ``tensor`` on every other rank (in place).

    Parameters
    ----------
    tensor : Tensor
        The data to send on ``src``, the buffer to receive into elsewhere (same shape
        and dtype on every rank).
    src : int
        The sending rank.
    group, async_op, group_src
        As :func:`all_reduce` (``group_src`` is ``src`` in the default group).

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> t = xp.asarray([7, 8])
    >>> dist.broadcast(t, src=0)
    >>> t
    Tensor([7, 8], dtype=int64)
    >>> dist.destroy_process_group()
    """
    comm = _comm(group)
    if group_src is not None:
        src = group_src
    a = _array(tensor, "broadcast")
    if isinstance(src, bool) or not isinstance(src, (int, np.integer)):
        raise TypeError(f"broadcast: src must be an integer rank, got {type(src).__name__}")
    if not 0 <= src < _state.size:
        raise ValueError(f"broadcast: invalid root rank {src} (world size {_state.size})")
    buf = a if a.flags.c_contiguous else np.ascontiguousarray(a)
    if buf.dtype == np.bool_:
        buf = buf.view(np.uint8)

    def finish():
        if buf is not a and buf.base is not a:
            np.copyto(a, buf.view(np.bool_) if a.dtype == np.bool_ else buf)
        _written(tensor)

    req = comm.Ibcast(buf, root=int(src))
    return _run(req, f"broadcast(src={src})", finish, async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Gather ``tensor`` of every rank into ``tensor_list`` (``tensor_list[r]`` receives
    rank ``r``'s tensor), on every rank.

    Parameters
    ----------
    tensor_list : list of Tensor
        ``get_world_size()`` tensors of ``tensor``'s shape and dtype, written in place.
    tensor : Tensor
        This rank's contribution.
    group, async_op
        As :func:`all_reduce`.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> out = [xp.zeros(2) for _ in range(dist.get_world_size())]
    >>> dist.all_gather(out, xp.asarray([1.0, 2.0]) + dist.get_rank())
    >>> out
    [Tensor([1., 2.], dtype=float64)]
    >>> dist.destroy_process_group()
    """
    comm = _comm(group)
    if not isinstance(tensor, Tensor):
        raise TypeError(f"all_gather: tensor must be a minitensor Tensor, got "
                        f"{type(tensor).__name__}")
    if not isinstance(tensor_list, (list, tuple)):
        raise TypeError(f"all_gather: tensor_list must be a list of tensors, got "
                        f"{type(tensor_list).__name__}")
    n = _state.size
    if len(tensor_list) != n:
        raise ValueError(f"all_gather: tensor_list must have one tensor per rank (expected "
                         f"length {n}, got {len(tensor_list)})")
    a = tensor._array
    outs = []
    for i, t in enumerate(tensor_list):
        o = _array(t, "all_gather", f"tensor_list[{i}]")
        if o.shape != a.shape or o.dtype != a.dtype:
            raise ValueError(f"all_gather: tensor_list[{i}] has shape {o.shape} and dtype "
                             f"{o.dtype}, expected those of tensor: {a.shape}, {a.dtype}")
        outs.append(o)
    send = np.ascontiguousarray(a)
    recv = np.empty((n,) + a.shape, a.dtype)
    if a.dtype == np.bool_:
        send, recvb = send.view(np.uint8), recv.view(np.uint8)
    else:
        recvb = recv

    def finish():
        for o, t, r in zip(outs, tensor_list, recv):
            np.copyto(o, r)
            _written(t)

    req = comm.Iallgather(send, recvb)
    return _run(req, "all_gather", finish, async_op)


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank has reached this call.

    Examples
    --------
    >>> import minitensor.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> dist.barrier()
    >>> dist.destroy_process_group()
    """
    comm = _comm(group)
    return _run(comm.Ibarrier(), "barrier", None, async_op)
