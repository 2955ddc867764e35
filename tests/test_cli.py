"""The command line, through subprocesses: output, exit codes, errors on stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from alliance_sim.scenarios import dump_scenario, japan_us_2020, preset_file


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "alliance_sim", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.parametrize("command", [[], ["run"], ["plot"], ["backtest"], ["export"]])
def test_help_everywhere(command):
    proc = cli(*command, "--help")
    assert proc.stdout.startswith("usage: alliance-sim")


def test_presets():
    out = cli("presets").stdout
    assert "japan_us_2020" in out and "korea_us_2019" in out


def test_run_a_preset_and_a_file(tmp_path):
    out = cli("run", "japan_us_2020", "--draws", "2000", "--seed", "3", "--no-talks").stdout
    assert "2,000 draws, seed 3" in out and "nash_payment" in out and "stance game" in out
    csv = tmp_path / "summary.csv"
    korea = tmp_path / "korea.toml"
    korea.write_text(preset_file("korea_us_2019").read_text(encoding="utf-8"), encoding="utf-8")
    cli(
        "run",
        str(korea),
        "--draws",
        "1000",
        "--no-stances",
        "--no-talks",
        "--out",
        str(csv),
    )
    assert csv.read_text().startswith("quantity,statistic,all")


def test_export_round_trip(tmp_path):
    path = tmp_path / "j.toml"
    cli("export", "japan_us_2020", "--out", str(path))
    assert path.read_text(encoding="utf-8") == dump_scenario(japan_us_2020())
    cli("export", "japan_us_2020", "--as-written", "--out", str(path))
    assert path.read_text(encoding="utf-8") == preset_file("japan_us_2020").read_text(
        encoding="utf-8"
    )
    proc = cli("export", str(path), "--as-written", check=False)
    assert proc.returncode == 1 and "is not one" in proc.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["run", "atlantis"], 1, "neither a preset"),
        (["run", "missing.toml"], 1, "No such file"),
        (["run", "japan_us_2020", "--draws", "0"], 2, "must be a positive integer"),
        (["run", "japan_us_2020", "--method", "magic"], 2, "invalid choice"),
        (["dance"], 2, "invalid choice"),
    ],
)
def test_bad_input_exits_non_zero_with_a_message_on_stderr(args, code, message):
    proc = cli(*args, check=False)
    assert proc.returncode == code
    assert message in proc.stderr and proc.stdout == ""


def test_invalid_scenario_file_is_reported_with_its_path(tmp_path):
    bad = tmp_path / "bad.toml"
    text = preset_file("japan_us_2020").read_text(encoding="utf-8")
    text = text.replace('name = "japan_us_2020"', 'name = "japan_us_2020"\ncolour = "blue"')
    bad.write_text(text, encoding="utf-8")
    line = text[: text.index("colour")].count("\n") + 1
    proc = cli("run", str(bad), "--draws", "10", check=False)
    assert proc.returncode == 1
    assert (
        "bad.toml: 1 error(s)" in proc.stderr
        and f"scenario.colour (line {line}): unknown key" in proc.stderr
    )


def test_static_backtest_prints_the_table_and_scores():
    out = cli("backtest", "--static", "--draws", "2000").stdout
    assert "| 10th SMA |" in out and "coverage of 50% / 90% intervals" in out


@pytest.mark.slow
def test_calibrated_backtest_prints_the_scores_and_the_skipped(tmp_path):
    out = cli(
        "backtest", "--draws", "200", "--particles", "20", "--generations", "1", "--seed", "3"
    ).stdout
    assert "10th SMA" in out and "| CRPS of the change (n = " in out
    assert "Brier, one-year term" in out and "skipped: 1987 SMA (1st) (no target stated)" in out


def test_calibrate_writes_a_posterior_file_the_presets_can_read(tmp_path):
    from alliance_sim.calibration.posterior import calibrated_preset, read_posterior
    from alliance_sim.scenarios import japan_us_2020

    out_file = tmp_path / "post.csv"
    out = cli(
        "calibrate", "--before", "2009", "--particles", "20", "--generations", "1",
        "--seed", "4", "--quiet", "--out", str(out_file),
    ).stdout  # fmt: skip
    assert "calibrated on" in out and "rounds" in out
    frame, meta = read_posterior(out_file)
    assert len(frame) == 20 and meta["before"] == "2009" and "--seed 4" in meta["command"]
    scn = calibrated_preset(japan_us_2020(calibrated=False), 2021, path=out_file)
    assert "before FY2009" in scn.parameters["rounds"].provenance
    with pytest.raises(ValueError, match="would peek"):
        calibrated_preset(japan_us_2020(calibrated=False), 2005, path=out_file)


def test_forecast_prints_the_2020_forecast():
    out = cli("forecast", "--draws", "2000").stdout
    assert "P(one-year term | agreement)" in out and "date of agreement" in out


def test_plot_writes_png_files(tmp_path):
    pytest.importorskip("matplotlib")
    out = cli("plot", "japan_us_2020", "--draws", "3000", "--dir", str(tmp_path)).stdout
    files = [Path(line) for line in out.splitlines()]
    assert len(files) == 5 and all(f.suffix == ".png" and f.stat().st_size > 10_000 for f in files)


def test_help_describes_the_model_shows_examples_and_defaults():
    top = cli("--help").stdout
    assert "settlement range" in top and "examples:" in top
    assert "alliance-sim run japan_us_2020 --draws 100000" in top
    back = " ".join(cli("backtest", "--help").stdout.split())
    assert "predictive draws per agreement (default 4000)" in back


def test_run_prints_counts_as_integers_and_a_reading():
    out = cli("run", "japan_us_2020", "--draws", "300", "--seed", "1").stdout
    count_line = next(line for line in out.splitlines() if " count " in line)
    assert "300" in count_line and ".000" not in count_line
    assert "Reading (all draws):" in out and "reach an agreement" in out
    assert 'res.explain("agreement week")' in out
