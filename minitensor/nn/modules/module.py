"""``Module``: the base class of layers and models (PyTorch's ``nn.Module`` semantics).

Attributes that are :class:`Parameter`\\ s, ``Module``\\ s or registered buffers
are kept in three ordered dicts (``_parameters``, ``_modules``, ``_buffers``) by
``__setattr__`` and found again by ``__getattr__``; everything else is a plain
attribute. Names are dotted paths (``"encoder.0.weight"``) in
``named_parameters``, ``state_dict`` and ``load_state_dict``.

Forward hooks (``register_forward_pre_hook``, ``register_forward_hook``) run around
``forward`` when the module is called, and full backward hooks
(``register_full_backward_hook``) when its input gradients are computed, with
PyTorch's arguments and return-value rules; they are kept in ordered dicts keyed by the id of the
:class:`~minitensor.utils.hooks.RemovableHandle` that registration returns.
"""
from collections import OrderedDict, namedtuple
import itertools
import warnings

import numpy as np

from ..._array_object import Device, Tensor, _check_device
from ..._tensor_methods import _accelerator_error
from ...autograd._function import Function
from ...autograd._grad_mode import is_grad_enabled
from ..._dtypes import _as_dtype
from ...utils.hooks import RemovableHandle
from ..parameter import Buffer, Parameter

__all__ = ["Module"]

_DEVICE_NAMES = ("cpu", "cuda", "mps", "xpu", "meta")


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the missing and unexpected keys."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(s, n):
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    return first + "\n" + "\n".join((n * " ") + line for line in lines)


def _check_name(kind, name, module):
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')


def _as_array(value):
    """The ndarray of a state-dict value: a Tensor, a NumPy array, or another library's
    CPU array (e.g. a PyTorch tensor, through DLPack or ``__array__``); else None."""
    if isinstance(value, Tensor):
        return value._array
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    for convert, attr in ((np.from_dlpack, "__dlpack__"), (np.asarray, "__array__")):
        if hasattr(value, attr):
            try:
                return np.asarray(convert(value))
            except (TypeError, ValueError, RuntimeError, BufferError):
                continue
    return None


_HOOK_DICTS = ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks",
               "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
               "_backward_hooks")


def _zeros_like(t):
    return Tensor._new(np.zeros(t._array.shape, t._array.dtype))


class _BackwardHookCall:
    """One call of a module with full backward hooks (PyTorch's ``BackwardHook``):
    identity autograd Functions around the tensor inputs and outputs collect
    ``grad_output`` and ``grad_input`` and call ``hook(module, grad_input,
    grad_output)``; a non-None result replaces ``grad_input``."""

    def __init__(self, module, hooks):
        self.module = module
        self.hooks = hooks
        self.n_inputs = 0
        self.input_index = None      # positions of the tensor inputs, when recorded
        self.grad_outputs = None
        self.n_outputs = 0
        self.output_index = None

    def _wrap(self, values, backward):
        idx = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        if not idx or not is_grad_enabled() or not any(values[i].requires_grad for i in idx):
            return values, None
        # as PyTorch: a tensor without requires_grad is non-differentiable here, and
        # its gradient is materialized as zeros
        blank = [None if values[i].requires_grad else values[i] for i in idx]

        def forward(ctx, *ts):
            ctx.mark_non_differentiable(*[t for t in ts if not t.requires_grad])
            return ts

        def full_backward(ctx, *grads):
            grads = tuple(_zeros_like(b) if b is not None else g for g, b in zip(grads, blank))
            return backward(ctx, *grads)

        fn = type("BackwardHookFunction", (Function,), {
            "forward": staticmethod(forward), "backward": staticmethod(full_backward)})
        new = fn.apply(*(values[i] for i in idx))
        out = list(values)
        for i, v in zip(idx, new):
            out[i] = v
        return (type(values)(*out) if hasattr(values, "_fields") else tuple(out)), idx

    @staticmethod
    def _pack(index, values, n):
        out = [None] * n
        for i, v in zip(index, values):
            out[i] = v
        return tuple(out)

    def wrap_inputs(self, args):
        self.n_inputs = len(args)

        def backward(ctx, *grads):
            grad_input = self._pack(self.input_index, grads, self.n_inputs)
            grad_output = self.grad_outputs if self.grad_outputs is not None else \
                (None,) * self.n_outputs
            for hook in list(self.hooks.values()):
                r = hook(self.module, grad_input, grad_output)
                if r is None:
                    continue
                r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
                if len(r) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of "
                                       f"grad_input, got {len(r)}, but expected "
                                       f"{len(grad_input)}")
                grad_input = r
            return tuple(grad_input[i] if self.input_needs[k] else None
                         for k, i in enumerate(self.input_index))

        args, self.input_index = self._wrap(args, backward)
        if self.input_index is not None:
            self.input_needs = [args[i].requires_grad for i in self.input_index]
        return args

    def wrap_outputs(self, result):
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        self.n_outputs = len(outs)

        def backward(ctx, *grads):
            self.grad_outputs = self._pack(self.output_index, grads, self.n_outputs)
            if self.input_index is None:
                # no input needs a gradient: the hooks see grad_input of Nones now
                warnings.warn("Full backward hook is firing when gradients are computed with "
                              "respect to module outputs since no inputs require gradients.",
                              stacklevel=2)
                grad_input = (None,) * self.n_inputs
                for hook in list(self.hooks.values()):
                    r = hook(self.module, grad_input, self.grad_outputs)
                    if r is not None and not all(g is None for g in r):
                        raise RuntimeError("Backward hook for Modules where no input "
                                           "requires gradient should always return None or "
                                           "None for all gradients.")
            return grads

        outs, self.output_index = self._wrap(outs, backward)
        return outs[0] if single else outs


