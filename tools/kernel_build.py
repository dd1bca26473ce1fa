"""Build helper of the Pythran kernels, run by meson.build (never installed).

A kept meson build directory (``pip install --config-settings=build-dir=build .``,
the README's quick start) only saves work if the kernels' ninja commands and
their inputs are the same from one ``pip install`` to the next. pip builds in a
new isolated environment each time (``/tmp/pip-build-env-XXXX``), so neither the
``pythran`` console script's path nor NumPy's and Pythran's header directories
may appear in a command or in a compiler's dependency list. Hence two jobs:

``python tools/kernel_build.py headers DEST``
    Mirror the C/C++ headers of NumPy and Pythran, as this interpreter imports
    them, into ``DEST/numpy`` and ``DEST/pythran``: a file is (re)written only if
    its content differs, so unchanged headers keep their modification times and
    ninja recompiles nothing, while a NumPy or Pythran of other headers makes it
    recompile exactly the kernels that include a changed file. Files that are
    gone from the source are deleted. Prints Pythran's version (meson checks it
    and puts it into the translation command).
``python tools/kernel_build.py translate PYTHRAN_VERSION INPUT OUTPUT``
    ``pythran -E INPUT -o OUTPUT`` (the ``pythran`` console script's own entry
    point, run by this interpreter), replacing OUTPUT only if the generated C++
    differs (meson's custom commands are ``restat``: an identical file compiles
    nothing). PYTHRAN_VERSION is the version the build was configured with: it
    makes the command change, so ninja re-translates, when Pythran changes, and
    is checked against the Pythran this interpreter imports.
"""
import filecmp
import os
import shutil
import sys
import tempfile

# Files of the Pythran package that are not headers (Pythran's include directory
# is its package directory, Python modules and configuration included).
_NOT_HEADERS = (".py", ".pyc", ".pyo", ".pyi", ".cfg", ".rst", ".typed")


def mirror(src, dest, skip_suffixes=()):
    """Make the directory ``dest`` hold the files of ``src`` (recursively).

    Parameters
    ----------
    src, dest : str
        Source and destination directories (``dest`` is created if needed).
    skip_suffixes : tuple of str
        File name endings not to copy (nor keep in ``dest``).

    Returns
    -------
    (int, int)
        Number of files written and deleted. A file whose bytes already match
        is left alone, modification time included.
    """
    written = deleted = 0
    wanted = set()
    for folder, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel = os.path.relpath(folder, src)
        for name in files:
            if name.endswith(skip_suffixes):
                continue
            relpath = os.path.normpath(os.path.join(rel, name))
            wanted.add(relpath)
            source, target = os.path.join(src, relpath), os.path.join(dest, relpath)
            if os.path.isfile(target) and filecmp.cmp(source, target, shallow=False):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            # copyfile, not copy2: a changed header must be newer than the objects
            # compiled from its previous content.
            tmp = target + ".tmp"
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
            written += 1
    for folder, _, files in os.walk(dest, topdown=False):
        for name in files:
            path = os.path.join(folder, name)
            if os.path.normpath(os.path.relpath(path, dest)) not in wanted:
                os.remove(path)
                deleted += 1
        if folder != dest and not os.listdir(folder):
            os.rmdir(folder)
    return written, deleted


def headers(dest):
    """The ``headers`` job (see the module docstring)."""
    try:
        import numpy
    except ImportError:
        sys.exit("kernel_build.py: NumPy is needed to build minitensor's kernels "
                 f"(not importable by {sys.executable})")
    try:
        import pythran
    except ImportError:
        sys.exit("kernel_build.py: Pythran is needed to build minitensor's kernels "
                 f"(not importable by {sys.executable}); pip installs it for an isolated "
                 "build, or install it yourself: pip install 'pythran>=0.19'")
    for name, src, skip in (("numpy", numpy.get_include(), ()),
                            ("pythran", pythran.get_include(), _NOT_HEADERS)):
        written, deleted = mirror(src, os.path.join(dest, name), skip)
        print(f"kernel_build.py: {name} {getattr(sys.modules[name], '__version__', '?')} "
              f"headers from {src}: {written} file(s) written, {deleted} deleted",
              file=sys.stderr)
    print(pythran.__version__)


def translate(version, src, out):
    """The ``translate`` job (see the module docstring)."""
    import pythran
    import pythran.run
    if pythran.__version__ != version:
        sys.exit(f"kernel_build.py: the build was configured with Pythran {version} but "
                 f"{sys.executable} imports Pythran {pythran.__version__}: reconfigure "
                 f"(pip install again)")
    # pythran names the module (PyInit_<name>) after the output file: keep its name.
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(out))) as tmp:
        fresh = os.path.join(tmp, os.path.basename(out))
        argv = sys.argv
        sys.argv = ["pythran", "-E", src, "-o", fresh]
        try:
            pythran.run.run()
        finally:
            sys.argv = argv
        if not (os.path.isfile(out) and filecmp.cmp(fresh, out, shallow=False)):
            os.replace(fresh, out)


def main(argv):
    if len(argv) == 2 and argv[0] == "headers":
        headers(argv[1])
    elif len(argv) == 4 and argv[0] == "translate":
        translate(*argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
