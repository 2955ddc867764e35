"""Reference pages generated from the code: API pages, scenario-file schema, CLI, glossary.

Every function here returns reStructuredText and imports nothing from Sphinx, so the
tests (``tests/test_docs_site.py``) run them without Sphinx installed. The Sphinx glue
(directives, events) is in ``alliance_sim_docs.py`` next to this file.
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib
import inspect
import math
import pkgutil
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApiIndex",
    "api_index",
    "api_pages",
    "cli_rst",
    "formulas_rst",
    "glossary_inputs",
    "glossary_rst",
    "laws_rst",
    "outputs_rst",
    "schema_rst",
    "summary_rows",
    "terms_rst",
]


# --- helpers ----------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]], widths: str | None = None) -> list[str]:
    """An RST ``list-table`` (cells may hold inline markup, not newlines)."""
    out = [".. list-table::", "   :header-rows: 1"]
    if widths:
        out.append(f"   :widths: {widths}")
    out.append("")
    for row in [header, *rows]:
        for i, cell in enumerate(row):
            text = " ".join(str(cell).split()) or "\\"  # an empty cell needs content
            out.append(f"   {'* -' if i == 0 else '  -'} {text}")
    out.append("")
    return out


def _literal(text: str) -> str:
    """Inline literal that survives any content (backticks, trailing spaces)."""
    text = " ".join(text.split())
    if not text:
        return "\\"
    return f":literal:`{_escape_role(text)}`"


def _escape_role(text: str) -> str:
    return text.replace("\\", "\\\\").replace("`", "\\`")


def _escape(text: str) -> str:
    """Plain text in RST: no markup interpreted (``*``, backticks, ``|`` ...)."""
    out = []
    for ch in text:
        if ch in "\\`*_|[]<>":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _heading(text: str, char: str) -> list[str]:
    return [text, char * max(len(text), 3), ""]


# --- API pages --------------------------------------------------------------------------------


@dataclass
class ApiIndex:
    """The public modules of a package and where each public object is documented.

    Attributes
    ----------
    modules : list of str
        Public modules (no ``_`` in any part of the name), in walk order, the root
        first. A module shadowed by an attribute of its package (``sweep.simulate``
        is the function) is left out: it cannot be reached by its dotted name.
    members : dict of str to list of (str, object)
        ``__all__`` of each module, as (name, object).
    canonical : dict of tuple to str
        Full documented name of each object, by :func:`_identity`: the shallowest
        public module (the root excepted) that lists it in ``__all__``.
    """

    root: str
    modules: list[str] = field(default_factory=list)
    members: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    canonical: dict[tuple[Any, ...], str] = field(default_factory=dict)

    def owner(self, name: str, obj: Any) -> str | None:
        """Full documented name of ``obj`` (exported as ``name``), if documented."""
        return self.canonical.get(_identity(name, obj))

    def resolve(self, target: str) -> str | None:
        """The documented name of a dotted path that reaches a documented object.

        ``alliance_sim.simulate`` → ``alliance_sim.sweep.simulate``;
        ``alliance_sim.results.result.SimulationResult.summary`` →
        ``alliance_sim.results.SimulationResult.summary``. None if the path does not
        import or reaches nothing documented.
        """
        parts = target.split(".")
        if parts[0] != self.root:
            return None
        objs: list[Any] = []
        obj: Any = None
        for i, part in enumerate(parts):
            try:
                if i == 0:
                    obj = importlib.import_module(part)
                else:
                    try:
                        obj = getattr(obj, part)
                    except AttributeError:
                        obj = importlib.import_module(".".join(parts[: i + 1]))
            except Exception:  # any failure means "not ours"
                break
            objs.append(obj)
        for i in range(len(objs), 0, -1):
            o = objs[i - 1]
            if inspect.ismodule(o):
                if o.__name__ in self.modules:
                    return ".".join([o.__name__, *parts[i:]])
                continue
            owner = self.owner(parts[i - 1], o)
            if owner is not None:
                return ".".join([owner, *parts[i:]])
        return None


def _is_alias(obj: Any) -> bool:
    """A type alias (``Callable[...]``, ``Literal[...]``): documented as data."""
    return typing.get_origin(obj) is not None


def _kind(obj: Any) -> str:
    """``module``, ``class``, ``exception``, ``function`` or ``data``."""
    if inspect.ismodule(obj):
        return "module"
    if _is_alias(obj):
        return "data"
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return "data"


def _identity(name: str, obj: Any) -> tuple[Any, ...]:
    """Key of one exported object; data by name too (small ints and strings are shared)."""
    if _kind(obj) == "data":
        return ("data", name, id(obj))
    return ("code", id(obj))


def _walk(package: types.ModuleType) -> Iterator[types.ModuleType]:
    yield package
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        full = f"{package.__name__}.{info.name}"
        module = importlib.import_module(full)
        if getattr(package, info.name, None) is not module:
            continue  # shadowed by a function or class of the same name
        if info.ispkg:
            yield from _walk(module)
        else:
            yield module


def api_index(root: str = "alliance_sim") -> ApiIndex:
    """Walk the public modules of ``root`` and choose where each object is documented."""
    index = ApiIndex(root)
    package = importlib.import_module(root)
    for module in _walk(package):
        names = list(getattr(module, "__all__", ()))
        members = [(n, getattr(module, n)) for n in names if not n.startswith("__")]
        index.modules.append(module.__name__)
        index.members[module.__name__] = members
    # Shallowest first; the root only lists shortcuts into its subpackages. Data is
    # documented where it is assigned: its doc comment (``#:``) is there.
    order = sorted(index.modules[1:], key=lambda m: (m.count("."), index.modules.index(m)))
    for data_pass in (True, False):
        for modname in order:
            for name, obj in index.members[modname]:
                if inspect.ismodule(obj):
                    continue
                if data_pass and not (_kind(obj) == "data" and _assigns(modname, name)):
                    continue
                index.canonical.setdefault(_identity(name, obj), f"{modname}.{name}")
    return index


@functools.cache
def _assignments(modname: str) -> dict[str, bool]:
    """Names a module assigns at its top level, and whether each has a doc comment.

    A doc comment is what autodoc reads: ``#:`` lines just above the assignment, a
    ``#:`` comment on its line, or a string just below it.
    """
    try:
        source = inspect.getsource(importlib.import_module(modname))
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    body = ast.parse(source).body
    out: dict[str, bool] = {}
    for i, node in enumerate(body):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        names = []
        for target in targets:
            elts = target.elts if isinstance(target, ast.Tuple) else [target]
            names += [e.id for e in elts if isinstance(e, ast.Name)]
        above = node.lineno >= 2 and lines[node.lineno - 2].lstrip().startswith("#:")
        inline = "#:" in lines[node.lineno - 1]
        after = body[i + 1] if i + 1 < len(body) else None
        below = (
            isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        )
        for name in names:
            out[name] = above or inline or below
    return out


def _assigns(modname: str, name: str) -> bool:
    return name in _assignments(modname)


def _attr_documented(modname: str, name: str) -> bool:
    return _assignments(modname).get(name, False)


def _first_line(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


_SECTIONS = (
    ("class", "Classes"),
    ("function", "Functions"),
    ("exception", "Exceptions"),
    ("data", "Constants"),
)


def api_module_rst(index: ApiIndex, modname: str, toctree: str = "generated") -> str:
    """The page of one module: its docstring, its objects, its submodules."""
    module = importlib.import_module(modname)
    lines = _heading(f"``{modname}``", "=")
    lines += [f".. automodule:: {modname}", "   :no-members:", ""]
    own: dict[str, list[str]] = {k: [] for k, _ in _SECTIONS}
    elsewhere: list[str] = []
    for name, obj in index.members[modname]:
        if inspect.ismodule(obj):
            continue  # listed under "Submodules"
        owner = index.owner(name, obj)
        if owner == f"{modname}.{name}":
            own[_kind(obj)].append(name)
        elif owner is not None:
            elsewhere.append(owner)

    def here(full: str) -> str:  # autosummary wants names relative to the current module
        return full.removeprefix(modname + ".")

    for kind, title in _SECTIONS:
        if not own[kind]:
            continue
        lines += _heading(title, "-")
        if kind == "data":  # on this page (autodoc would give an int its type's docstring)
            for n in own[kind]:
                value = getattr(module, n)
                if _attr_documented(modname, n):
                    lines += [f".. autodata:: {modname}.{n}"]
                    if len(repr(value)) > 120:
                        lines += ["   :no-value:"]
                else:
                    lines += [f".. py:data:: {modname}.{n}"]
                    if len(repr(value)) <= 120:
                        lines += [f"   :value: {value!r}"]
                lines += [""]
        else:
            lines += [".. autosummary::", f"   :toctree: {toctree}", ""]
            lines += [f"   {n}" for n in own[kind]] + [""]
    if elsewhere:
        lines += _heading("Also exported here", "-")
        lines += ["Documented where users import them from:", ""]
        lines += [".. autosummary::", ""] + [f"   {here(o)}" for o in elsewhere] + [""]
    children = [m for m in index.modules if m.startswith(modname + ".") and "." not in here(m)]
    if children:
        lines += _heading("Submodules", "-")
        lines += [".. autosummary::", ""] + [f"   {here(m)}" for m in children] + [""]
    return "\n".join(lines)


def api_pages(index: ApiIndex, toctree: str = "generated") -> dict[str, str]:
    """``{file name: RST}`` for every public module and the index page of the API."""
    pages = {f"{m}.rst": api_module_rst(index, m, toctree) for m in index.modules}
    lines = _heading("API reference", "=")
    lines += [
        "Every public module of the package, generated from the docstrings. An object",
        "re-exported by several modules is documented once, where users import it from",
        f"(usually the subpackage: ``{index.root}.sweep.simulate``, shown at the top level as",
        f"``{index.root}.simulate``).",
        "",
        ".. autosummary::",
        "",
    ]
    lines += [f"   {m}" for m in index.modules] + [""]
    lines += [".. toctree::", "   :hidden:", ""] + [f"   {m}" for m in index.modules] + [""]
    pages["index.rst"] = "\n".join(lines)
    return pages


# --- scenario-file schema ---------------------------------------------------------------------

_TOML_TYPES = {float: "number", int: "integer", str: "string", bool: "boolean"}


def _type_text(tp: Any) -> str:
    """A field's type in TOML words: ``number``, ``array of string``, ``"a" | "b"``."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        base, *meta = args
        for m in meta:  # a PlainValidator names its accepted types by its base
            if type(m).__name__ == "PlainValidator":
                return _type_text(base)
        return _type_text(base)
    if tp in _TOML_TYPES:
        return _TOML_TYPES[tp]
    if tp is type(None):
        return "absent"
    if tp is Any:
        return "any"
    if origin is typing.Literal:
        return " | ".join(f'"{a}"' if isinstance(a, str) else repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = list(dict.fromkeys(_type_text(a) for a in args if a is not type(None)))
        if "number" in parts and "integer" in parts:
            parts.remove("integer")  # an integer is a number
        return " or ".join(parts)
    if origin in (list, tuple) and args and args[-1] is not Ellipsis and origin is tuple:
        return "array [" + ", ".join(_type_text(a) for a in args) + "]"
    if origin in (list, tuple):
        if args and _is_model(args[0]):
            return "array of tables"
        return f"array of {_type_text(args[0])}" if args else "array"
    if origin is dict:
        if args and _is_model(args[1]):
            return "tables, one per name"
        return f"table of {_type_text(args[1])}" if args else "table"
    if inspect.isclass(tp) and _is_model(tp):
        return "table"
    return getattr(tp, "__name__", str(tp))


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    return repr(v)


def _is_model(tp: Any) -> bool:
    return inspect.isclass(tp) and hasattr(tp, "model_fields") and hasattr(tp, "model_config")


def _nested(tp: Any) -> tuple[str, Any] | None:
    """``(shape, model)`` if a field holds sub-tables: ``table``, ``dict``, ``list``."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if _is_model(tp):
        return ("table", tp)
    if origin in (typing.Union, types.UnionType):
        for a in args:
            found = _nested(a)
            if found:
                return found
    if origin is dict and len(args) == 2 and _is_model(args[1]):
        return ("dict", args[1])
    if origin is list and args and _is_model(args[0]):
        return ("list", args[0])
    return None


def _numpydoc_parameters(path: str) -> dict[str, str]:
    """``{name: description}`` from the Parameters section of a class's docstring."""
    from numpydoc.docscrape import NumpyDocString

    module, _, name = path.rpartition(".")
    obj = getattr(importlib.import_module(module), name)
    doc = NumpyDocString(inspect.getdoc(obj) or "")
    out: dict[str, str] = {}
    for p in doc["Parameters"]:
        for n in p.name.split(","):
            out.setdefault(n.strip(), " ".join(p.desc))
    return out


def _default(info: Any) -> tuple[bool, str]:
    """``(required, default shown)`` of a pydantic ``FieldInfo``."""
    if info.is_required():
        return True, "required"
    if info.default_factory is not None:
        value = info.default_factory()
        if _is_model(type(value)):
            return False, "its keys' defaults"
        return False, _literal(_toml_value(value))
    if info.default is None:
        return False, "absent"
    return False, _literal(_toml_value(info.default))


def _model_tables(
    model: Any, keys: list[str], sources: dict[str, list[str]]
) -> Iterator[tuple[list[str], Any, list[str]]]:
    """``(TOML keys, model, description sources)`` for ``model`` and every sub-table.

    Fields of one model that hold the same sub-model (``players.payer`` and
    ``players.payee``) share one entry, with both keys.
    """
    yield keys, model, sources.get(model.__name__, [])
    groups: dict[Any, list[str]] = {}
    for name, info in model.model_fields.items():
        found = _nested(info.annotation)
        if found is None:
            continue
        shape, sub = found
        for key in keys:
            child = {
                "table": f"{key}.{name}" if key else name,
                "dict": f"{key}.{name}.<name>" if key else f"{name}.<name>",
                "list": f"[{key}.{name}]" if key else f"[{name}]",
            }[shape]
            groups.setdefault(sub, []).append(child)
    for sub, children in groups.items():
        yield from _model_tables(sub, children, sources)


def schema_rst(
    model: Any,
    sources: dict[str, list[str]] | None = None,
) -> str:
    """The tables of a scenario file from its pydantic model, one section per table.

    Parameters
    ----------
    model : pydantic model class
        The whole file (``alliance_sim.scenarios.files._FileModel``).
    sources : dict of str to list of str
        Per model class name, classes whose numpydoc *Parameters* describe fields of
        the same name; used where the field has no ``description`` of its own. Both
        are reStructuredText.
    """
    sources = sources or {}
    lines: list[str] = []
    for keys, sub, srcs in _model_tables(model, [""], sources):
        descriptions: dict[str, str] = {}
        for src in srcs:
            for n, d in _numpydoc_parameters(src).items():
                descriptions.setdefault(n, d)
        title = "Top level" if keys == [""] else ", ".join(f"[{k}]" for k in keys)
        lines += [f".. _schema-{_anchor(sub)}:", ""]
        lines += _heading(title, "-")
        rows = []
        for name, info in sub.model_fields.items():
            _, shown = _default(info)
            nested = _nested(info.annotation)
            kind = _type_text(info.annotation)
            if nested is not None:
                kind += f" (:ref:`schema-{_anchor(nested[1])}`)"
            text = info.description or descriptions.get(name, "")
            rows.append([f"``{name}``", kind, shown, text or "—"])
        if srcs:
            refs = ", ".join(f":class:`~{s}`" for s in srcs)
            lines += [f"Descriptions from the parameters of {refs} where the field has none.", ""]
        lines += _table(["key", "type", "default", "description"], rows, "15 20 20 45")
    return "\n".join(lines)


def _anchor(model: Any) -> str:
    return model.__name__.strip("_").lower()


def laws_rst(laws: dict[str, Any], allowed: Iterable[str]) -> str:
    """The laws a file may name, with the papers' parameters (``laws.LAWS``)."""
    rows = []
    for name in allowed:
        law = laws.get(name)
        params = ", ".join(f"``{p}``" for p in law.parameters) if law else "—"
        defaults = ", ".join(f"``{k} = {v:g}``" for k, v in law.defaults.items()) if law else ""
        example = (
            "{law = " + _toml_value(name) + ", "
            + ", ".join(f"{p} = …" for p in law.parameters if p not in law.defaults)
            + "}"
            if law
            else ""
        )  # fmt: skip
        rows.append([f"``{name}``", params, defaults or "—", _literal(example)])
    return "\n".join(_table(["law", "parameters", "defaults", "written"], rows, "12 28 20 40"))


def formulas_rst(formulas: dict[str, Callable[..., Any]], inputs: Callable[[str], Any]) -> str:
    """The named formulas of derived parameters (``parameters.formulas.FORMULAS``)."""
    rows = []
    for name, fn in formulas.items():
        rows.append([f"``{name}``", ", ".join(f"``{i}``" for i in inputs(name)), _first_line(fn)])
    return "\n".join(_table(["formula", "inputs", "computes"], rows, "15 25 60"))


def terms_rst(terms: dict[str, type]) -> str:
    """The utility terms a file may name, with the arguments their constructors take."""
    rows = []
    for name, cls in terms.items():
        args = []
        for p in inspect.signature(cls).parameters.values():
            if p.name == "self":
                continue
            if p.default is inspect.Parameter.empty:
                args.append(f"``{p.name}``")
            else:
                shown = "absent" if p.default is None else _toml_value(p.default)
                args.append(f"``{p.name} = {shown}``")
        module = cls.__module__
        rows.append([f":class:`~{module}.{name}`", ", ".join(args), _first_line(cls)])
    return "\n".join(_table(["type", "args (defaults)", "term"], rows, "20 40 40"))


# --- command line -----------------------------------------------------------------------------


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) in seen:  # aliases
                    continue
                seen.add(id(sub))
                out.append((name, helps.get(name, ""), sub))
    return out