def _init_hooks(d):
    """Give the module ``__dict__`` ``d`` its (empty) hook dicts if it lacks them."""
    for k in _HOOK_DICTS:
        if k not in d:
            d[k] = OrderedDict()
    return d


class Module:
    """Base class of all layers and models.

    Subclass it, create parameters and submodules in ``__init__`` (after
    ``super().__init__()``) and write ``forward``; call the module, not
    ``forward``.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import nn
    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = nn.Linear(4, 8)
    ...         self.fc2 = nn.Linear(8, 2)
    ...     def forward(self, x):
    ...         return self.fc2(nn.functional.relu(self.fc1(x)))
    >>> net = TwoLayer()
    >>> [name for name, _ in net.named_parameters()]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    >>> net(xp.ones((3, 4), dtype=xp.float32)).shape
    (3, 2)
    >>> net
    TwoLayer(
      (fc1): Linear(in_features=4, out_features=8, bias=True)
      (fc2): Linear(in_features=8, out_features=2, bias=True)
    )
    """

    training: bool
    _version = 1

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments: "
                            f"Module.__init__ takes no arguments")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()
        _init_hooks(d)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  f'"forward" function')

    def __call__(self, *args, **kwargs):
        d = self.__dict__
        if d.get("_forward_pre_hooks") or d.get("_forward_hooks") or d.get("_backward_hooks"):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args, kwargs):
        """``forward`` between the forward pre-hooks and forward hooks (PyTorch's rules)."""
        d = self.__dict__
        pre_kw = d.get("_forward_pre_hooks_with_kwargs", {})
        for hook_id, hook in list(d.get("_forward_pre_hooks", {}).items()):
            if hook_id in pre_kw:
                r = hook(self, args, kwargs)
                if r is not None:
                    if isinstance(r, tuple) and len(r) == 2:
                        args, kwargs = r
                    else:
                        raise RuntimeError(f"forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {r}.")
            else:
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        bw = None
        if d.get("_backward_hooks"):
            bw = _BackwardHookCall(self, d["_backward_hooks"])
            args = bw.wrap_inputs(args)
        hooks = d.get("_forward_hooks", {})
        with_kw = d.get("_forward_hooks_with_kwargs", {})
        always = d.get("_forward_hooks_always_called", {})
        called = set()
        result = None
        try:
            result = self.forward(*args, **kwargs)
            for hook_id, hook in list(hooks.items()):
                called.add(hook_id)
                r = hook(self, args, kwargs, result) if hook_id in with_kw else \
                    hook(self, args, result)
                if r is not None:
                    result = r
            if bw is not None:
                result = bw.wrap_outputs(result)
        except Exception:
            # the always_call hooks not yet run still run; then the error propagates
            for hook_id, hook in list(hooks.items()):
                if hook_id not in always or hook_id in called:
                    continue
                try:
                    r = hook(self, args, kwargs, result) if hook_id in with_kw else \
                        hook(self, args, result)
                    if r is not None:
                        result = r
                except Exception as e:
                    warnings.warn("module forward hook with ``always_call=True`` raised an "
                                  "exception that was silenced as another error was raised "
                                  f"in forward: {e}", stacklevel=2)
            raise
        return result

    # ------------------------------------------------------------------ hooks
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before each ``forward`` (``with_kwargs=True``:
        ``hook(module, args, kwargs)``). Its result replaces the positional arguments
        (a non-tuple is wrapped in a 1-tuple; with kwargs: a ``(args, kwargs)`` pair);
        None leaves them. ``prepend``: run before the hooks already registered.
        Returns a handle whose ``remove()`` unregisters the hook.

        Examples
        --------
        >>> import minitensor as xp
        >>> from minitensor import nn
        >>> relu = nn.ReLU()
        >>> h = relu.register_forward_pre_hook(lambda m, args: args[0] - 1)
        >>> relu(xp.asarray([0.5, 3.0]))
        Tensor([0., 2.], dtype=float64)
        >>> h.remove()
        """
        d = _init_hooks(self.__dict__)
        hooks = d["_forward_pre_hooks"]
        handle = RemovableHandle(hooks, extra_dict=d["_forward_pre_hooks_with_kwargs"])
        hooks[handle.id] = hook
        if with_kwargs:
            d["_forward_pre_hooks_with_kwargs"][handle.id] = True
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when the gradients with
        respect to the module's positional inputs are computed: tuples with one entry
        per positional input / output (None for non-tensors and for tensors without
        gradient). A non-None result replaces ``grad_input``. Returns a handle
        whose ``remove()`` unregisters the hook.

        Examples
        --------
        >>> import minitensor as xp
        >>> from minitensor import nn
        >>> tanh = nn.Tanh()
        >>> h = tanh.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
        >>> x = xp.ones(2).requires_grad_()
        >>> tanh(x).sum().backward()
        >>> x.grad
        Tensor([0., 0.], dtype=float64)
        """
        d = _init_hooks(self.__dict__)
        hooks = d["_backward_hooks"]
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """Call ``hook(module, args, output)`` after each ``forward``
        (``with_kwargs=True``: ``hook(module, args, kwargs, output)``); a result that
        is not None replaces the output. ``prepend``: run before the hooks already
        registered; ``always_call``: run even when ``forward`` raises. Returns a
        handle whose ``remove()`` unregisters the hook.

        Examples
        --------
        >>> import minitensor as xp
        >>> from minitensor import nn
        >>> lin = nn.Linear(3, 2)
        >>> seen = []
        >>> h = lin.register_forward_hook(lambda m, args, out: seen.append(out.shape))
        >>> _ = lin(xp.ones((5, 3), dtype=xp.float32))
        >>> h.remove(); _ = lin(xp.ones((5, 3), dtype=xp.float32))
        >>> seen
        [(5, 2)]
        """
        d = _init_hooks(self.__dict__)
        hooks = d["_forward_hooks"]
        handle = RemovableHandle(hooks, extra_dict=[d["_forward_hooks_with_kwargs"],
                                                    d["_forward_hooks_always_called"]])
        hooks[handle.id] = hook
        if with_kwargs:
            d["_forward_hooks_with_kwargs"][handle.id] = True
        if always_call:
            d["_forward_hooks_always_called"][handle.id] = True
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    # ------------------------------------------------------------ registration
    def register_buffer(self, name, tensor, persistent=True):
        """Register ``tensor`` (or None) as a buffer: saved in ``state_dict`` (if
        ``persistent``), converted by ``to``, not a parameter."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name, self)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            f"(minitensor Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        """Register ``param`` (a :class:`Parameter` or None) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name, self)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            f"(minitensor.nn.Parameter or None required)")
        if param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f"parameters must be created explicitly.")
        self._parameters[name] = param

    def add_module(self, name, module):
        """Register ``module`` (a Module or None) as a child named ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name("module", name, self)
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        """The submodule at dotted path ``target`` ("" is the module itself)."""
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(f"{type(mod).__name__} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def get_parameter(self, target):
        """The parameter at dotted path ``target``."""
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters:
            raise AttributeError(f"{type(mod).__name__} has no parameter `{name}`")
        return mod._parameters[name]

    def get_buffer(self, target):
        """The buffer at dotted path ``target``."""
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._buffers:
            raise AttributeError(f"{type(mod).__name__} has no buffer `{name}`")
        return mod._buffers[name]

    # --------------------------------------------------------- attribute access
    def __getattr__(self, name):
        d = self.__dict__
        if "_parameters" in d:
            p = d["_parameters"]
            if name in p:
                return p[name]
        if "_buffers" in d:
            b = d["_buffers"]
            if name in b:
                return b[name]
        if "_modules" in d:
            m = d["_modules"]
            if name in m:
                return m[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__

        def remove_from(*dicts_or_sets):
            for dd in dicts_or_sets:
                if name in dd:
                    if isinstance(dd, dict):
                        del dd[name]
                    else:
                        dd.discard(name)

        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                f"(minitensor.nn.Parameter or None expected)")
            self.register_parameter(name, value)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            remove_from(d, self._parameters, self._buffers, self._non_persistent_buffers_set)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module "
                                f"'{name}' (minitensor.nn.Module or None expected)")
            modules[name] = value
            return
        buffers = d.get("_buffers")
        if isinstance(value, Buffer):
            if buffers is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            remove_from(d, self._parameters, self._modules)
            self.register_buffer(name, value.data, persistent=value.persistent)
            return
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                f"(minitensor Tensor or None expected)")
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for key in ("_parameters", "_buffers", "_modules"):
            dd = self.__dict__.get(key)
            if dd is not None and name in dd:
                del dd[name]
                if key == "_buffers":
                    self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        keys = set(dir(type(self))) | set(self.__dict__)
        keys |= set(self._parameters) | set(self._modules) | set(self._buffers)
        return sorted(k for k in keys if not k[:1].isdigit())

    def __setstate__(self, state):
        self.__dict__.update(state)
        _init_hooks(self.__dict__)  # modules pickled before hooks existed

    # -------------------------------------------------------------- iteration
    def _named_members(self, get_members, prefix="", recurse=True, remove_duplicate=True):
        memo = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for k, v in get_members(module):
                if v is None or (remove_duplicate and id(v) in memo):
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield (module_prefix + ("." if module_prefix else "") + k, v)

    def parameters(self, recurse=True):
        """The parameters (each once), in registration order, submodules after."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """``(dotted name, parameter)`` pairs; a shared parameter appears once
        (under its first name) unless ``remove_duplicate=False``."""
        yield from self._named_members(lambda m: m._parameters.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda m: m._buffers.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_children(self):
        memo = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in memo:
                memo.add(id(m))
                yield name, m

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """``(dotted name, module)`` for this module (name ``prefix``) and all
        submodules, depth first; each module once unless ``remove_duplicate=False``."""
        if memo is None:
            memo = set()
        # iterative depth-first walk (no recursion limit for deep Sequentials)
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in memo:
                    continue
                memo.add(id(mod))
            yield name, mod
            kids = [(name + ("." if name else "") + k, m) for k, m in mod._modules.items()
                    if m is not None]
            stack.extend(reversed(kids))

    # -------------------------------------------------------------- modes
    def train(self, mode=True):
        """Set training mode (``mode=True``) or evaluation mode for this module
        and its submodules; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.training = mode
        return self

    def eval(self):
        """Evaluation mode (``train(False)``): dropout off, batch norm uses running stats."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters (to None, or to zeros in place)."""
        for p in self.parameters():
            g = p.grad
            if g is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                g._array[...] = 0

    def apply(self, fn):
        """Call ``fn`` on every submodule (children first) and on self; returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # -------------------------------------------------------- conversion
    def _apply_arrays(self, fn, recurse=True):
        """Replace the arrays of parameters, their grads and buffers by ``fn(array)``
        (keeping the Parameter objects, so optimizers still hold them)."""
        mods = self.modules() if recurse else [self]
        for m in mods:
            for p in m._parameters.values():
                if p is None:
                    continue
                p._array = fn(p._array)
                g = p.grad
                if g is not None:
                    p.grad = Tensor._new(fn(g._array))
            for k, b in m._buffers.items():
                if b is not None:
                    m._buffers[k] = Tensor._new(fn(b._array))
        return self

    def to(self, *args, **kwargs):
        """Convert the floating-point parameters and buffers: ``to(dtype)``,
        ``to(device)``, ``to(device, dtype)``, ``to(tensor)`` (its dtype), or the
        keywords ``device=``, ``dtype=``; returns self (converted in place, as PyTorch).

        # Note: the CPU is the only device.
        """
        device = kwargs.pop("device", None)
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, Device) or (isinstance(a, str) and a.split(":")[0] in _DEVICE_NAMES):
                device = a
            elif a is not None:
                dtype = a
        if device is not None:
            err = _accelerator_error(device, "Module.to()")
            if err is not None:  # as PyTorch without CUDA (AssertionError, RuntimeError)
                raise err
        _check_device(device)
        if dtype is None:
            return self
        dt = _as_dtype(dtype)
        npdt = dt._np_dtype
        if npdt.kind not in "fc":
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, "
                            f"but got desired dtype={dt}")

        def convert(a):
            if a.dtype.kind not in "fc" or a.dtype == npdt:
                return a
            if a.dtype.kind == "c" and npdt.kind == "f":
                return a  # as PyTorch: complex stays complex under a real dtype
            return a.astype(npdt)
        return self._apply_arrays(convert)

    def float(self):
        """Floating-point parameters and buffers to float32."""
        from ... import float32
        return self.to(float32)

    def double(self):
        """Floating-point parameters and buffers to float64."""
        from ... import float64
        return self.to(float64)

    def half(self):
        """Floating-point parameters and buffers to float16 (the extension dtype)."""
        from ... import float16
        return self.to(float16)

    def type(self, dst_type):
        return self.to(dst_type)

    def cpu(self):
        return self

    # ------------------------------------------------------------ state dict
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An ``OrderedDict`` from dotted names to the parameters and persistent
        buffers, as detached tensors sharing memory with them (``keep_vars=True``:
        the Parameter objects themselves)."""
        if args:
            # PyTorch's legacy positional form state_dict(destination, prefix, keep_vars)
            names = ("destination", "prefix", "keep_vars")
            if len(args) > 3:
                raise TypeError("state_dict() takes at most 3 positional arguments")
            vals = dict(zip(names, args))
            destination = vals.get("destination", destination)
            prefix = vals.get("prefix", prefix)
            keep_vars = vals.get("keep_vars", keep_vars)
        if destination is None:
            destination = OrderedDict()
        for mod_prefix, mod in self.named_modules(prefix=prefix.rstrip(".") if prefix else ""):
            mod._save_to_state_dict(destination, mod_prefix + "." if mod_prefix else "",
                                    keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        persistent = {k: v for k, v in self._buffers.items()
                      if k not in self._non_persistent_buffers_set}
        local = itertools.chain(self._parameters.items(), persistent.items())
        for name, target in local:
            if target is None:
                continue
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = state_dict[key]
            arr = _as_array(value)
            if arr is None:
                error_msgs.append(f'While copying the parameter named "{key}", expected a '
                                  f'Tensor or an array (NumPy, DLPack) from checkpoint but '
                                  f'received {type(value).__name__}')
                continue
            if arr.shape != target._array.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape "
                                  f"{arr.shape} from checkpoint, the shape in current model is "
                                  f"{target._array.shape}.")
                continue
            if arr.dtype.kind == "c" and target._array.dtype.kind != "c":
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions '
                                  f'in the model are {target._array.shape}: cannot copy complex '
                                  f'values into a real tensor')
                continue
            if arr is target._array:
                continue
            # in place (as PyTorch's param.copy_ under no_grad): optimizers keep
            # their references; the version counter tells recorded graphs
            target._array[...] = arr
            meta = getattr(target, "_meta", None) if type(target) is not Tensor else None
            if meta is not None:
                meta.version += 1
        if strict:
            local_state = {k for k, v in itertools.chain(self._parameters.items(),
                                                         persistent.items()) if v is not None}
            for key in state_dict:
                if not key.startswith(prefix):
                    continue
                parts = key[len(prefix):].split(".", 1)
                if len(parts) > 1:
                    # a dotted rest must belong to a submodule
                    if parts[0] not in self._modules:
                        unexpected_keys.append(key)
                elif parts[0] not in local_state:
                    unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict`` into this module.

        Returns ``(missing_keys, unexpected_keys)`` (a named tuple). With
        ``strict=True`` (default), missing or unexpected keys raise a
        ``RuntimeError`` listing them; a shape mismatch always raises.

        Examples
        --------
        >>> from minitensor import nn
        >>> a, b = nn.Linear(2, 3), nn.Linear(2, 3)
        >>> b.load_state_dict(a.state_dict())
        <All keys matched successfully>
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        if assign:
            raise NotImplementedError("load_state_dict(assign=True) is not supported; values are "
                                      "copied into the existing parameters")
        missing, unexpected, errors = [], [], []
        for mod_prefix, mod in self.named_modules():
            p = mod_prefix + "." if mod_prefix else ""
            mod._load_from_state_dict(state_dict, p, {}, True, missing, unexpected, errors)
        if strict:
            msgs = []
            for kind, keys in (("Missing", missing), ("Unexpected", unexpected)):
                if keys:
                    msgs.append(f"{kind} key(s) in state_dict: " +
                                ", ".join(f'"{k}"' for k in keys) + ". ")
            errors = msgs + errors
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" +
                               "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)

    # ---------------------------------------------------------------- repr
    def extra_repr(self):
        """The layer's settings shown inside its ``repr`` (override in subclasses)."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra_lines = []
        extra = self.extra_repr()
        if extra:
            extra_lines = extra.split("\n")
        child_lines = []
        for key, module in self._modules.items():
            mod_str = _addindent(repr(module), 2)
            child_lines.append("(" + key + "): " + mod_str)
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
