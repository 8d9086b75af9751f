"""Sphinx configuration of the course site (one build per language, see ``build.py``).

``build.py`` writes the sources of one language into a staging folder and runs Sphinx on it with
this folder as the configuration directory and ``CLIENTLIB_SITE_LANG`` set to ``en`` or ``ru``.
Everything the pages load ships in the build: no intersphinx, no web fonts, no scripts from a
CDN (myst-nb's ipywidgets loader is switched off; a widget shows its saved text instead).
"""

from __future__ import annotations

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # site_slug, for MyST

SITE_LANG = os.environ.get("CLIENTLIB_SITE_LANG", "en")
OTHER_LANG = {"en": "ru", "ru": "en"}[SITE_LANG]
# The switch link names the other language in that language.
SWITCH_TEXT = {"en": "English version", "ru": "Русская версия"}

project = {"en": "clientlib course", "ru": "Курс clientlib"}[SITE_LANG]
author = "clientlib"
copyright = "clientlib authors, MIT licence"  # noqa: A001 (Sphinx's name)
language = SITE_LANG
root_doc = "index"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "numpydoc",
]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["site.css"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# Lessons are shown with the outputs committed in the repository: never executed here.
nb_execution_mode = "off"
nb_ipywidgets_js: dict = {}  # the default pulls require.js and the widget manager from a CDN
# ... and a widget's live view needs that script: show the text it saved instead.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_merge_streams = True
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
# Readable anchors for Russian headings too («Упражнения» -> #uprazhneniia), not #id7.
myst_heading_slug_func = "site_slug.slug"
# furo's words in the page's language: build.py compiles them into this folder (sphinx.mo).
if os.environ.get("CLIENTLIB_SITE_LOCALE"):
    locale_dirs = [os.environ["CLIENTLIB_SITE_LOCALE"]]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# Names the lazy clientlib.frameworks package imports only for type checking: one target each.
autodoc_type_aliases = {
    "Rulebook": "clientlib.frameworks.rulebook.Rulebook",
    "RulebookFramework": "clientlib.frameworks.rulebook.RulebookFramework",
    "Framework": "clientlib.frameworks.base.Framework",
}
autodoc_default_options = {"members": True, "show-inheritance": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set = set()

html_theme = "furo"
html_title = project
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_permalinks_icon = "#"
# A non-empty announcement makes furo render the block that _templates/page.html fills with
# the language switch (furo only shows that block when the option is set).
html_theme_options = {"announcement": SWITCH_TEXT[OTHER_LANG]}
html_context = {"site_lang": SITE_LANG, "other_lang": OTHER_LANG,
                "switch_text": SWITCH_TEXT[OTHER_LANG]}

suppress_warnings = ["myst.header"]
# Labels, rules and printed lines appear exactly as the rulebooks and notebooks write them.
smartquotes = False


def _switch_href(pagename: str) -> str:
    """Relative URL of the same page in the other language (``en/`` and ``ru/`` are siblings)."""
    return "../" * (pagename.count("/") + 1) + f"{OTHER_LANG}/{pagename}.html"


def _skip_member(app, what, name, obj, skip, options):  # noqa: ARG001
    # scikit-learn generates set_*_request methods on every estimator (metadata routing);
    # their docstrings point into sklearn's own docs, which this site does not hold.
    if re.fullmatch(r"set_\w+_request", name):
        return True
    return None


def _page_context(app, pagename, templatename, context, doctree):  # noqa: ARG001
    context["lang_switch_href"] = _switch_href(pagename)


def _readable_ids(app, doctree):  # noqa: ARG001
    # docutils names a Cyrillic heading's section "id7"; MyST adds the readable slug as a second
    # id. Put the slug first: the page's own links, its table of contents and the "#" beside
    # each heading then use it, and "#id7" still resolves.
    from docutils import nodes

    for section in doctree.findall(nodes.section):
        ids = section["ids"]
        readable = [i for i in ids if not re.fullmatch(r"id\d+", i)]
        if readable and ids and re.fullmatch(r"id\d+", ids[0]):
            section["ids"] = readable + [i for i in ids if i not in readable]


def setup(app):
    # before Sphinx's table-of-contents collector (priority 500) reads the section ids
    app.connect("doctree-read", _readable_ids, priority=400)
    app.connect("html-page-context", _page_context)
    app.connect("autodoc-skip-member", _skip_member)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