def _argument_row(action: argparse.Action) -> list[str] | None:
    if isinstance(action, argparse._SubParsersAction):
        return None
    if action.option_strings:
        names = ", ".join(f"``{o}``" for o in action.option_strings)
        if action.nargs != 0:
            metavar = action.metavar or action.dest.upper()
            names += f" ``{metavar}``"
    else:
        names = f"``{action.metavar or action.dest}``"
    extra = []
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        extra.append("one of " + ", ".join(f"``{c}``" for c in action.choices))
    if (
        action.option_strings
        and action.nargs != 0
        and action.default not in (None, argparse.SUPPRESS)
        and "default" not in (action.help or "")
    ):
        extra.append(f"default ``{action.default}``")
    if action.required and action.option_strings:
        extra.append("required")
    text = _escape(action.help or "")
    if extra:
        text = (text + "; " if text else "") + "; ".join(extra)
    return [names, text or "—"]


def _literal_block(text: str) -> list[str]:
    body = [f"   {line}" if line else "" for line in text.rstrip().splitlines()]
    return [".. code-block:: text", "", *body, ""]


def cli_rst(parser: argparse.ArgumentParser, prog: str | None = None) -> str:
    """Usage, description, examples and one section per subcommand of ``parser``."""
    prog = prog or parser.prog
    lines: list[str] = []
    lines += _literal_block(parser.format_usage().removeprefix("usage: "))
    if parser.description:
        lines += _literal_block(parser.description)
    rows = [r for a in parser._actions if (r := _argument_row(a)) is not None]
    lines += _table(["option", "meaning"], rows, "30 70")
    if parser.epilog:
        lines += _heading("Examples", "-")
        lines += _literal_block(parser.epilog.removeprefix("examples:").strip("\n"))
    for name, help_text, sub in _subcommands(parser):
        lines += [f".. _cli-{name}:", ""]
        lines += _heading(f"{prog} {name}", "-")
        if help_text:
            lines += [_escape(help_text[0].upper() + help_text[1:]) + ".", ""]
        lines += _literal_block(sub.format_usage().removeprefix("usage: "))
        if sub.description:
            lines += _literal_block(sub.description)
        rows = [r for a in sub._actions if (r := _argument_row(a)) is not None]
        lines += _table(["argument", "meaning"], rows, "30 70")
    return "\n".join(lines)


