"""Per-draw results as an :class:`xarray.Dataset` and on disk as a Zarr store.

Layout of the Dataset (and of the store): dimension ``draw``; every output and
every random or derived parameter is a variable over it (attribute ``role`` =
``"output"`` or ``"parameter"``; a parameter whose name is also an output, such as
the ``challenger_wins`` indicator, is stored as ``<name>__parameter``); fixed
parameters are 0-d variables. Attributes hold the scenario as TOML
(:func:`~alliance_sim.scenarios.dump_scenario`), the seed (``seed_entropy`` as a
decimal string, ``seed_spawn_key``), the sampler, the number of draws and the
package version. The stance equilibria, whose count varies by draw, are the group
``stance_equilibria`` with dimension ``equilibrium``.

**Why Zarr.** Sweeps stream per-draw outputs to disk chunk by chunk
(``simulate(..., store=path)``); Zarr appends along ``draw`` natively
(``Dataset.to_zarr(append_dim="draw")``), stores each variable in compressed
chunks of :data:`~alliance_sim.parameters.BLOCK` draws, keeps booleans and int64
as such, and is read lazily and in parallel with ``xarray.open_zarr`` (dask) on a
laptop, a cluster file system or object storage. NetCDF through xarray cannot
append along a dimension (and its dependency-free NetCDF-3 backend has no int64 or
bool); Parquet is columnar and appendable but tabular (no 0-d variables, groups
or dataset attributes that xarray reads back) and would add pyarrow.

**Safety.** Nothing the library did not write is ever deleted:

* **Writing.** A store is written only to a path that does not exist, to an empty
  folder, or, with ``overwrite=True``, over an alliance_sim store holding nothing but
  store files (:func:`prepare_target`).
* **Identity first.** A store carries its identity (the marker attribute
  ``alliance_sim_store``, scenario, seed, sampler, planned draws) from its first
  chunk on, and ``complete = 1`` only at the end. An interrupted stream reads as
  "incomplete: k of n draws written".
* **Checksums.** A complete store has a manifest (the attributes of its child group
  :data:`MANIFEST`) with the SHA-256 of every file (metadata and chunks).
  :func:`load_result` checks it, so a deleted or corrupted chunk, a swapped file, a
  missing group or an edited attribute is an error, never silently wrong data
  (``verify=False`` skips the check).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
import warnings
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..parameters import BLOCK

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from ..scenarios import Scenario
    from ..solvers import Equilibria
    from .result import SimulationResult

__all__ = [
    "MANIFEST",
    "MARKER",
    "StoreWriter",
    "load_result",
    "prepare_target",
    "save_result",
    "to_dataset",
]

PARAMETER_SUFFIX = "__parameter"
EQUILIBRIA_GROUP = "stance_equilibria"
#: Root attribute that marks a Zarr store as written by alliance_sim.
MARKER = "alliance_sim_store"
#: The child group whose attributes hold the checksum manifest of a complete store.
MANIFEST = "alliance_sim_manifest"
_MANIFEST_FILE = f"{MANIFEST}/zarr.json"
# The files a store of ours may hold: metadata, chunks (under c/) and the manifest.
_STORE_FILE = re.compile(
    rf"^(?:{re.escape(_MANIFEST_FILE)}|zarr\.json"
    rf"|(?:{EQUILIBRIA_GROUP}/)?(?:zarr\.json|[^/]+/zarr\.json|[^/]+/c(?:/[0-9]+)*))$"
)
_PER_GAME = ("count", "degenerate", "fallback")
_EXTRA_DIM = {"row": "payer_stance", "col": "payee_stance"}


def _attrs(
    scenario: Scenario,
    seed: np.random.SeedSequence,
    sampler: str,
    n: int,
    names: tuple[list[str], list[str]],
) -> dict[str, Any]:
    from .. import __version__
    from ..scenarios import dump_scenario

    attrs: dict[str, Any] = {
        MARKER: 1,
        "title": f"alliance_sim simulation of scenario {scenario.name!r}",
        "scenario_name": scenario.name,
        "seed_entropy": str(seed.entropy),
        "seed_spawn_key": json.dumps([int(k) for k in seed.spawn_key]),
        "sampler": sampler,
        "n_draws": int(n),
        "alliance_sim_version": __version__,
        # Zarr lists variables alphabetically; these restore the result's order.
        "output_names": json.dumps(names[0]),
        "parameter_names": json.dumps(names[1]),
    }
    try:
        attrs["scenario_toml"] = dump_scenario(scenario)
    except TypeError as exc:  # a scenario holding code cannot be written as data
        warnings.warn(
            f"the scenario is not embedded ({exc}); pass it to load(path, scenario=…)",
            UserWarning,
            stacklevel=4,
        )
    return attrs


def _variables(
    outputs: dict[str, NDArray], parameters: dict[str, NDArray]
) -> dict[str, tuple[Any, ...]]:
    from ..sweep.pipeline import OUTPUTS

    out: dict[str, tuple[Any, ...]] = {
        k: ("draw", v, {"role": "output", "description": OUTPUTS.get(k, "")})
        for k, v in outputs.items()
    }
    for k, v in parameters.items():
        name = f"{k}{PARAMETER_SUFFIX}" if k in outputs else k
        # Constant over draws: a 0-d array (task results) or a broadcast view (results).
        if v.ndim == 0 or (v.size > 0 and v.strides == (0,)):
            out[name] = ((), v.reshape(-1)[0], {"role": "parameter", "fixed": 1})
        else:
            out[name] = ("draw", v, {"role": "parameter"})
    return out


def _equilibria_dataset(eq: Equilibria) -> xr.Dataset:
    import xarray as xr

    data = {}
    for f in fields(eq):
        v = getattr(eq, f.name)
        dims = ("draw",) if f.name in _PER_GAME else ("equilibrium",)
        if v.ndim == 2:
            dims = (*dims, _EXTRA_DIM[f.name])
        data[f.name] = (dims, v)
    return xr.Dataset(data)


def to_dataset(result: SimulationResult) -> xr.Dataset:
    """The kept per-draw data of ``result`` as a Dataset (numpy arrays are not copied)."""
    import xarray as xr

    return xr.Dataset(
        _variables(result.outputs, result.parameters),
        attrs=_attrs(
            result.scenario,
            result.seed,
            result.sampler,
            result.n,
            (list(result.outputs), list(result.parameters)),
        ),
    )


def _encoding(ds: xr.Dataset) -> dict[str, dict[str, Any]]:
    return {k: {"chunks": (BLOCK,)} for k, v in ds.data_vars.items() if v.dims == ("draw",)}


def _files(path: Path) -> list[str]:
    """Every file under ``path``, as sorted POSIX paths relative to it."""
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())


def _is_store(path: Path) -> bool:
    """Whether ``path`` is a Zarr group whose attributes mark it as ours."""
    meta = path / "zarr.json"
    if not meta.is_file():
        return False
    try:
        attrs = json.loads(meta.read_text(encoding="utf-8")).get("attributes", {})
    except (OSError, ValueError):
        return False
    return bool(attrs.get(MARKER)) or "seed_entropy" in attrs


def prepare_target(path: str | Path, *, overwrite: bool = False) -> Path:
    """Check that a result store may be written at ``path``; clear an old store if asked.

    A store is written to a path that does not exist or to an empty folder. An
    existing alliance_sim store is replaced only with ``overwrite=True``, and only if
    it holds nothing but store files. Anything else is refused: the library never
    deletes what it did not write.

    Raises
    ------
    FileExistsError
        If ``path`` is a file, a non-empty folder that is not an alliance_sim store, a
        store holding other files, or a store and ``overwrite`` is False.
    """
    path = Path(path)
    if not path.exists():
        return path
    if not path.is_dir():
        raise FileExistsError(f"{path} is a file, not a result store; choose another path")
    files = _files(path)
    if not files and not any(path.iterdir()):
        return path
    if not _is_store(path):
        shown = ", ".join(repr(f) for f in (files or [p.name for p in path.iterdir()])[:3])
        raise FileExistsError(
            f"refusing to write into {path}: it is a non-empty folder that is not an "
            f"alliance_sim result store (it holds {shown}); choose another path"
        )
    foreign = [f for f in files if not _STORE_FILE.match(f)]
    if foreign:
        raise FileExistsError(
            f"refusing to replace the store {path}: it also holds files alliance_sim did "
            f"not write ({', '.join(repr(f) for f in foreign[:3])}); move them first"
        )
    if not overwrite:
        raise FileExistsError(
            f"{path} already holds an alliance_sim result store; pass overwrite=True "
            f"(command line: --overwrite) to replace it"
        )
    shutil.rmtree(path)
    return path


def save_result(result: SimulationResult, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``result`` to a new Zarr store at ``path``; return the path.

    ``path`` must not hold anything but, with ``overwrite=True``, an alliance_sim
    store (:func:`prepare_target`).
    """
    path = prepare_target(path, overwrite=overwrite)
    ds = to_dataset(result)
    attrs = dict(ds.attrs)
    ds.attrs = {**attrs, "complete": 0}
    ds.to_zarr(path, mode="w-", encoding=_encoding(ds), consolidated=False)
    if result.stance_equilibria is not None:
        eq = _equilibria_dataset(result.stance_equilibria)
        eq.to_zarr(path, group=EQUILIBRIA_GROUP, mode="w", consolidated=False)
    _finish(path, attrs)
    return path


