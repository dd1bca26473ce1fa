"""The API reference (docs/api/*.rst) lists every public name, in the namespace's order.

The Sphinx build itself runs in CI (``.ci/run``); this fast check catches a new
public function that nobody added to the reference.
"""
import importlib
import pathlib
import re

import pytest

import minitensor

ROOT = pathlib.Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api"

pytestmark = pytest.mark.skipif(not API.is_dir(), reason="docs/ is not in this tree")

# names documented in prose rather than by autosummary (plain values)
_PROSE = {"__array_api_version__", "e", "inf", "nan", "newaxis", "pi",
          "bool", "complex64", "complex128", "float32", "float64", "int8", "int16", "int32",
          "int64", "uint8", "uint16", "uint32", "uint64", "float16", "fft", "linalg"}


def _documented():
    """{module: [names in autosummary order]} over all API pages."""
    out = {}
    for page in sorted(API.glob("*.rst")):
        module = None
        in_summary = False
        for line in page.read_text(encoding="utf-8").splitlines():
            m = re.match(r"\.\. currentmodule:: (\S+)", line)
            if m:
                module = m.group(1)
                continue
            if line.startswith(".. autosummary::"):
                in_summary = True
                continue
            if in_summary:
                s = line.strip()
                if not s or s.startswith(":"):
                    continue
                if not line.startswith("   "):
                    in_summary = False
                    continue
                out.setdefault(module, []).append(s)
    return out


@pytest.mark.parametrize("modname", [
    "minitensor", "minitensor.linalg", "minitensor.fft", "minitensor.special",
    "minitensor.autograd",
    "minitensor.nn", "minitensor.nn.functional", "minitensor.nn.init", "minitensor.nn.utils",
    "minitensor.optim", "minitensor.optim.lr_scheduler", "minitensor.utils.data",
])
def test_every_public_name_is_in_the_reference(modname):
    mod = importlib.import_module(modname)
    documented = set(_documented().get(modname, []))
    skip = _PROSE if modname == "minitensor" else {"functional", "init", "utils", "lr_scheduler"}
    missing = [n for n in mod.__all__ if n not in documented and n not in skip]
    assert not missing, f"{modname}: not in docs/api/*.rst: {missing}"
    extra = [n for n in documented if not hasattr(mod, n)]
    assert not extra, f"{modname}: documented but missing: {extra}"


_SECTION = re.compile(r"^[ \t]*(\w[\w ]*)\n[ \t]*-{3,}[ \t]*$", flags=re.M)


def _examples(doc):
    """The text of the numpydoc ``Examples`` section of ``doc`` ("" if there is none)."""
    heads = list(_SECTION.finditer(doc or ""))
    for i, m in enumerate(heads):
        if m.group(1).strip() == "Examples":
            end = heads[i + 1].start() if i + 1 < len(heads) else len(doc)
            return doc[m.end():end]
    return ""


def _reference_objects():
    """(qualified name, object) of every name an API page documents by autosummary."""
    for modname, names in _documented().items():
        mod = importlib.import_module(modname)
        for name in names:
            yield f"{modname}.{name}", getattr(mod, name)


def test_every_reference_page_has_an_example():
    """Each API page shows at least one doctest: an ``Examples`` section with a ``>>>`` line
    in the object's own docstring (a class's docstring, not inherited: ``__doc__``)."""
    missing = [qual for qual, obj in _reference_objects() if ">>>" not in _examples(obj.__doc__)]
    assert not missing, f"{len(missing)} API page(s) without an Examples doctest: {missing}"


def _documented_docstrings():
    """(qualified name, docstring) of every documented object and of the public members
    (and ``__call__``) that its class page lists (``:members:`` in the class template)."""
    for qual, obj in _reference_objects():
        # Note: LinAlgError is NumPy's class, re-exported with NumPy's docstring.
        if not getattr(obj, "__module__", "").startswith("minitensor"):
            continue
        yield qual, obj.__doc__
        if isinstance(obj, type):
            for name, member in vars(obj).items():
                if name.startswith("_") and name != "__call__":
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if callable(member) or isinstance(member, property):
                    yield f"{qual}.{name}", member.__doc__


def test_reference_examples_are_run_by_test_doctests():
    """test_doctests.py collects every documented docstring that has examples (classes,
    their methods, functions whose ``__doc__`` is assigned after definition, generated
    wrappers)."""
    import doctest

    from test_doctests import _modules

    collected = set()
    for modname in _modules():
        mod = importlib.import_module(modname)
        for test in doctest.DocTestFinder(exclude_empty=True).find(mod, modname, globs={}):
            collected.add(test.docstring)
    missing = [qual for qual, doc in _documented_docstrings()
               if ">>>" in (doc or "") and doc not in collected]
    assert not missing, f"docstrings that tests/test_doctests.py does not run: {missing}"


def test_namespace_pages_follow_init_order():
    """The namespace categories appear in docs/api/index.rst in __init__'s order."""
    doc = _documented()["minitensor"]
    order = [n for n in minitensor.__all__ if n in doc]
    index = (API / "index.rst").read_text(encoding="utf-8")
    pages = re.findall(r"^   (\w+)$", index, flags=re.M)
    first = {}
    for page in pages:
        text = (API / f"{page}.rst").read_text(encoding="utf-8")
        if ".. currentmodule:: minitensor\n" in text:
            names = re.findall(r"^   (\w+)$", text, flags=re.M)
            first[page] = min((order.index(n) for n in names if n in order), default=None)
    positions = [p for p in first.values() if p is not None]
    assert positions == sorted(positions), first
