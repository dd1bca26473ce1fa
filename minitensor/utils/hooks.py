"""Hook handles (PyTorch's ``torch.utils.hooks``): what ``Module.register_*_hook`` return.

Examples
--------
>>> import minitensor as xp
>>> from minitensor import nn
>>> lin = nn.Linear(2, 3)
>>> shapes = []
>>> handle = lin.register_forward_hook(lambda m, args, out: shapes.append(out.shape))
>>> _ = lin(xp.ones((4, 2), dtype=xp.float32))
>>> handle.remove()
>>> _ = lin(xp.ones((4, 2), dtype=xp.float32))
>>> shapes
[(4, 3)]
"""
import weakref

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """A handle that removes a hook from its dict(s): ``handle.remove()``, or use it
    as a context manager (removed on exit). ``extra_dict``: further dicts (or a list of
    them) keyed by the same id (e.g. the "with_kwargs" flags). The dicts are held by
    weak reference (``OrderedDict``s), so a handle does not keep a module alive.
    """

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if extra_dict is None:
            extra = ()
        elif isinstance(extra_dict, dict):
            extra = (extra_dict,)
        else:
            extra = tuple(extra_dict)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra)

    def remove(self):
        """Remove the hook (a no-op when it is already gone)."""
        for ref in (self.hooks_dict_ref,) + self.extra_dict_ref:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __getstate__(self):
        refs = (self.hooks_dict_ref,) + self.extra_dict_ref
        return (tuple(r() for r in refs), self.id)

    def __setstate__(self, state):
        dicts, self.id = state
        refs = []
        for d in dicts:
            # a dict gone before pickling: a fresh empty one stands in (as PyTorch)
            refs.append(weakref.ref(d if d is not None else _Dead()))
        self.hooks_dict_ref = refs[0]
        self.extra_dict_ref = tuple(refs[1:])

    def __enter__(self):
        return self

    def __exit__(self, type, value, tb):
        self.remove()


class _Dead(dict):
    """A weak-referenceable empty dict (plain dicts are not)."""