def _digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _finish(path: Path, attrs: dict[str, Any]) -> None:
    """Write the final attributes, ``complete = 1``, then the checksum manifest."""
    import zarr

    group = zarr.open_group(path, mode="r+")
    group.attrs.update({**attrs, "complete": 1})
    manifest = {f: _digest(path / f) for f in _files(path) if f != _MANIFEST_FILE}
    group.create_group(MANIFEST, attributes={"algorithm": "sha256", "files": manifest})


def _verify(path: Path) -> None:
    """Check the manifest: every file present, unchanged, and no chunk unaccounted for."""
    where = path / _MANIFEST_FILE
    if not where.is_file():
        raise ValueError(
            f"{path} has no checksum manifest ({MANIFEST}): it was damaged, or written by "
            f"an older alliance_sim; load(..., verify=False) reads it unchecked"
        )
    try:
        files = json.loads(where.read_text(encoding="utf-8"))["attributes"]["files"]
    except (ValueError, KeyError) as err:
        raise ValueError(f"{path}: its checksum manifest is unreadable ({err})") from err
    missing = [f for f in files if not (path / f).is_file()]
    if missing:
        raise ValueError(
            f"{path} is damaged: {len(missing)} file(s) missing, e.g. {missing[0]!r} "
            f"(a deleted chunk, variable or group)"
        )
    changed = [f for f, digest in files.items() if _digest(path / f) != digest]
    if changed:
        raise ValueError(
            f"{path} is damaged: {len(changed)} file(s) changed since it was written, e.g. "
            f"{changed[0]!r} (checksum mismatch: corrupted data or edited attributes)"
        )
    extra = [
        f for f in _files(path) if f != _MANIFEST_FILE and f not in files and _STORE_FILE.match(f)
    ]
    if extra:
        raise ValueError(f"{path} is damaged: unexpected store file(s), e.g. {extra[0]!r}")


