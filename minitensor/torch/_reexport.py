"""Thin re-export modules: the face's ``nn``, ``optim``, ``utils.data``, ... are the
namespace's modules seen under PyTorch's module names, never copies.

``reexport(globals(), "minitensor.nn", {"functional": "minitensor.nn.functional"})``
copies the public names of the source module (its ``__all__``, read at import, so names
added to the source later appear here too), forwards any other attribute to the source
(module ``__getattr__``), and registers the submodules in ``sys.modules`` under the
face's names: ``import minitensor.torch.nn.functional as F`` gives the module object
``minitensor.nn.functional`` itself (no second copy of its code is loaded).
"""
import importlib
import sys


def _optional(name):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None  # the source submodule does not exist (yet)
        raise


def _forwarder(name, parent):
    """A module ``name`` whose attributes are those of the module ``parent``."""
    import types
    src = _optional(parent)
    if src is None:
        return None
    mod = types.ModuleType(name, f"Forwards to {parent}.")

    def __getattr__(attr):
        if not attr.startswith("__"):
            try:
                return getattr(src, attr)
            except AttributeError:
                pass
        raise AttributeError(f"module {name!r} has no attribute {attr!r}")

    mod.__getattr__ = __getattr__
    return mod


def reexport(glob, source, submodules=()):
    """Fill the module namespace ``glob`` from the module named ``source``."""
    src = importlib.import_module(source)
    here = glob["__name__"]
    names = list(getattr(src, "__all__", None)
                 or [n for n in vars(src) if not n.startswith("_")])
    for n in names:
        glob[n] = getattr(src, n)
    for sub, target in dict(submodules).items():
        mod = _optional(target)
        if mod is None and "." in sub:
            # e.g. ``nn.utils.rnn`` while the source keeps those names in ``nn.utils``:
            # a module that forwards to the parent's source
            mod = _forwarder(f"{here}.{sub}", target.rpartition(".")[0])
        if mod is None:
            continue
        sys.modules[f"{here}.{sub}"] = mod
        if "." not in sub:
            glob[sub] = mod
            if sub not in names:
                names.append(sub)

    def __getattr__(name):
        if not name.startswith("__"):
            try:
                return getattr(src, name)
            except AttributeError:
                pass
        raise AttributeError(f"module {here!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(glob) | {n for n in dir(src) if not n.startswith("_")})

    glob["__all__"] = names
    glob["__getattr__"] = __getattr__
    glob["__dir__"] = __dir__
    return src
