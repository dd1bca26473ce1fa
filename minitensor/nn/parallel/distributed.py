"""``DistributedDataParallel``: synchronous data parallelism over ``minitensor.distributed``."""
import contextlib
import zlib

import numpy as np

from ..._array_object import Tensor
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_MB = 1024 * 1024
_FIRST_BUCKET_MB = 1.0   # PyTorch's first bucket is small, so its reduction starts early


class _Bucket:
    __slots__ = ("dtype", "params", "offsets", "flat", "pending", "done")

    def __init__(self, dtype, params):
        self.dtype = dtype
        self.params = params
        sizes = [p._array.size for p in params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64).tolist()
        self.flat = np.zeros(self.offsets[-1], dtype)
        self.pending = len(params)
        self.done = False

    def slot(self, j):
        p = self.params[j]
        return self.flat[self.offsets[j]:self.offsets[j + 1]].reshape(p._array.shape)


class DistributedDataParallel(Module):
    """Wrap a module for synchronous data-parallel training over MPI
    (:mod:`minitensor.distributed`): every rank runs the same model on its own share of
    each batch; ``backward()`` leaves on every rank the gradient averaged over the ranks.

    At wrap time the parameters and buffers of rank 0 are copied to every rank (so all
    ranks start from the same model). During ``backward()`` each parameter's gradient,
    as soon as it is computed, is copied (scaled by ``1 / world_size``) into a flat
    bucket of at most ``bucket_cap_mb`` megabytes (one dtype per bucket, parameters in
    reverse registration order, about the order backward reaches them); a full bucket is
    summed over the ranks with one ``all_reduce`` (buckets are reduced in the same order
    on every rank) and the results are written back to the parameters' ``.grad``. An
    optimizer step then keeps the replicas bitwise identical.

    Parameters
    ----------
    module : Module
        The model (its parameters in place; move it to its dtype before wrapping).
    device_ids, output_device : None
        CPU only (as PyTorch for CPU modules): must be None.
    dim : int
        Accepted for PyTorch's signature (the input is not split: each rank passes its
        own batch).
    broadcast_buffers : bool
        Copy rank 0's buffers (e.g. BatchNorm's running statistics) to the other ranks
        at the start of every forward.
    bucket_cap_mb : float, optional
        Bucket size in megabytes (default 25, as PyTorch).
    find_unused_parameters : bool
        If True, after each forward the graph is searched for the parameters the
        output does not depend on; those count as ready with the gradient they have
        (zero if none), so the reduction does not wait for them.

    Notes
    -----
    The averaged gradient is the mean of the ranks' gradients, each computed on that
    rank's batch: with a mean loss and equal per-rank batches (what
    :class:`~minitensor.utils.data.DistributedSampler` gives, padding the last shard by
    repeating indices), this equals full-batch training on the concatenated batches. With
    unequal per-rank batches it is the mean of the per-rank means, as PyTorch (scale the
    loss by the local batch size over the mean batch size for a sample-weighted mean).

    Inside :meth:`no_sync` gradients only accumulate locally; the first backward after
    it reduces the accumulated gradients. Gradients must reach the parameters through
    ``loss.backward()`` (not ``autograd.grad``, nor ``create_graph=True``). Every rank
    must run the same forward/backward sequence; a rank that dies or diverges makes the
    others abort after the process group's timeout.

    Examples
    --------
    >>> import minitensor as xp
    >>> import minitensor.distributed as dist
    >>> from minitensor import nn
    >>> dist.init_process_group("mpi")    # under mpiexec: one process per rank
    >>> model = nn.parallel.DistributedDataParallel(nn.Linear(3, 1))
    >>> x = xp.ones((4, 3), dtype=xp.float32)
    >>> model(x).sum().backward()         # gradients averaged over the ranks
    >>> model.module.weight.grad
    Tensor([[4., 4., 4.]], dtype=float32)
    >>> list(model.state_dict())
    ['module.weight', 'module.bias']
    >>> dist.destroy_process_group()
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=True, init_sync=True, process_group=None,
                 bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        from ... import distributed as dist
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got "
                            f"{type(module).__name__}")
        if device_ids is not None or output_device is not None:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work "
                "with single-device/multiple-device GPU modules or CPU modules, but got "
                f"device_ids {device_ids}, output_device {output_device}; minitensor runs on "
                "the CPU: leave them None")
        if process_group is not None:
            raise NotImplementedError("DistributedDataParallel: only the default process "
                                      "group (process_group=None)")
        if bucket_cap_mb is None:
            bucket_cap_mb = 25.0
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got "
                             f"{bucket_cap_mb}")
        dist.get_world_size()   # raises ValueError if the process group is not initialized
        self._dist = dist
        self.module = module
        self.dim = dim
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.bucket_bytes_cap = int(bucket_cap_mb * _MB)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        for p in params:
            if not p.is_leaf:
                raise RuntimeError("DistributedDataParallel: the module's parameters must be "
                                   "leaf tensors")
        self._params = params
        self._world = dist.get_world_size()
        self._verify_same_model(list(module.parameters()))
        if init_sync:
            self._broadcast_tensors(list(module.parameters()) + list(module.buffers()))
        self._buckets = self._make_buckets(params, bucket_cap_mb)
        self._where = {}     # id(param) -> (bucket index, position)
        for bi, b in enumerate(self._buckets):
            for j, p in enumerate(b.params):
                self._where[id(p)] = (bi, j)
        self._armed = False  # a forward with grad sync ran: its backward reduces
        self._ready = set()  # ids of the parameters whose gradient is in its bucket
        self._next = 0       # the next bucket to reduce (buckets go in order on every rank)
        self._handles = [p.register_hook(self._make_hook(p)) for p in params]

    # ------------------------------------------------------------------ set-up
    def _verify_same_model(self, params):
        sig = repr([(tuple(p.shape), str(p._array.dtype)) for p in params]).encode()
        mine = np.array([len(params), zlib.crc32(sig)], np.int64)
        t = Tensor._new(mine)
        out = [Tensor._new(np.zeros(2, np.int64)) for _ in range(self._world)]
        self._dist.all_gather(out, t)
        for r, o in enumerate(out):
            if not np.array_equal(o._array, mine):
                raise RuntimeError(
                    f"DistributedDataParallel: the model on rank {r} has other parameters "
                    f"(number, shapes or dtypes) than on rank {self._dist.get_rank()}; every "
                    f"rank must wrap the same model")

    def _broadcast_tensors(self, tensors):
        """Copy rank 0's values of ``tensors`` to every rank: one broadcast per dtype."""
        if self._world == 1 or not tensors:
            return
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault(t._array.dtype, []).append(t)
        for dtype, ts in by_dtype.items():
            flat = np.concatenate([t._array.ravel() for t in ts])
            self._dist.broadcast(Tensor._new(flat), src=0)
            k = 0
            for t in ts:
                a = t._array
                np.copyto(a, flat[k:k + a.size].reshape(a.shape))
                k += a.size

    def _make_buckets(self, params, cap_mb):
        cap = int(cap_mb * _MB)
        first_cap = min(cap, int(_FIRST_BUCKET_MB * _MB))
        open_ = {}   # dtype -> (params, bytes)
        buckets = []
        for p in reversed(params):
            dt = p._array.dtype
            ps, nbytes = open_.get(dt, ([], 0))
            ps.append(p)
            nbytes += p._array.nbytes
            limit = first_cap if not buckets else cap
            if nbytes >= limit:
                buckets.append(_Bucket(dt, ps))
                ps, nbytes = [], 0
            open_[dt] = (ps, nbytes)
        for dt, (ps, _) in open_.items():
            if ps:
                buckets.append(_Bucket(dt, ps))
        return buckets

    # ---------------------------------------------------------------- forward
    def forward(self, *inputs, **kwargs):
        from ... import autograd
        if self._armed and any(b.pending != len(b.params) for b in self._buckets):
            unready = [self._name_of(p) for b in self._buckets if not b.done
                       for j, p in enumerate(b.params) if self._ready_flag(b, j) is False]
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting "
                "a new one. This error indicates that your module has parameters that were "
                "not used in producing loss (or backward() was not called on the output). "
                "Pass find_unused_parameters=True to DistributedDataParallel, or make sure "
                "all forward outputs take part in the loss. Parameters that did not receive "
                f"a gradient: {', '.join(unready[:10])}")
        self._reset()
        if self.broadcast_buffers and self._world > 1:
            bufs = list(self.module.buffers())
            if bufs:
                self._broadcast_tensors(bufs)
        out = self.module(*inputs, **kwargs)
        if self.require_backward_grad_sync and autograd.is_grad_enabled():
            self._armed = True
            if self.find_unused_parameters:
                self._mark_unused(out)
        return out

    def _reset(self):
        self._armed = False
        self._next = 0
        for b in self._buckets:
            b.pending = len(b.params)
            b.done = False
        self._ready = set()

    def _ready_flag(self, b, j):
        return id(b.params[j]) in self._ready

    def _name_of(self, p):
        for n, q in self.module.named_parameters():
            if q is p:
                return n
        return "?"

    def _mark_unused(self, out):
        from ...autograd._engine import AccumulateGrad
        seen = set()
        used = set()
        stack = []
        for t in _tensors_in(out):
            fn = getattr(t, "grad_fn", None)
            if fn is not None:
                stack.append(fn)
            m = getattr(t, "_meta", None)
            if m is not None and m.grad_fn is None and m.requires_grad:
                used.add(id(m))
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if type(node) is AccumulateGrad:
                m = node.meta
                if m is not None:
                    used.add(id(m))
                continue
            for e in node.next_edges or ():
                if e is not None:
                    stack.append(e[0])
        for p in self._params:
            if id(p._meta) not in used:
                self._local_ready(p, None)
        self._flush(None)

    # ---------------------------------------------------------------- backward
    def _make_hook(self, p):
        def hook(grad):
            if not self._armed:
                return None
            self._local_ready(p, grad)
            return self._flush(p, grad)
        return hook

    def _local_ready(self, p, grad):
        """Copy the gradient ``p.grad`` will hold after this backward (its current
        ``.grad`` plus ``grad``), scaled by 1 / world size, into p's bucket slot."""
        key = id(p)
        if key in self._ready:
            raise RuntimeError(
                "DistributedDataParallel: a parameter received its gradient twice in one "
                "backward pass (a second backward() without a forward() in between?); run "
                "forward and backward once per iteration, or use no_sync()")
        bi, j = self._where[key]
        b = self._buckets[bi]
        slot = b.slot(j)
        prev = p.grad
        if grad is None:
            if prev is None:
                slot[...] = 0
            else:
                np.copyto(slot, prev._array)
        elif prev is None:
            np.copyto(slot, grad._array)
        else:
            np.add(prev._array, grad._array, out=slot)
        if self._world != 1:
            np.multiply(slot, 1.0 / self._world, out=slot, casting="unsafe")
        self._ready.add(key)
        b.pending -= 1

    def _flush(self, current, grad=None):
        """Reduce the complete buckets, in order; write the results to ``.grad``. Returns
        the value to give the hook's engine for parameter ``current`` (None: its own
        gradient, added to ``.grad`` as usual)."""
        result = None
        buckets = self._buckets
        while self._next < len(buckets) and buckets[self._next].pending == 0:
            b = buckets[self._next]
            if self._world > 1:
                self._dist.all_reduce(Tensor._new(b.flat))
            b.done = True
            for j, q in enumerate(b.params):
                v = b.slot(j)
                if q is current:
                    # its gradient is added to .grad after this hook returns: empty .grad
                    # and hand the reduced value to the engine instead
                    q.grad = None
                    result = Tensor._new(v)   # (copied into .grad by the engine)
                    continue
                g = q.grad
                if g is not None and type(g) is Tensor and g._array.shape == v.shape \
                        and g._array.flags.writeable:
                    np.copyto(g._array, v)
                else:
                    q.grad = Tensor._new(v.copy())
            self._next += 1
        if self._next == len(buckets):
            self._armed = False
        return result

    # ----------------------------------------------------------------- no_sync
    @contextlib.contextmanager
    def no_sync(self):
        """Within this context, forward/backward accumulate gradients locally (no
        communication); the first backward after it reduces the accumulated gradients.

        Examples
        --------
        >>> import minitensor as xp
        >>> import minitensor.distributed as dist
        >>> from minitensor import nn
        >>> dist.init_process_group("mpi")
        >>> model = nn.parallel.DistributedDataParallel(nn.Linear(2, 1))
        >>> x = xp.ones((1, 2), dtype=xp.float32)
        >>> with model.no_sync():
        ...     model(x).sum().backward()     # local accumulation only
        >>> model(x).sum().backward()         # reduces the sum of both gradients
        >>> model.module.bias.grad
        Tensor([2.], dtype=float32)
        >>> dist.destroy_process_group()
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old


def _tensors_in(obj):
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _tensors_in(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors_in(o)