def _written(path: Path) -> int:
    """Draws written to every per-draw array of a (possibly partial) store."""
    lengths = []
    for meta in path.glob("*/zarr.json"):
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        dims = info.get("attributes", {}).get("_ARRAY_DIMENSIONS") or info.get("dimension_names")
        if info.get("node_type") == "array" and dims and list(dims) == ["draw"]:
            lengths.append(int(info["shape"][0]))
    return min(lengths) if lengths else 0


def load_result(
    path: str | Path, scenario: Scenario | None = None, *, verify: bool = True
) -> SimulationResult:
    """Read a result written by :func:`save_result` or streamed by ``simulate(store=…)``.

    Parameters
    ----------
    path : str or pathlib.Path
        The Zarr store.
    scenario : Scenario, optional
        Needed only when the store has no embedded scenario (one holding code).
    verify : bool
        Check the checksum manifest first (module docstring): a missing, changed or
        unexpected file is an error.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the store is not an alliance_sim result, is incomplete (an interrupted
        stream: the message says how many draws were written), or is damaged.
    """
    import xarray as xr

    from ..scenarios.files import scenario_from_dict
    from ..solvers import Equilibria
    from .result import SimulationResult

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no result store at {path}")
    if not _is_store(path):
        raise ValueError(f"{path} is not an alliance_sim result store")
    import zarr

    attrs = dict(zarr.open_group(path, mode="r").attrs)
    if not attrs.get("complete"):
        planned = attrs.get("n_planned", "?")
        raise ValueError(
            f"{path} is incomplete: {_written(path):,} of {planned:,} draws written (the run "
            f"that streamed it did not finish); re-run it with the same seed"
            if isinstance(planned, int)
            else f"{path} is incomplete (the run that streamed it did not finish); re-run it"
        )
    if verify:
        _verify(path)
    ds = xr.open_dataset(path, engine="zarr", chunks=None, consolidated=False)
    attrs = ds.attrs
    if scenario is None:
        if "scenario_toml" not in attrs:
            raise ValueError(f"{path} has no embedded scenario; pass load(path, scenario=…)")
        scenario = scenario_from_dict(tomllib.loads(attrs["scenario_toml"]), str(path))
    n = int(attrs["n_draws"])
    names = json.loads(attrs["output_names"]) + json.loads(attrs["parameter_names"])
    missing = [k for k in names if k not in ds and f"{k}{PARAMETER_SUFFIX}" not in ds]
    if missing:
        raise ValueError(f"{path} is damaged: variable(s) {missing[:3]} missing")
    outputs = {k: ds[k].values for k in json.loads(attrs["output_names"])}
    parameters: dict[str, NDArray] = {}
    for k in json.loads(attrs["parameter_names"]):
        var = ds[f"{k}{PARAMETER_SUFFIX}" if k in outputs else k]
        parameters[k] = np.broadcast_to(var.values, (n,)) if var.ndim == 0 else var.values
    eq = None
    if (path / EQUILIBRIA_GROUP).exists():
        eds = xr.open_dataset(
            path, engine="zarr", chunks=None, consolidated=False, group=EQUILIBRIA_GROUP
        )
        eq = Equilibria(**{f.name: eds[f.name].values for f in fields(Equilibria)})
    seed = np.random.SeedSequence(
        int(attrs["seed_entropy"]), spawn_key=tuple(json.loads(attrs["seed_spawn_key"]))
    )
    return SimulationResult(
        scenario, outputs, parameters, seed, str(attrs["sampler"]), eq, n=n, store=path
    )


