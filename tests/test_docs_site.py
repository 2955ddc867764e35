"""The documentation site's generated pages (docs/_ext/docgen.py) cover what they document.

The generators run without Sphinx: every scenario-file key, every command-line
subcommand and option, every summary row and output, and every public object of the
API reach a page. The how-to guides' code runs as written (slow).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
docgen = importlib.import_module("docgen")


def _models(model, seen=None):
    """Every pydantic model reachable from ``model`` through its fields."""
    seen = [] if seen is None else seen
    if model in seen:
        return seen
    seen.append(model)
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            tp = stack.pop()
            if hasattr(tp, "model_fields"):
                _models(tp, seen)
            stack.extend(typing.get_args(tp))
    return seen


def test_the_schema_page_lists_every_key_of_every_table():
    pytest.importorskip("numpydoc")  # the descriptions come from numpydoc sections
    from alliance_sim.scenarios.files import _FileModel

    text = docgen.schema_rst(_FileModel, {"_TalksModel": ["alliance_sim.scenarios.TalksCalendar"]})
    sections = re.split(r"\n\.\. _schema-", "\n" + text)
    for model in _models(_FileModel):
        anchor = model.__name__.strip("_").lower()
        (section,) = [s for s in sections if s.startswith(f"{anchor}:")]
        for name in model.model_fields:
            assert f"* - ``{name}``" in section, (model.__name__, name)
    # a described field gets its description, a required one says so
    assert "Length of a bargaining period" in text
    assert "required" in text


def test_the_names_a_file_may_use_are_listed():
    from alliance_sim.parameters.formulas import FORMULAS, formula_inputs
    from alliance_sim.parameters.laws import LAWS
    from alliance_sim.scenarios.files import DISTRIBUTIONS, TERMS

    laws = docgen.laws_rst(LAWS, DISTRIBUTIONS)
    formulas = docgen.formulas_rst(FORMULAS, formula_inputs)
    terms = docgen.terms_rst(TERMS)
    assert all(f"* - ``{d}``" in laws for d in DISTRIBUTIONS)
    assert all(f"* - ``{f}``" in formulas for f in FORMULAS)
    assert all(f".{t}`" in terms for t in TERMS)


def test_the_cli_page_lists_every_subcommand_and_option():
    from alliance_sim.cli import _parser

    parser = _parser()
    text = docgen.cli_rst(parser, prog="alliance-sim")
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert sub.choices
    for name, p in sub.choices.items():
        assert f".. _cli-{name}:" in text
        for action in p._actions:
            for option in action.option_strings or [action.dest]:
                assert f"``{option}``" in text, (name, option)


def test_the_glossary_explains_every_summary_row_and_output():
    from alliance_sim.results.glossary import explain_rows

    stats, quantiles, outputs = docgen.glossary_inputs()
    text = docgen.glossary_rst(stats, quantiles, outputs, explain_rows)
    rows = docgen.summary_rows(stats, quantiles)
    assert {q for q, _ in rows} >= {"draws", "nash_payment", "talks", "offers", "stance game"}
    for quantity in dict.fromkeys(q for q, _ in rows):
        start = text.index(f"\n{quantity}\n")
        entry = " ".join(text[start : text.index("In Python:", start)].split())
        entry = entry.replace("\\", "")  # the page escapes markup characters
        assert all(s in entry for q, s in rows if q == quantity), quantity
        # the page says what res.explain says, word for word
        for line in explain_rows(stats, quantiles, outputs, quantity).splitlines():
            words = line.strip() if line.startswith("    ") else line.partition(": ")[2]
            assert " ".join(words.split()) in entry, (quantity, line)
    listed = docgen.outputs_rst(outputs)
    assert all(f"``{name}``" in listed for name in outputs)


def test_the_api_documents_every_public_object_once():
    index = docgen.api_index("alliance_sim")
    assert index.modules[0] == "alliance_sim"
    assert not [m for m in index.modules if any(p.startswith("_") for p in m.split("."))]
    assert "alliance_sim.sweep.simulate" not in index.modules  # shadowed by the function
    pages = docgen.api_pages(index)
    for modname in index.modules:
        module = importlib.import_module(modname)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.ismodule(obj) or name.startswith("__"):
                continue
            owner = index.owner(name, obj)
            assert owner is not None, f"{modname}.{name} is documented nowhere"
            page = pages[f"{owner.rpartition('.')[0]}.rst"]
            assert re.search(
                rf"(^   |:: [\w.]*\.){re.escape(owner.rpartition('.')[2])}$", page, re.M
            )
    assert index.resolve("alliance_sim.simulate") == "alliance_sim.sweep.simulate"
    assert (
        index.resolve("alliance_sim.results.result.SimulationResult.summary")
        == "alliance_sim.results.SimulationResult.summary"
    )
    assert index.resolve("numpy.mean") is None


def test_no_markdown_page_reads_money_as_math():
    """docs/conf.py enables $-math (myst dollarmath); no page uses it, so a pair of
    dollar amounts ("$5 bn ... ₩1,123/$ (") must not turn into an equation: escape one
    of them as \\$."""
    markdown_it = pytest.importorskip("markdown_it")
    dollarmath = pytest.importorskip("mdit_py_plugins.dollarmath")
    md = markdown_it.MarkdownIt("commonmark").enable("table")
    md.use(dollarmath.dollarmath_plugin, allow_space=False, allow_digits=False)
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        if "_build" in page.parts:
            continue
        stack = md.parse(page.read_text(encoding="utf-8"))
        while stack:
            token = stack.pop()
            if token.type.startswith("math"):
                found.append(f"{page.relative_to(DOCS)}: ${token.content}$")
            stack.extend(token.children or [])
    assert not found, found


@pytest.mark.slow
@pytest.mark.parametrize(
    "page",
    [p for p in sorted((DOCS / "howto").glob("*.md")) if "```python" in p.read_text("utf-8")],
    ids=lambda p: p.stem,
)
def test_the_how_to_code_runs(page, tmp_path):
    """The Python blocks of a how-to guide, run in order as one script in a new folder."""
    blocks = re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)
    if not blocks:
        pytest.skip("no Python code")
    if "distributed" in "".join(blocks):
        pytest.importorskip("distributed")
    if "hypothesis" in "".join(blocks):
        pytest.importorskip("hypothesis")
    script = tmp_path / "page.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
