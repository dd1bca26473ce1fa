"""The import graph of the ``minitensor`` package, from its source (AST scan).

Run: ``python tools/import_graph.py [--lazy]`` prints, per module, the package
modules it imports at module level (``->``) and, with ``--lazy``, inside
functions (``..>``), then the upward edges (from the core into ``autograd/``,
``nn/``, ``optim/``, ``utils/``) and the cycles. ``tests/test_boundary.py`` uses
it to check that the core imports no layer at module level and that there is
no cycle.

Edges: ``import a.b`` / ``from a.b import c`` give an edge to ``a.b`` (and to
``a.b.c`` when that is a module), plus edges to the packages above ``a.b``
(their ``__init__`` runs first) except the root package ``minitensor`` (which
every submodule import runs; the namespace facade) and the importer's own
packages. Class bodies count as module level (they run at import).
"""
import ast
import os
import sys

ROOT_PACKAGE = "minitensor"
# the optional layers above the core (the namespace)
LAYERS = ("minitensor.autograd", "minitensor.nn", "minitensor.optim", "minitensor.utils",
          "minitensor.torch", "minitensor.examples")
# the lazy (function-level) edges that close a cycle, on purpose: the core's one
# upward edge (Tensor.requires_grad_ / the Tensor.grad setter) and
# _GradTensor.backward calling the engine
SANCTIONED = {("minitensor._array_object", "minitensor.autograd"),
              ("minitensor._array_object", "minitensor.autograd._tensor"),
              ("minitensor.autograd._tensor", "minitensor.autograd._engine")}


def _modules(package_dir):
    """{module name: file path} for the .py files of the package."""
    base = os.path.dirname(os.path.abspath(package_dir))
    out = {}
    for dirpath, dirnames, filenames in os.walk(package_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__"))
                             and os.path.exists(os.path.join(dirpath, d, "__init__.py")))
        for fn in sorted(filenames):
            if not fn.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, fn), base)[:-3].split(os.sep)
            if rel[-1] == "__init__":
                rel = rel[:-1]
            out[".".join(rel)] = os.path.join(dirpath, fn)
    return out


def _is_package(mods, name):
    return mods.get(name, "").endswith("__init__.py")


def _resolve(mods, importer, node):
    """The package modules an import statement imports."""
    targets = []
    if isinstance(node, ast.Import):
        targets = [a.name for a in node.names
                   if a.name == ROOT_PACKAGE or a.name.startswith(ROOT_PACKAGE + ".")]
    else:
        if node.level:
            pkg = importer if _is_package(mods, importer) else importer.rpartition(".")[0]
            for _ in range(node.level - 1):
                pkg = pkg.rpartition(".")[0]
            base = pkg + ("." + node.module if node.module else "")
        else:
            base = node.module or ""
            if not (base == ROOT_PACKAGE or base.startswith(ROOT_PACKAGE + ".")):
                return []
        subs = [base + "." + a.name for a in node.names if base + "." + a.name in mods]
        if len(subs) < len(node.names):  # some names are attributes of ``base``
            targets.append(base)
        targets += subs
    out = []
    for t in targets:
        while t and t not in mods:  # an attribute path: the module that holds it
            t = t.rpartition(".")[0]
        if not t:
            continue
        parts = t.split(".")
        for i in range(2, len(parts)):  # the packages above t (their __init__ runs first)
            p = ".".join(parts[:i])
            if not (importer == p or importer.startswith(p + ".")):
                out.append(p)
        out.append(t)
    return [t for t in dict.fromkeys(out) if t != importer]


class _Scan(ast.NodeVisitor):
    def __init__(self, mods, name):
        self.mods, self.name = mods, name
        self.depth = 0  # > 0 inside a function
        self.edges = []

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def _imp(self, node):
        level = "lazy" if self.depth else "module"
        for t in _resolve(self.mods, self.name, node):
            self.edges.append((t, level))

    visit_Import = _imp
    visit_ImportFrom = _imp


def module_imports(package_dir):
    """{module: [(imported module, "module" | "lazy"), ...]}."""
    mods = _modules(package_dir)
    graph = {}
    for name, path in mods.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        s = _Scan(mods, name)
        s.visit(tree)
        graph[name] = list(dict.fromkeys(s.edges))
    return graph


def _in_layer(name):
    return any(name == p or name.startswith(p + ".") for p in LAYERS)


def upward_edges(graph):
    """(importer, imported, level) for imports from the core into a layer."""
    return [(a, b, lvl) for a, edges in graph.items() if not _in_layer(a) and a != ROOT_PACKAGE
            for b, lvl in edges if _in_layer(b)]


def cycles(graph, level="module", ignore=()):
    """The strongly connected components with more than one module (or a self
    edge) of the graph restricted to ``level`` edges ("module" or "any"), without
    the edges in ``ignore`` (pairs) and the edges from a module to a package
    that contains it."""
    # A submodule's import from its own package (``from . import rule`` in
    # autograd/_rules/elementwise.py) imports nothing: the package's __init__
    # is already running when its submodules are imported. Not a cycle.
    adj = {a: [b for b, lvl in edges if (level == "any" or lvl == "module")
               and (a, b) not in ignore and b in graph and not a.startswith(b + ".")]
           for a, edges in graph.items()}
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def strong(v):  # Tarjan (recursive: the graph is small)
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in adj[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in adj[v]:
                out.append(sorted(comp))

    for v in sorted(adj):
        if v not in index:
            strong(v)
    return sorted(out)


def main(argv):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    graph = module_imports(os.path.join(here, ROOT_PACKAGE))
    lazy = "--lazy" in argv
    short = lambda m: m[len(ROOT_PACKAGE) + 1:] or ROOT_PACKAGE  # noqa: E731
    for a in sorted(graph):
        mod = [short(b) for b, lvl in graph[a] if lvl == "module"]
        lz = [short(b) for b, lvl in graph[a] if lvl == "lazy"]
        line = f"{short(a):34} -> {', '.join(mod) or '-'}"
        if lazy and lz:
            line += f"\n{'':34} ..> {', '.join(lz)}"
        print(line)
    print("\nupward edges (core -> autograd/nn/optim/utils/examples):")
    for a, b, lvl in upward_edges(graph) or [("-", "-", "-")]:
        print(f"  {short(a)} {'->' if lvl == 'module' else '..>'} {short(b)} ({lvl})")
    print(f"\ncycles, module level: {cycles(graph) or 'none'}")
    print(f"cycles, module + lazy edges without the sanctioned lazy edges "
          f"{sorted((short(a), short(b)) for a, b in SANCTIONED)}: "
          f"{cycles(graph, 'any', SANCTIONED) or 'none'}")


if __name__ == "__main__":
    main(sys.argv[1:])