# --- glossary of summary rows and outputs -----------------------------------------------------


def summary_rows(stats: list[Any], quantiles: list[str]) -> list[tuple[str, str]]:
    """Every ``(quantity, statistic)`` row a summary with these ``stats`` has, in order."""
    rows = []
    for st in stats:
        for label in quantiles if st.kind == "quantiles" else [st.statistic]:
            rows.append((st.quantity, label))
    return rows


def glossary_inputs() -> tuple[list[Any], list[str], dict[str, str]]:
    """The rows of a run of the Japan–US preset with every stage, as ``explain`` reads them.

    ``(stats, quantile labels, outputs)``: what
    :meth:`~alliance_sim.results.SimulationResult.explain` passes to ``explain_rows``
    (``result_stats`` of the run's outputs, here all of :data:`alliance_sim.sweep.OUTPUTS`).
    """
    from alliance_sim.results.result import result_stats
    from alliance_sim.results.summary import QUANTILES, quantile_labels
    from alliance_sim.scenarios import PRESETS
    from alliance_sim.sweep import OUTPUTS

    stats = result_stats(PRESETS["japan_us_2020"](), OUTPUTS)
    return stats, quantile_labels(QUANTILES), OUTPUTS


def glossary_rst(
    stats: list[Any],
    quantiles: list[str],
    outputs: dict[str, str],
    explain: Callable[..., str],
) -> str:
    """One entry per summary quantity: its rows, each explained by ``explain``.

    ``explain(stats, quantiles, outputs, quantity)`` is
    :func:`alliance_sim.results.glossary.explain_rows`, the function behind
    ``SimulationResult.explain``: the page says exactly what ``res.explain`` says.
    """
    lines: list[str] = []
    quantities = list(dict.fromkeys(q for q, _ in summary_rows(stats, quantiles)))
    for quantity in quantities:
        text = explain(stats, quantiles, outputs, quantity)
        head, *rest = text.splitlines()
        _, _, reading = head.partition(": ")
        lines += [f".. _row-{_slug(quantity)}:", ""]
        lines += _heading(quantity, "-")
        if reading:
            lines += [_escape(reading), ""]
        statistics = [s for q, s in summary_rows(stats, quantiles) if q == quantity]
        lines += [
            "Rows: " + ", ".join(_literal(s) if s else "(none)" for s in statistics) + ".",
            "",
        ]
        for line in rest:
            stripped = line.strip()
            if line.startswith("    "):  # a note on how to read the row above
                lines += [f"     {_escape(stripped)}", ""]
            else:
                label, _, sentence = stripped.partition(": ")
                lines += [f"``{label}``", f"     {_escape(sentence)}", ""]
        lines += [f"In Python: ``res.explain({quantity!r})``.", ""]
    return "\n".join(lines)


def _slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(p for p in out.split("-") if p)


def outputs_rst(outputs: dict[str, str]) -> str:
    """The per-draw outputs (``alliance_sim.sweep.OUTPUTS``) as a definition list."""
    lines: list[str] = []
    for name, text in outputs.items():
        lines += [f".. _output-{_slug(name)}:", ""]
        lines += [f"``{name}``", f"     {_escape(text)}", ""]
    return "\n".join(lines)
