"""Line numbers of the keys of a TOML document, for error messages.

:mod:`tomllib` returns plain dicts without positions, so a scenario file's errors would
name a key path (``parameters.S_J.distribution``) but no line. :func:`key_lines` scans
the text once for table headers (``[a.b]``, ``[[a.b]]`` with their running index) and
``key = value`` lines, and maps every key path it finds to the line that defines it. It
reads only what those lines need (dotted and quoted keys, comments, multi-line strings
and arrays) and never decides whether the document is valid: :mod:`tomllib` does that.
A path inside an inline table (``distribution = {law = "uniform", low = 1.0}``) is found
by its longest prefix, the line of ``distribution``.
"""

from __future__ import annotations

import re
import tomllib

__all__ = ["key_lines", "line_of"]

# A key: bare (A-Za-z0-9_-), or a basic ("...") or literal ('...') string.
_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def _parts(dotted: str) -> tuple[str, ...]:
    out = []
    for token in _PART.findall(dotted):
        if token[0] in "\"'":
            try:
                token = tomllib.loads(f"k = {token}")["k"]
            except tomllib.TOMLDecodeError:
                token = token[1:-1]
        out.append(token)
    return tuple(out)


def key_lines(text: str) -> dict[tuple[str | int, ...], int]:
    r"""Map each key path of a TOML document to its 1-based line number.

    Array-of-tables entries get their index: the second ``[[players.payer.terms]]`` is
    ``("players", "payer", "terms", 1)``.

    Examples
    --------
    >>> lines = key_lines('[a]\nx = 1\n[[a.t]]\ny = 2\n[[a.t]]\ny = 3\n')
    >>> lines[("a", "x")], lines[("a", "t", 1, "y")]
    (2, 6)
    """
    found: dict[tuple[str | int, ...], int] = {}
    counts: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    depth = 0  # open brackets of a multi-line array or inline table
    in_string: str | None = None  # the delimiter of an open multi-line string
    for number, line in enumerate(text.split("\n"), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        if depth == 0:
            header = _HEADER.match(line)
            if header:
                name = _parts(header[2])
                if header[1] == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                    table = (*name, index)
                else:
                    table = name
                found.setdefault(table, number)
                continue
            assign = _ASSIGN.match(line)
            if assign:
                found.setdefault((*table, *_parts(assign[1])), number)
                line = line[assign.end() :]
        for delim in ('"""', "'''"):
            if line.count(delim) % 2 == 1:
                in_string = delim
                break
        if in_string is None:
            code = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", line).split("#", 1)[0]
            depth = max(0, depth + code.count("[") + code.count("{"))
            depth = max(0, depth - code.count("]") - code.count("}"))
    return found


def line_of(lines: dict[tuple[str | int, ...], int], path: tuple[str | int, ...]) -> int | None:
    """The line of ``path`` or of its longest prefix that has one; None if none has."""
    for k in range(len(path), 0, -1):
        if path[:k] in lines:
            return lines[path[:k]]
    return None
