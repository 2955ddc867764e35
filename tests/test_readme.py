"""The README's Python snippets run as written (docs that run)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 2
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # our own README
    res = namespace["res"]
    assert res.n == 200_000
    assert namespace["scn3"].payee.term_names[-1] == "weariness"


def test_readme_shows_the_current_summary():
    """The table in the README is real output of the example with its default seed."""
    import alliance_sim as asim

    text = README.read_text(encoding="utf-8")
    res = asim.simulate(asim.scenarios.japan_us_2020(), n=200_000, seed=7)
    table = res.summary().to_string(float_format=lambda v: f"{v:,.3f}")
    body = table.splitlines()[2:]  # the rows, without the header
    for row in body:
        assert row in text, f"README table is stale; regenerate it: {row!r}"
