"""Thread-local gradient mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""
import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]

class _Local(threading.local):
    enabled = True  # the default of every thread (an instance attribute once set)


_local = _Local()


def is_grad_enabled():
    """Whether operations are recorded for autograd in this thread (default True).

    Examples
    --------
    >>> from minitensor import autograd
    >>> autograd.is_grad_enabled()
    True
    >>> with autograd.no_grad():
    ...     autograd.is_grad_enabled()
    False
    """
    return _local.enabled


def _set_enabled(mode):
    _local.enabled = bool(mode)


class _Mode:
    """Context manager and decorator that sets the grad mode, then restores it.

    Usable as ``with no_grad():``, ``@no_grad()`` and (as PyTorch) ``@no_grad``;
    decorated generator functions run each step in the mode.
    """

    _mode = True

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        if not callable(orig_func):
            raise TypeError(f"{cls.__name__}() takes no arguments (got {orig_func!r}); use it as "
                            f"a context manager or as a decorator")
        return cls()(orig_func)  # the bare decorator form, @no_grad

    def __init__(self, orig_func=None):
        self._prevs = []

    def __enter__(self):
        self._prevs.append(is_grad_enabled())
        _set_enabled(self._mode)
        return None

    def __exit__(self, *exc):
        _set_enabled(self._prevs.pop())
        return False

    def __call__(self, func):
        mode = self._mode
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen(*args, **kwargs):
                g = func(*args, **kwargs)
                try:
                    with _fixed(mode):
                        response = g.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with _fixed(mode):
                                g.close()
                            raise
                        except BaseException as e:
                            with _fixed(mode):
                                response = g.throw(e)
                        else:
                            with _fixed(mode):
                                response = g.send(request)
                except StopIteration as stop:
                    return stop.value
            return gen

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _fixed(mode):
                return func(*args, **kwargs)
        return wrapper


class _fixed:
    """Set the grad mode for a block (the decorators' helper)."""

    __slots__ = ("_mode", "_prev")

    def __init__(self, mode):
        self._mode = mode

    def __enter__(self):
        self._prev = is_grad_enabled()
        _set_enabled(self._mode)

    def __exit__(self, *exc):
        _set_enabled(self._prev)
        return False


class no_grad(_Mode):
    """Disable gradient recording (context manager or decorator), as ``torch.no_grad``.

    Examples
    --------
    >>> import minitensor as xp
    >>> w = xp.tensor([1.0, 2.0], requires_grad=True)
    >>> with xp.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    _mode = False


class enable_grad(_Mode):
    """Enable gradient recording inside a ``no_grad`` region.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import autograd
    >>> w = xp.tensor([1.0, 2.0], requires_grad=True)
    >>> with autograd.no_grad():
    ...     frozen = w * 2
    ...     with autograd.enable_grad():
    ...         tracked = w * 2
    >>> frozen.requires_grad, tracked.requires_grad
    (False, True)
    """

    _mode = True


class set_grad_enabled(_Mode):
    """Set the grad mode: as a function call (``set_grad_enabled(False)``), a context
    manager or a decorator, as ``torch.set_grad_enabled``.

    Examples
    --------
    >>> import minitensor as xp
    >>> with xp.set_grad_enabled(False):
    ...     xp.is_grad_enabled()
    False
    >>> xp.is_grad_enabled()
    True
    """

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self._prevs = [is_grad_enabled()]
        self._mode = mode
        _set_enabled(mode)

    def __enter__(self):
        return None

    def __call__(self, func):
        _set_enabled(self._prevs.pop())  # as torch: the decorator form does not change the mode now
        return super().__call__(func)
