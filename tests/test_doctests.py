"""Run the docstring examples of every public module of the installed package."""
import doctest
import importlib
import pkgutil

import pytest

import minitensor

_SKIP = ("minitensor._pythran", "minitensor.examples")


def _modules():
    names = ["minitensor"]
    for info in pkgutil.walk_packages(minitensor.__path__, "minitensor."):
        if not info.name.startswith(_SKIP):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("modname", _modules())
def test_doctests(modname):
    mod = importlib.import_module(modname)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(mod, modname, globs={}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {modname}"


# ------------------------------------------------ examples of the Markdown pages
# The ``pycon`` fenced blocks (```` ```pycon ````) of ``docs/*.md`` are doctests too,
# run in order per page with shared names (as one docstring).
_DOCS = __import__("pathlib").Path(__file__).resolve().parents[1] / "docs"


def _md_pages():
    if not _DOCS.is_dir():
        return []
    return sorted(p.name for p in _DOCS.glob("*.md") if "```pycon" in p.read_text())


def _pycon_blocks(text):
    import re
    return re.findall(r"^```pycon\n(.*?)^```", text, flags=re.S | re.M)


def test_markdown_pages_with_examples_are_found():
    if not _DOCS.is_dir():
        pytest.skip("no docs/ next to tests/ (installed tests)")
    assert "interop.md" in _md_pages()
    blocks = _pycon_blocks((_DOCS / "interop.md").read_text())
    assert len(blocks) >= 2 and all(">>> " in b for b in blocks)


@pytest.mark.parametrize("page", _md_pages())
def test_markdown_doctests(page):
    text = (_DOCS / page).read_text()
    if "from scipy" in text:
        pytest.importorskip("scipy")
        from scipy._lib._array_api import SCIPY_ARRAY_API
        if not SCIPY_ARRAY_API:
            pytest.skip("SciPy was imported without SCIPY_ARRAY_API=1")
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(_pycon_blocks(text)), {}, f"docs/{page}",
                              str(_DOCS / page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) failed in docs/{page}"
