# Sphinx configuration of the minitensor documentation.
#
# Build (warnings are errors, as in CI):
#     pip install ".[docs]"
#     python -m sphinx -W -b html docs docs/_build
#
# The API pages import the installed package (autodoc/autosummary): build from
# an environment where ``import minitensor`` loads the compiled kernels.
import os

import minitensor

project = "minitensor"
author = "the minitensor developers"
copyright = "2026, the minitensor developers"
release = minitensor.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# API stubs are generated at build time into api/generated/ (not committed).
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"

# numpydoc: the class pages list their members themselves (see the templates),
# so numpydoc does not add its own autosummary tables of members.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Markdown pages (docs/interop.md, the benchmark tables): MyST.
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
}
# The build must not depend on the network (CI runs it with -W): intersphinx
# is only used when MINITENSOR_DOCS_INTERSPHINX=1.
if os.environ.get("MINITENSOR_DOCS_INTERSPHINX", "0") != "1":
    extensions.remove("sphinx.ext.intersphinx")
    del intersphinx_mapping

html_theme = "alabaster"
html_title = f"minitensor {release}"
html_static_path = []
html_theme_options = {
    "description": "An Array API tensor library with Pythran kernels, autograd, nn and optim",
    "fixed_sidebar": True,
}
