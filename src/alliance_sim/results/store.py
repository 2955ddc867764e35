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
"""

from __future__ import annotations

import json
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

__all__ = ["StoreWriter", "load_result", "save_result", "to_dataset"]

PARAMETER_SUFFIX = "__parameter"
EQUILIBRIA_GROUP = "stance_equilibria"
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


def save_result(result: SimulationResult, path: str | Path) -> Path:
    """Write ``result`` to a new Zarr store at ``path`` (overwriting it); return the path."""
    path = Path(path)
    ds = to_dataset(result)
    ds.to_zarr(path, mode="w", encoding=_encoding(ds), consolidated=False)
    if result.stance_equilibria is not None:
        eq = _equilibria_dataset(result.stance_equilibria)
        eq.to_zarr(path, group=EQUILIBRIA_GROUP, mode="w", consolidated=False)
    _finish(path, ds.attrs)
    return path


def _finish(path: Path, attrs: dict[str, Any]) -> None:
    import zarr

    group = zarr.open_group(path, mode="r+")
    group.attrs.update({**attrs, "complete": 1})


def load_result(path: str | Path, scenario: Scenario | None = None) -> SimulationResult:
    """Read a result written by :func:`save_result` or streamed by ``simulate(store=…)``.

    Parameters
    ----------
    path : str or pathlib.Path
        The Zarr store.
    scenario : Scenario, optional
        Needed only when the store has no embedded scenario (one holding code).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the store is not a complete alliance_sim result (e.g. an interrupted stream).
    """
    import xarray as xr

    from ..scenarios.files import scenario_from_dict
    from ..solvers import Equilibria
    from .result import SimulationResult

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no result store at {path}")
    ds = xr.open_dataset(path, engine="zarr", chunks=None, consolidated=False)
    attrs = ds.attrs
    if "seed_entropy" not in attrs:
        raise ValueError(f"{path} is not an alliance_sim result store")
    if not attrs.get("complete"):
        raise ValueError(
            f"{path} is incomplete (the run that streamed it did not finish); re-run it"
        )
    if scenario is None:
        if "scenario_toml" not in attrs:
            raise ValueError(f"{path} has no embedded scenario; pass load(path, scenario=…)")
        scenario = scenario_from_dict(tomllib.loads(attrs["scenario_toml"]), str(path))
    n = int(attrs["n_draws"])
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

    The store's attributes (and its ``complete`` flag) are written by
    :meth:`close`, so a store left by an interrupted run is recognisably incomplete.
    """

    def __init__(
        self, path: str | Path, scenario: Scenario, seed: np.random.SeedSequence, sampler: str
    ) -> None:
        self.path = Path(path)
        self.scenario, self.seed, self.sampler = scenario, seed, sampler
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
            ds.to_zarr(self.path, mode="w", encoding=_encoding(ds), consolidated=False)
        else:
            per_draw = [k for k, v in ds.data_vars.items() if v.dims == ("draw",)]
            ds[per_draw].to_zarr(self.path, append_dim="draw", consolidated=False)
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
        """Write the attributes and mark the store complete."""
        _finish(self.path, _attrs(self.scenario, self.seed, self.sampler, self.n, self._names))


def _append_two_dims(eq: xr.Dataset, path: Path) -> None:
    # Per-game and per-equilibrium variables grow along different dimensions.
    for dim in ("draw", "equilibrium"):
        part = eq[[k for k, v in eq.data_vars.items() if v.dims[0] == dim]]
        part.to_zarr(path, group=EQUILIBRIA_GROUP, append_dim=dim, consolidated=False)