class StoreWriter:
    """Appends consecutive chunks of per-draw data to a Zarr store, in draw order.

    The store's identity (marker, scenario, seed, sampler, planned draws ``n_planned``,
    ``complete = 0``) is written with the first chunk; :meth:`close` writes the final
    attributes, ``complete = 1`` and the checksum manifest. A store left by an
    interrupted run is therefore recognisably ours and incomplete, with the number of
    draws it holds.
    """

    def __init__(
        self,
        path: str | Path,
        scenario: Scenario,
        seed: np.random.SeedSequence,
        sampler: str,
        *,
        n_planned: int | None = None,
        overwrite: bool = False,
    ) -> None:
        self.path = prepare_target(path, overwrite=overwrite)
        self.scenario, self.seed, self.sampler = scenario, seed, sampler
        self.n_planned = n_planned
        self._identity: dict[str, Any] = {}
        self.n = 0
        self._names: tuple[list[str], list[str]] = ([], [])
        self._eq_started = False

    def append(
        self,
        outputs: dict[str, NDArray],
        parameters: dict[str, NDArray],
        equilibria: Equilibria | None = None,
    ) -> None:
        """Write the next chunk (draws ``self.n …``)."""
        import xarray as xr

        ds = xr.Dataset(_variables(outputs, parameters))
        if self.n == 0:
            self._names = (list(outputs), list(parameters))
            with warnings.catch_warnings():  # (close() warns about an unembedded scenario)
                warnings.simplefilter("ignore", UserWarning)
                identity = _attrs(self.scenario, self.seed, self.sampler, 0, self._names)
            self._identity = {
                **identity,
                "complete": 0,
                **({} if self.n_planned is None else {"n_planned": int(self.n_planned)}),
            }
            ds.attrs = self._identity
            ds.to_zarr(self.path, mode="w-", encoding=_encoding(ds), consolidated=False)
        else:
            per_draw = [k for k, v in ds.data_vars.items() if v.dims == ("draw",)]
            part = ds[per_draw]
            part.attrs = self._identity  # (an append rewrites the group's attributes)
            part.to_zarr(self.path, append_dim="draw", consolidated=False)
        if equilibria is not None:
            eq = _equilibria_dataset(equilibria)
            eq["game"] = eq["game"] + self.n  # game index = global draw index
            if not self._eq_started:
                eq.to_zarr(self.path, group=EQUILIBRIA_GROUP, mode="w", consolidated=False)
                self._eq_started = True
            else:
                _append_two_dims(eq, self.path)
        self.n += int(next(iter(outputs.values())).shape[0])

    def close(self) -> None:
        """Write the attributes, mark the store complete and write its manifest."""
        attrs = _attrs(self.scenario, self.seed, self.sampler, self.n, self._names)
        if self.n_planned is not None:
            attrs["n_planned"] = int(self.n_planned)
        _finish(self.path, attrs)


def _append_two_dims(eq: xr.Dataset, path: Path) -> None:
    # Per-game and per-equilibrium variables grow along different dimensions.
    for dim in ("draw", "equilibrium"):
        part = eq[[k for k, v in eq.data_vars.items() if v.dims[0] == dim]]
        part.to_zarr(path, group=EQUILIBRIA_GROUP, append_dim=dim, consolidated=False)
