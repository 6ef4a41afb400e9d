"""Sphinx configuration: the API reference from the docstrings, plus the Markdown guides.

Build (offline; warnings are errors in CI): ``python -m sphinx -W -b html docs docs/_build/html``.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

from qiskit_rest_provider import __version__  # noqa: E402

project = "qiskit-rest-provider"
author = "qiskit-rest-provider contributors"
copyright = "qiskit-rest-provider contributors"  # noqa: A001 - Sphinx's name
release = version = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "img/*.md"]

# Google-style docstrings (the house style), type hints in the descriptions.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}

# The guides link to files outside docs/ (README, examples/, tests/) as plain paths; those
# links work on the repository host, not in the built site, and are not errors.
myst_heading_anchors = 3
suppress_warnings = ["myst.xref_missing", "myst.header"]

html_theme = "alabaster"
html_title = f"qiskit-rest-provider {release}"
