"""Sphinx configuration of the alliance_sim documentation.

Build (warnings are errors, as in CI):

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import alliance_sim  # noqa: E402

project = "alliance_sim"
author = "alliance_sim developers"
copyright = "alliance_sim developers"
release = version = alliance_sim.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "alliance_sim_docs",  # docs/_ext: API pages, scenario-file schema, CLI, glossary
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_ext",
    "_templates",
    "tutorials",  # sphinx-gallery's sources; the pages are in auto_tutorials/
    "**/GALLERY_HEADER.rst",
    "**.ipynb_checkpoints",
]

# --- MyST: the Markdown pages -----------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
# `$8 bn ... $4 bn` is money, not math: a $ followed or preceded by a space, or followed
# by a digit, does not open or close inline math.
myst_dmath_allow_space = False
myst_dmath_allow_digits = False
# Heading anchors as on GitHub, so `[§6.3](talks.md#63-the-talks-of-2020-gamestalks)`
# works in both places.
myst_heading_anchors = 3

# --- API reference: autodoc, autosummary, numpydoc ----------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_typehints = "none"  # the numpydoc sections give the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False  # the class template lists the members
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# Where the generated module pages go (docs/_ext/alliance_sim_docs.py), and which
# classes describe the fields of the scenario file's tables (a field's own pydantic
# `description` comes first).
alliance_api_root = "alliance_sim"
alliance_api_dir = "reference/api"
alliance_schema_sources = {
    "_HeaderModel": ["alliance_sim.scenarios.Scenario"],
    "_ParameterModel": ["alliance_sim.parameters.Parameter", "alliance_sim.parameters.Derived"],
    "_PlayerModel": ["alliance_sim.players.Player"],
    "_ElectionModel": ["alliance_sim.players.ElectionTiming"],
    "_TalksModel": ["alliance_sim.scenarios.TalksCalendar"],
}

# --- sphinx-gallery: the tutorial and the examples, executed ------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["tutorials", "../examples"],
    "gallery_dirs": ["auto_tutorials", "auto_examples"],
    "filename_pattern": r"\.py$",  # execute every script (about a minute in all)
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "backreferences_dir": None,
    "show_memory": False,
    "min_reported_time": 1,
}

# --- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"alliance_sim {release}"
html_theme_options = {
    "navigation_depth": 3,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
