"""Namespaces for older versions of the Array API standard.

``x.__array_namespace__()`` and ``x.__array_namespace__(api_version="2025.12")``
return the ``minitensor`` module itself. An older version
(``SUPPORTED_API_VERSIONS`` in ``_array_object``) returns a module object made
once per version: the same functions, except where the older standard asked for
a different result type:

- ``meshgrid`` and ``broadcast_arrays`` return a list (a tuple since 2025.12);
- ``__array_namespace_info__().devices()`` returns a list (a tuple since 2025.12);
- ``__array_api_version__`` is the requested version.

The official suite checks 2024.12 this way (see conformance/README.md); the
versions before 2024.12 get the same namespace and are not checked separately.

Examples
--------
>>> import minitensor as xp
>>> ns = xp.ones(2).__array_namespace__(api_version="2024.12")
>>> ns.__array_api_version__, type(ns.meshgrid(xp.ones(2), xp.ones(3)))
('2024.12', <class 'list'>)
>>> xp.ones(2).__array_namespace__(api_version="2025.12") is xp
True
"""
import sys
import types

_namespaces = {}


def namespace(api_version):
    """The namespace module for ``api_version`` (a supported version string or None)."""
    xp = sys.modules["minitensor"]
    if api_version is None or api_version == xp.__array_api_version__:
        return xp
    ns = _namespaces.get(api_version)
    if ns is None:
        ns = _namespaces[api_version] = _older_namespace(xp, api_version)
    return ns


def _older_namespace(xp, version):
    ns = types.ModuleType(f"minitensor_api_{version.replace('.', '_')}",
                          f"minitensor's namespace for Array API standard version {version}.")
    for name in xp.__all__:
        setattr(ns, name, getattr(xp, name))
    ns.__all__ = list(xp.__all__)
    ns.__version__ = xp.__version__
    ns.__array_api_version__ = version

    def meshgrid(*arrays, indexing="xy"):
        return list(xp.meshgrid(*arrays, indexing=indexing))

    def broadcast_arrays(*arrays):
        return list(xp.broadcast_arrays(*arrays))

    class __array_namespace_info__(xp.__array_namespace_info__):
        def devices(self):
            return list(super().devices())

    for f in (meshgrid, broadcast_arrays):
        f.__doc__ = getattr(xp, f.__name__).__doc__
        f.__qualname__ = f.__name__
        setattr(ns, f.__name__, f)
    __array_namespace_info__.__qualname__ = "__array_namespace_info__"
    __array_namespace_info__.__module__ = ns.__name__
    ns.__array_namespace_info__ = __array_namespace_info__
    return ns
