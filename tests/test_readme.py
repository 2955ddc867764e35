"""The README's Python snippets run as written, and its table is real output (docs that run)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def namespace():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 2
    ns: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), ns)  # our own README
    return ns


@pytest.mark.slow
def test_readme_python_blocks_run(namespace):
    assert namespace["res"].n == 200_000
    assert namespace["scn3"].payee.term_names[-1] == "weariness"
    assert namespace["eq"].n_games == 100_000


@pytest.mark.slow
def test_readme_shows_the_current_summary(namespace):
    """The README's `res` is the example's run (same preset, n and seed): its table is there."""
    text = README.read_text(encoding="utf-8")
    from alliance_sim.results.glossary import format_summary

    table = format_summary(namespace["res"].summary())  # as the example prints it
    for row in table.splitlines()[2:]:  # the rows, without the header
        assert row in text, f"README table is stale; regenerate it: {row!r}"
