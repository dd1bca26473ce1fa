"""Thread-local gradient mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""
import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]

_local = threading.local()


def is_grad_enabled():
    """Whether operations are recorded for autograd in this thread (default True)."""
    return getattr(_local, "enabled", True)


def _set_enabled(mode):
    _local.enabled = bool(mode)


class _Mode:
    """Context manager and decorator that sets the grad mode, then restores it."""

    _mode = True

    def __enter__(self):
        self._prev = is_grad_enabled()
        _set_enabled(self._mode)
        return None

    def __exit__(self, *exc):
        _set_enabled(self._prev)
        return False

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen(*args, **kwargs):
                g = func(*args, **kwargs)
                value = None
                while True:
                    with self.__class__():
                        try:
                            item = g.send(value)
                        except StopIteration as stop:
                            return stop.value
                    value = yield item
            return gen

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


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
    """Enable gradient recording inside a ``no_grad`` region."""

    _mode = True


class set_grad_enabled(_Mode):
    """Set the grad mode: as a function call, a context manager or a decorator."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self._prev = is_grad_enabled()
        self._mode = mode
        _set_enabled(mode)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _set_enabled(self._prev)
        return False

    def __call__(self, func):
        _set_enabled(self._prev)  # as torch: the decorator form does not change the mode now
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper
