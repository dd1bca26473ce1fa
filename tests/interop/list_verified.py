"""List the SciPy and scikit-learn names verified with minitensor inputs.

Runs tests/interop (in this process) and prints, as Markdown, every public name
whose tests all passed, grouped by module, with counts; names with a failing
test are listed separately. pytest's own output goes to stderr. The list in
docs/interop.md is this script's output; ``--write`` replaces it there (between
the ``verified-list`` markers):

    python tests/interop/list_verified.py > /tmp/verified.md
    python tests/interop/list_verified.py --write docs/interop.md

Other arguments go to pytest (e.g. ``-x``, ``-k scipy``).
"""
import collections
import contextlib
import io
import os
import re
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


class _Collector:
    def __init__(self):
        self.outcomes = collections.defaultdict(list)  # name -> ["passed", ...]

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            for key, value in report.user_properties:
                if key == "verified":
                    self.outcomes[value].append(report.outcome)


def _group(name):
    parts = name.split(".")
    if parts[0] == "scipy":
        return ".".join(parts[:2]) if parts[1] not in ("cluster", "signal") or \
            len(parts) < 4 else ".".join(parts[:3])
    if parts[-1][:1].isupper():
        return "scikit-learn estimators and transformers"
    if parts[1] == "metrics":
        return "scikit-learn metrics and pairwise functions"
    return "scikit-learn tools"


def main(argv):
    target = None
    if "--write" in argv:
        i = argv.index("--write")
        target, argv = argv[i + 1], argv[:i] + argv[i + 2:]
    col = _Collector()
    with contextlib.redirect_stdout(sys.stderr):
        code = pytest.main([HERE, "-q", "-p", "no:cacheprovider", "--no-header", *argv],
                           plugins=[col])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_list(col)
    text = out.getvalue()
    if target is None:
        sys.stdout.write(text)
    else:
        with open(target, encoding="utf-8") as f:
            doc = f.read()
        new, n = re.subn(r"(<!-- verified-list-start -->\n).*?(<!-- verified-list-end -->)",
                         lambda m: m.group(1) + text + m.group(2), doc, flags=re.S)
        if n != 1:
            raise SystemExit(f"{target}: no verified-list markers")
        with open(target, "w", encoding="utf-8") as f:
            f.write(new)
    return code


def _print_list(col):
    ok = {n for n, outs in col.outcomes.items() if outs and all(o != "failed" for o in outs)
          and "passed" in outs}
    bad = sorted(n for n, outs in col.outcomes.items() if "failed" in outs)
    groups = collections.defaultdict(list)
    for n in ok:
        groups[_group(n)].append(n)
    order = sorted(groups, key=lambda g: (not g.startswith("scipy"), g))
    n_scipy = sum(len(v) for g, v in groups.items() if g.startswith("scipy"))
    print(f"Verified: {len(ok)} names ({n_scipy} SciPy, {len(ok) - n_scipy} scikit-learn); "
          f"{len(bad)} with a failing test.\n")
    for g in order:
        names = sorted(groups[g])
        short = [n.rsplit(".", 1)[-1] if g.startswith("scipy") else n.replace("sklearn.", "")
                 for n in names]
        print(f"- **{g}** ({len(names)}): " + ", ".join(f"`{s}`" for s in short))
    if bad:
        print("\nFailing:\n")
        for n in bad:
            print(f"- `{n}`")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
