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
