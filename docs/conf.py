"""Sphinx configuration of skalocc's documentation.

Build the HTML (warnings are errors) with::

    pip install ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery (``examples/plot_*.py``) runs during the build and writes its
pages to ``docs/auto_examples``; the API pages are generated into
``docs/generated``. Both are build outputs, ignored by git.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document the checkout, also when not installed

import skalocc  # noqa: E402

project = "skalocc"
author = "The skalocc developers"
copyright = "The skalocc developers"
release = skalocc.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb"]
templates_path = ["_templates"]

# Markdown pages (benchmarks, reliability, changelog): GitHub-style tables,
# "$...$" math and anchors for headings, as on the repository's web view.
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
# benchmarks.md keeps the prose; every results table in it is included
# ({include} directives) from benchmarks/results/**/*.md, which the benchmark
# scripts write and nobody edits by hand.

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# No network at build time: intersphinx inventories are not fetched.
intersphinx_mapping: dict = {}

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "reference_url": {"skalocc": None},
    "doc_module": ("skalocc",),
    "backreferences_dir": "generated/backreferences",
    "matplotlib_animations": False,
    "plot_gallery": "True",
    "show_memory": False,
    "abort_on_example_error": False,
    # Two examples at a time: a small fit is mostly single-threaded Python
    # (tracing), so CI's two cores run the gallery in about half the time.
    "parallel": 2,
}

html_theme = "pydata_sphinx_theme"
html_title = f"skalocc {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
html_show_sourcelink = False

# TensorFlow's C++ start-up messages do not belong in the gallery's output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
