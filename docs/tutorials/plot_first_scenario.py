"""
Your first scenario
===================

In this tutorial you copy the Japan–US preset into a scenario file of your own,
change one number in it, run both versions and read what changed: the summary
table, the explanation of a row, and a figure.

You need the package with matplotlib (``pip install "alliance_sim[plot]"``). The
runs below use 4,000 draws so that the page builds in seconds; the presets are
meant for 100,000 or more.
"""  # noqa: D205, D400 (a sphinx-gallery title)

# %%
# Export a preset to a file
# -------------------------
#
# A *preset* is a ready-made scenario: the parameters of the 2020 talks, each with
# its distribution, unit and provenance, the two players' utility terms, the
# election and the talks' calendar. On the command line,
# ``alliance-sim export japan_us_2020 --out my.toml`` writes it as a TOML file; in
# Python, :func:`~alliance_sim.scenarios.save_scenario` does the same. (The
# tutorial works in a temporary folder; in your own project write ``my.toml``
# next to your scripts.)

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import alliance_sim as asim
from alliance_sim.results import plots
from alliance_sim.scenarios import load_scenario, save_scenario

pd.set_option("display.max_rows", 150)  # show every row of the summary tables

folder = Path(tempfile.mkdtemp())
preset = asim.scenarios.japan_us_2020()
path = save_scenario(preset, folder / "my.toml")
text = path.read_text(encoding="utf-8")
print(f"{path.name}: {len(text.splitlines())} lines")

# %%
# Every parameter is a table of its own. Here is the one we are going to change,
# Washington's announced demand, in dollars a year:

start = text.index("[parameters.demand_usd]")
print(text[start : text.index("\n\n", start)])

# %%
# Edit a number
# -------------
#
# Open the file in any editor. Here we ask: what if the incumbent administration had
# announced $4 billion a year instead of $8 billion? Change ``value = 8.0`` to
# ``value = 4.0`` in that table (done with a string replacement so that the page
# can run it) and save.

table = text[start : text.index("\n\n", start)]
edited = text.replace(table, table.replace("value = 8.0", "value = 4.0"))
path.write_text(edited, encoding="utf-8")
print(f"saved {path.name}")

# %%
# Load and run it
# ---------------
#
# :func:`~alliance_sim.scenarios.load_scenario` validates the whole file before
# anything runs (a typo in a key, a law's parameter or a term's argument is an
# error with its line number) and returns a :class:`~alliance_sim.scenarios.Scenario`.
# Derived parameters follow the edit: the demand in yen is ``demand_usd · fx``.

mine = load_scenario(path)
print("demand_usd:", mine.parameters["demand_usd"].value, mine.parameters["demand_usd"].unit)
print("demand:", mine.parameters["demand"].formula, "in", mine.parameters["demand"].unit)

# %%
# :func:`~alliance_sim.simulate` draws every random parameter ``n`` times and
# solves the model for each draw, all draws at once. The same ``seed`` gives the
# same draws to both scenarios (common random numbers), so the difference between
# the two runs comes from the edit, not from sampling noise.

n, seed = 4_000, 7
res = asim.simulate(mine, n=n, seed=seed)
base = asim.simulate(preset, n=n, seed=seed)
print(res)
unit = res.scenario.payment_unit
print(f"demand in yen: {res['demand'][0]:.1f} (preset: {base['demand'][0]:.1f}) {unit}")

# %%
# Read the summary table
# ----------------------
#
# :meth:`~alliance_sim.results.SimulationResult.summary` is a pandas DataFrame: one
# row per statistic, one column for all draws and one per election winner. Payments
# are in ¥ billion a year.

res.summary()

# %%
# Every row can explain itself. ``res.explain(quantity)`` says what a block of rows
# computes, over which draws, and how to read it; the
# :doc:`glossary </reference/glossary>` lists them all.

print(res.explain("agreement week"))

# %%
# Compare with the preset
# -----------------------
#
# Put the rows you care about side by side, for all draws and for the draws in
# which the incumbent wins the election. Summaries share their index, so one
# :func:`pandas.concat` does it.

rows = [
    ("demand", "P(inside range)"),
    ("nash_payment", "q50"),
    ("talks", "P(agreement)"),
    ("talks", "P(payer concedes)"),
    ("talks", "P(lapse)"),
    ("agreement week", "q50"),
    ("spe_payment", "mean"),
]
columns = ["all", "incumbent wins"]
pd.concat(
    {"$8 bn (preset)": base.summary()[columns], "$4 bn (mine)": res.summary()[columns]}, axis=1
).loc[rows]

# %%
# The Nash payment does not move: the demand does not enter the settlement range,
# only the talks (the incumbent's committed posture holds out for a share of its
# announced rise) and the stance game. In the talks, a smaller demand is one Tokyo
# accepts more often: Tokyo gives way (``P(payer concedes)``) and the talks agree
# more often, above all when the incumbent wins, and the agreed payment rises. The
# model's pages on :doc:`the talks </explanation/model/talks>` and
# :doc:`the preset </explanation/model/presets>` explain why.
#
# Plot it
# -------
#
# :mod:`alliance_sim.results.plots` draws a result. Each function returns a
# matplotlib figure, or draws into the Axes you pass (as here, so that the page
# shows the figures). The settlement range of both runs: the most Tokyo accepts
# (``hi``), the least Washington accepts (``lo``) and the Nash bargaining payment.

for result, label in ((base, "$8 bn demand (preset)"), (res, "$4 bn demand (mine)")):
    fig, ax = plt.subplots(figsize=(9, 5.2), layout="constrained")
    plots.settlement_range(result, ax=ax)
    ax.set_title(f"{label}, {result.n:,} draws")
plt.show()

# %%
# When and at what payment the talks agree, by election winner:

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
plots.time_to_agreement(res, ax=axes)
plt.show()

# %%
# Next steps
# ----------
#
# * :doc:`/howto/change_a_belief`: give a parameter another distribution, in a file
#   or in Python.
# * :doc:`/howto/add_a_utility_term`: add a consideration of your own to a player.
# * :doc:`/reference/scenario_files`: every key a scenario file may hold.
# * :doc:`/explanation/model/index`: every equation behind the table.
