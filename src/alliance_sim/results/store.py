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
* **Journal.** While a store is streamed, every append adds a line to the journal
  ``alliance_sim_manifest/journal.jsonl``: the length of each dimension, the SHA-256
  of every chunk file that is final from then on (chunks are never rewritten once
  the arrays have grown past them), and the SHA-256 of the decoded values of each
  array's last, partial chunk (which the next append rewrites). Completing the store
  replaces the journal by the manifest.
* **Resuming.** :meth:`StoreWriter.resume` reopens an incomplete store for the same
  run: it checks the store's identity (scenario, seed, sampler, planned draws, run
  settings, version, variables) against the caller's, keeps the longest journaled
  prefix whose files and partial chunks still verify, cuts every array back to it
  and appends from there. Appending the same numbers in the same order gives the
  same bytes, so the completed store is identical to one written without a break.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import warnings
from collections.abc import Hashable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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
_JOURNAL_FILE = f"{MANIFEST}/journal.jsonl"
# The files a store of ours may hold: metadata, chunks (under c/), the manifest and the
# journal of a store being streamed.
_STORE_FILE = re.compile(
    rf"^(?:{re.escape(_MANIFEST_FILE)}|{re.escape(_JOURNAL_FILE)}|zarr\.json"
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
        dims: tuple[str, ...] = ("draw",) if f.name in _PER_GAME else ("equilibrium",)
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


def _encoding(ds: xr.Dataset) -> dict[Hashable, dict[str, Any]]:
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
    """Write the final attributes, ``complete = 1``, then the checksum manifest.

    The manifest group replaces the journal of a streamed store (which is kept until
    then, so a store interrupted while finishing can still be resumed).
    """
    import zarr

    group = zarr.open_group(path, mode="r+")
    group.attrs.update({**attrs, "complete": 1})
    manifest = {f: _digest(path / f) for f in _files(path) if not _in_manifest_group(f)}
    group.create_group(
        MANIFEST, attributes={"algorithm": "sha256", "files": manifest}, overwrite=True
    )
    (path / _JOURNAL_FILE).unlink(missing_ok=True)


def _in_manifest_group(f: str) -> bool:
    return f.startswith(f"{MANIFEST}/")


def _manifest_files(path: Path) -> dict[str, str] | None:
    """The manifest's checksums by file, or None if the store has no manifest (yet).

    Raises
    ------
    ValueError
        If the manifest exists but cannot be read.
    """
    where = path / _MANIFEST_FILE
    if not where.is_file():
        return None
    try:
        attributes = json.loads(where.read_text(encoding="utf-8"))["attributes"]
    except (ValueError, KeyError) as err:
        raise ValueError(f"{path}: its checksum manifest is unreadable ({err})") from err
    files = attributes.get("files")  # (absent while the group holds only the journal)
    if files is not None and not isinstance(files, dict):
        raise ValueError(f"{path}: its checksum manifest is unreadable")
    return files


def _verify(path: Path) -> None:
    """Check the manifest: every file present, unchanged, and no chunk unaccounted for."""
    files = _manifest_files(path)
    if files is None:
        raise ValueError(
            f"{path} has no checksum manifest ({MANIFEST}): it was damaged, or written by "
            f"an older alliance_sim; load(..., verify=False) reads it unchecked"
        )
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
        f
        for f in _files(path)
        if not _in_manifest_group(f) and f not in files and _STORE_FILE.match(f)
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

    from ..scenarios.files import scenario_from_toml
    from ..solvers import Equilibria
    from .result import SimulationResult

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no result store at {path}")
    if not _is_store(path):
        raise ValueError(f"{path} is not an alliance_sim result store")
    import zarr

    group_attrs = dict(zarr.open_group(path, mode="r").attrs)
    if not group_attrs.get("complete"):
        planned = group_attrs.get("n_planned", "?")
        resume = (
            "resume it with simulate(..., store=path, resume=True) and the same arguments "
            "(command line: --resume)"
            if "run_settings" in group_attrs
            else "re-run it with the same seed"
        )
        raise ValueError(
            f"{path} is incomplete: {_written(path):,} of {planned:,} draws written (the run "
            f"that streamed it did not finish); {resume}"
            if isinstance(planned, int)
            else f"{path} is incomplete (the run that streamed it did not finish); {resume}"
        )
    if verify:
        _verify(path)
    ds = xr.open_dataset(path, engine="zarr", chunks=None, consolidated=False)
    attrs = ds.attrs
    if scenario is None:
        if "scenario_toml" not in attrs:
            raise ValueError(f"{path} has no embedded scenario; pass load(path, scenario=…)")
        scenario = scenario_from_toml(attrs["scenario_toml"], str(path))
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
    run ``settings``, ``complete = 0``) is written with the first chunk, and every
    append is journaled with the checksums of the files it finished (module
    docstring); :meth:`close` writes the final attributes, ``complete = 1`` and the
    checksum manifest. A store left by an interrupted run is therefore recognisably
    ours and incomplete, with the number of draws it holds, and :meth:`resume` can
    continue it.

    Parameters
    ----------
    path : str or pathlib.Path
        Where to write (checked by :func:`prepare_target`).
    scenario : Scenario
        The simulated scenario (embedded as TOML).
    seed : numpy.random.SeedSequence
        The run's root sequence.
    sampler : str
        The run's sampler.
    n_planned : int, optional
        Draws the run will write.
    overwrite : bool
        Replace an alliance_sim store already at ``path``.
    settings : dict, optional
        Run settings that determine the numbers or the layout (chunk size, stages),
        stored as the JSON attribute ``run_settings``; :meth:`resume` requires them.

    Attributes
    ----------
    path : pathlib.Path
        The store.
    n : int
        Draws written (and, after :meth:`resume`, verified) so far.
    complete : bool
        The store is complete (only after :meth:`resume` of a complete store, or
        :meth:`close`).

    Raises
    ------
    FileExistsError
        As :func:`prepare_target`.
    """

    n_planned: int | None
    settings: dict[str, Any] | None

    def __init__(
        self,
        path: str | Path,
        scenario: Scenario,
        seed: np.random.SeedSequence,
        sampler: str,
        *,
        n_planned: int | None = None,
        overwrite: bool = False,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self._setup(prepare_target(path, overwrite=overwrite), scenario, seed, sampler)
        self.n_planned, self.settings = n_planned, settings

    def _setup(
        self, path: Path, scenario: Scenario, seed: np.random.SeedSequence, sampler: str
    ) -> None:
        self.path = path
        self.scenario, self.seed, self.sampler = scenario, seed, sampler
        self.n_planned = None
        self.settings = None
        self._identity: dict[str, Any] = {}
        self.n = 0
        self.complete = False
        self._names: tuple[list[str], list[str]] = ([], [])
        self._eq_started = False
        self._lengths: dict[str, int] = {}  # dimension -> length at the last journal entry
        self._journaled: set[str] = set()  # arrays whose chunks the journal tracks
        self._entries = 0

    def identity(self, names: tuple[list[str], list[str]]) -> dict[str, Any]:
        """The root attributes a store of this run carries while it is written.

        Parameters
        ----------
        names : (list of str, list of str)
            The output and parameter names, in order.
        """
        with warnings.catch_warnings():  # (close() warns about an unembedded scenario)
            warnings.simplefilter("ignore", UserWarning)
            identity = _attrs(self.scenario, self.seed, self.sampler, 0, names)
        identity["complete"] = 0
        if self.n_planned is not None:
            identity["n_planned"] = int(self.n_planned)
        if self.settings is not None:
            identity["run_settings"] = json.dumps(self.settings, sort_keys=True)
        return identity

    def append(
        self,
        outputs: dict[str, NDArray],
        parameters: dict[str, NDArray],
        equilibria: Equilibria | None = None,
    ) -> None:
        """Write the next chunk (draws ``self.n …``) and journal it."""
        import xarray as xr

        ds = xr.Dataset(_variables(outputs, parameters))
        if self.n == 0:
            self._names = (list(outputs), list(parameters))
            self._identity = self.identity(self._names)
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
        self._journal()

    def _journal(self) -> None:
        """Append a journal line: lengths, checksums of finished chunks and of partial ones."""
        import zarr

        if self._entries == 0:
            group = zarr.open_group(self.path, mode="r+")
            group.create_group(MANIFEST, attributes={"algorithm": "sha256"}, overwrite=True)
        files: dict[str, str | None] = {}
        tails: dict[str, str] = {}
        lengths: dict[str, int] = {}
        arrays = _arrays(self.path)
        for name, arr in arrays.items():
            if arr.ndim == 0:
                if name not in self._journaled:
                    key = f"{name}/{arr.metadata.encode_chunk_key(())}"
                    files[key] = _digest_or_none(self.path / key)
                self._journaled.add(name)
                continue
            dim = str(arr.metadata.dimension_names[0])
            length, step = int(arr.shape[0]), int(arr.chunks[0])
            if lengths.setdefault(dim, length) != length:
                raise RuntimeError(f"{self.path}: arrays along {dim!r} have different lengths")
            before = self._lengths.get(dim, 0) if name in self._journaled else 0
            for key in _chunk_keys(arr, before // step, length // step):
                files[f"{name}/{key}"] = _digest_or_none(self.path / name / key)
            if length % step:
                tails[name] = _values_digest(arr[length // step * step : length])
            self._journaled.add(name)
        entry = {
            "entry": self._entries,
            "lengths": lengths,
            "arrays": sorted(arrays),
            "files": files,
            "tails": tails,
        }
        with (self.path / _JOURNAL_FILE).open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")
        self._lengths = lengths
        self._entries += 1

    def close(self) -> None:
        """Write the attributes, mark the store complete and write its manifest."""
        attrs = _attrs(self.scenario, self.seed, self.sampler, self.n, self._names)
        if self.n_planned is not None:
            attrs["n_planned"] = int(self.n_planned)
        _finish(self.path, attrs)
        self.complete = True

    def read(self, names: list[str], start: int, stop: int) -> dict[str, NDArray]:
        """The outputs ``names`` of draws ``start … stop − 1``, read back from the store."""
        import zarr

        group = zarr.open_group(self.path, mode="r")
        out: dict[str, NDArray] = {}
        for k in names:
            arr = group[k]
            if not isinstance(arr, zarr.Array):
                raise ValueError(f"{self.path}: {k!r} is a group, not an array")
            out[k] = np.asarray(arr[start:stop])
        return out

    @classmethod
    def resume(
        cls,
        path: str | Path,
        scenario: Scenario,
        seed: np.random.SeedSequence,
        sampler: str,
        *,
        n_planned: int,
        settings: dict[str, Any],
        names: tuple[list[str], list[str]],
    ) -> StoreWriter:
        """Reopen the store of an interrupted run, to append its remaining draws.

        The store must have been streamed by the same run: same scenario (compared as
        TOML), seed, sampler, planned draws, ``settings``, alliance_sim version and
        variables ``names``. The journal's longest prefix whose chunk files and partial
        chunks still verify is kept (a warning says so if that drops journaled draws),
        every array is cut back to it, and the writer continues from there
        (:attr:`n` draws). Nothing at ``path`` (or an empty folder) starts a new store;
        a store with no verified append is rewritten from the start.

        Parameters
        ----------
        path : str or pathlib.Path
            The store.
        scenario, seed, sampler
            As for :class:`StoreWriter`.
        n_planned : int
            Draws of the run.
        settings : dict
            Run settings (as for :class:`StoreWriter`).
        names : (list of str, list of str)
            The run's output and parameter names, in order.

        Returns
        -------
        StoreWriter
            With :attr:`n` the draws already in the store; :attr:`complete` is True
            for a complete store (whose manifest was verified), which must not be
            appended to.

        Raises
        ------
        ValueError
            If the store belongs to another run (the message lists every mismatch:
            ``scenario``, ``seed``, ``sampler``, ``n``, ``chunk_size``, ``stances``,
            ``talks``, ``offers``, version, variables), records no run settings, has
            no embedded scenario, or is complete but damaged.
        FileExistsError
            If ``path`` is a file or a folder that is not an alliance_sim store.
        """
        import zarr

        path = Path(path)
        if not _is_store(path):  # nothing there (a new store), or refused
            writer = cls(path, scenario, seed, sampler, n_planned=n_planned, settings=settings)
            return writer
        writer = cls.__new__(cls)
        writer._setup(path, scenario, seed, sampler)
        writer.n_planned, writer.settings = n_planned, settings
        expected = writer.identity(names)
        stored: dict[str, Any] = dict(zarr.open_group(path, mode="r").attrs)
        problems = _identity_mismatches(stored, expected)
        if problems:
            raise ValueError(f"cannot resume {path}: " + "; ".join(problems))
        writer._identity, writer._names = expected, names
        # (complete but without a manifest: interrupted while finishing; the journal holds)
        if stored.get("complete") and _manifest_files(path) is not None:
            try:
                _verify(path)
            except ValueError as err:
                raise ValueError(
                    f"{err}; it cannot be resumed: pass overwrite=True (command line: "
                    f"--overwrite) instead of resume=True to compute it again"
                ) from err
            writer.n, writer.complete = int(stored["n_draws"]), True
            return writer
        entries = _read_journal(path)
        keep = _verified_prefix(path, entries)
        if keep < len(entries):
            dropped = entries[keep - 1]["lengths"]["draw"] if keep else 0
            warnings.warn(
                f"{path}: the draws after {dropped:,} (of "
                f"{entries[-1]['lengths']['draw']:,} written) failed verification "
                f"(changed or missing chunk files); they will be computed again",
                UserWarning,
                stacklevel=2,
            )
        if keep == 0:  # nothing verified: start again (the store is all ours)
            prepare_target(path, overwrite=True)
            return cls(path, scenario, seed, sampler, n_planned=n_planned, settings=settings)
        last = entries[keep - 1]
        for arr in _arrays(path, mode="r+").values():
            if arr.ndim:
                target = int(last["lengths"][str(arr.metadata.dimension_names[0])])
                if arr.shape[0] != target:
                    arr.resize((target, *arr.shape[1:]))  # drops the chunks beyond
        with (path / _JOURNAL_FILE).open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(e, sort_keys=True) + "\n" for e in entries[:keep])
        writer.n = int(last["lengths"]["draw"])
        writer._eq_started = (path / EQUILIBRIA_GROUP / "zarr.json").is_file()
        writer._lengths = {k: int(v) for k, v in last["lengths"].items()}
        writer._journaled = set(last["arrays"])
        writer._entries = keep
        return writer


def _arrays(path: Path, mode: Literal["r", "r+"] = "r") -> dict[str, Any]:
    """Every array of a store (the equilibria's under ``stance_equilibria/``), by path."""
    import zarr

    out = dict(zarr.open_group(path, mode=mode).arrays())
    if (path / EQUILIBRIA_GROUP / "zarr.json").is_file():
        eq = zarr.open_group(path / EQUILIBRIA_GROUP, mode=mode)
        out.update({f"{EQUILIBRIA_GROUP}/{k}": v for k, v in eq.arrays()})
    return out


def _chunk_keys(arr: Any, first: int, stop: int) -> list[str]:
    """Keys of the chunks ``first … stop − 1`` along the first axis (all along the others)."""
    others = [range(-(-s // c)) for s, c in zip(arr.shape[1:], arr.chunks[1:], strict=True)]
    return [
        arr.metadata.encode_chunk_key((i, *rest))
        for i in range(first, stop)
        for rest in itertools.product(*others)
    ]


def _digest_or_none(path: Path) -> str | None:
    # A chunk holding only the fill value is not written (zarr's write_empty_chunks).
    return _digest(path) if path.is_file() else None


def _values_digest(values: NDArray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()


def _read_journal(path: Path) -> list[dict[str, Any]]:
    """The journal's entries, up to the first unreadable line (a write cut short)."""
    entries: list[dict[str, Any]] = []
    try:
        lines = (path / _JOURNAL_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return entries
    for line in lines:
        try:
            entry = json.loads(line)
            ok = entry["entry"] == len(entries) and "draw" in entry["lengths"]
        except (ValueError, KeyError, TypeError):
            break
        if not ok:
            break
        entries.append(entry)
    return entries


def _verified_prefix(path: Path, entries: list[dict[str, Any]]) -> int:
    """How many leading journal entries still hold: their files and last partial chunks."""
    keep = 0
    for entry in entries:
        present = all((path / name / "zarr.json").is_file() for name in entry["arrays"])
        if not present or any(
            _digest_or_none(path / f) != digest for f, digest in entry["files"].items()
        ):
            break
        keep += 1
    while keep and not _tails_hold(path, entries[keep - 1]):
        keep -= 1
    return keep


def _tails_hold(path: Path, entry: dict[str, Any]) -> bool:
    """Whether each array's partial last chunk still holds the journaled values."""
    try:
        arrays = _arrays(path)
        for name, digest in entry["tails"].items():
            arr = arrays[name]
            length = int(entry["lengths"][str(arr.metadata.dimension_names[0])])
            first = length // arr.chunks[0] * arr.chunks[0]
            if arr.shape[0] < length or _values_digest(arr[first:length]) != digest:
                return False
    except Exception:  # an undecodable chunk, a damaged array
        return False
    return True


#: What a resumed run must share with the store, by the keyword that sets it.
_IDENTITY = (
    ("scenario", ("scenario_toml",)),
    ("seed", ("seed_entropy", "seed_spawn_key")),
    ("sampler", ("sampler",)),
    ("n", ("n_planned",)),
    ("alliance_sim version", ("alliance_sim_version",)),
    ("outputs", ("output_names",)),
    ("parameters", ("parameter_names",)),
)


def _identity_mismatches(stored: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Every way the store's identity differs from the run's, named by keyword."""
    if "run_settings" not in stored:
        return [
            "it records no run settings (it was written by save(), or by an alliance_sim "
            "older than resume=True); it cannot be checked against this run"
        ]
    if "scenario_toml" not in stored or "scenario_toml" not in expected:
        return [
            "the scenario is not embedded in the store (it holds code), so the store "
            "cannot be checked against this run"
        ]
    problems = []
    for keyword, keys in _IDENTITY:
        have, want = [stored.get(k) for k in keys], [expected.get(k) for k in keys]
        if have == want:
            continue
        if keyword == "scenario":
            diff = _first_difference(stored["scenario_toml"], expected["scenario_toml"])
            problems.append(f"scenario: {diff}")
        elif keyword == "seed":
            problems.append(f"seed: the store's is {_seed(*have)}, this call's {_seed(*want)}")
        else:
            shown = [h if len(keys) > 1 else h[0] for h in (have, want)]
            problems.append(f"{keyword}: the store's is {shown[0]!r}, this call's {shown[1]!r}")
    have_run = json.loads(stored["run_settings"])
    want_run = json.loads(expected["run_settings"])
    for key in sorted(set(have_run) | set(want_run)):
        if have_run.get(key) != want_run.get(key):
            problems.append(
                f"{key}: the store's is {have_run.get(key)!r}, this call's {want_run.get(key)!r}"
            )
    if problems:
        problems.append("pass the arguments of the run that wrote it, or choose a new store")
    return problems


def _seed(entropy: Any, spawn_key: Any) -> str:
    key = tuple(json.loads(spawn_key)) if isinstance(spawn_key, str) else ()
    return f"{entropy}" + (f" (spawn_key={key})" if key else "")


def _first_difference(have: str, want: str) -> str:
    """Where the store's scenario TOML first differs from the run's."""
    for i, (a, b) in enumerate(itertools.zip_longest(have.splitlines(), want.splitlines())):
        if a != b:
            return f"its TOML differs from this call's at line {i + 1}: {a!r} vs {b!r}"
    return "its TOML differs from this call's"


def _append_two_dims(eq: xr.Dataset, path: Path) -> None:
    # Per-game and per-equilibrium variables grow along different dimensions.
    for dim in ("draw", "equilibrium"):
        part = eq[[k for k, v in eq.data_vars.items() if v.dims[0] == dim]]
        part.to_zarr(path, group=EQUILIBRIA_GROUP, append_dim=dim, consolidated=False)
