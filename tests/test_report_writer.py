"""`opsim report` and the report writer: pages, files, reproducibility, and what they refuse."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.report import PAGES, REPORT_FILES, draw_pages, load_results
from tests.conftest import BASELINE, REPO, run_into


def _report(results: Path, out: Path, *options: str) -> int:
    return main(["report", str(results), "--out", str(out), *options])


def _pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


@pytest.fixture(scope="module")
def small_report(small_results, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "small"
    assert _report(small_results, out) == 0
    return out


def test_the_report_has_every_page_and_a_png_per_chart(small_results, small_report):
    drawn = draw_pages(load_results(small_results))
    assert [d.page.name for d in drawn if d.left_out] == []
    pngs = {f"{p.name}.png" for p in PAGES if p.png}
    assert {f.name for f in small_report.iterdir()} == {"report.pdf", ".opsim-results", *pngs}
    appendix = next(d for d in drawn if d.page.name == "appendix")
    assert len(appendix.figures) >= 2  # the baseline's resolved YAML does not fit one page
    assert _pdf_pages(small_report / "report.pdf") == sum(len(d.figures) for d in drawn)


def test_the_appendix_holds_the_whole_resolved_scenario(small_results):
    results = load_results(small_results)
    appendix = next(d for d in draw_pages(results) if d.page.name == "appendix")
    shown = "\n".join(t.get_text() for f in appendix.figures for t in f.texts[2:])
    assert shown == results.scenario_text.rstrip("\n")


def test_a_copied_results_folder_gives_the_same_report_byte_for_byte(
    small_results, small_report, tmp_path
):
    copy = shutil.copytree(small_results, tmp_path / "elsewhere" / "copy")
    assert _report(copy, tmp_path / "again") == 0
    written = [name for name in REPORT_FILES if (small_report / name).exists()]
    assert len(written) > 5
    for name in written:
        assert (tmp_path / "again" / name).read_bytes() == (small_report / name).read_bytes(), name


def test_a_smaller_scenario_leaves_out_the_pages_it_has_nothing_for(mmc_results, tmp_path, capsys):
    assert _report(mmc_results, tmp_path / "mmc") == 0
    out = capsys.readouterr().out
    for title in ("On-call burden per person", "Fatigue per person"):
        assert f"left out: {title}: the scenario has no on-call rotation" in out
    assert (tmp_path / "mmc" / "response-sla.png").exists()
    assert not (tmp_path / "mmc" / "oncall-burden.png").exists()
    assert out.rstrip().endswith(f"{tmp_path / 'mmc'}/report.pdf")


def test_an_older_results_folder_leaves_out_the_pages_it_has_no_figures_for(
    small_results, tmp_path, capsys
):
    older = shutil.copytree(small_results, tmp_path / "older")
    (older / ".opsim-results").unlink()  # edited below: the marker would refuse it
    summary = pd.read_csv(older / "summary.csv")  # opsim 0.3 wrote no on_shift figures
    summary[summary["metric"] != "on_shift"].to_csv(older / "summary.csv", index=False)
    (older / "incidents.csv").unlink()  # as with --no-incidents
    assert _report(older, tmp_path / "report") == 0
    out = capsys.readouterr().out
    for title in ("Coverage heatmap", "Erlang C against the simulation"):
        assert f"left out: {title}: these results have no on_shift figures" in out
    for title in ("Time to restore by priority", "Incident load by hour of the week"):
        assert f"left out: {title}: these results have no incident log" in out
    assert (tmp_path / "report" / "utilization.png").exists()


def test_an_older_scenario_file_still_reports(tmp_path, capsys):
    old = REPO / "tests" / "data" / "baseline-0.2.0.yaml"
    results = run_into(tmp_path / "results", old, "--days", "7", "--replications", "2")
    assert _report(results, tmp_path / "report", "--format", "pdf") == 0
    assert [f.name for f in (tmp_path / "report").iterdir() if not f.name.startswith(".")] == [
        "report.pdf"
    ]


def test_png_only(mmc_results, tmp_path):
    assert _report(mmc_results, tmp_path / "png", "--format", "png") == 0
    assert not (tmp_path / "png" / "report.pdf").exists()
    assert (tmp_path / "png" / "cover.png").exists()


def test_the_default_folder_is_reports_slash_the_results_name(mmc_results, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["report", str(mmc_results), "--format", "png"]) == 0
    assert (tmp_path / "reports" / mmc_results.name / "cover.png").exists()


def test_a_report_replaces_its_own_earlier_report(mmc_results, tmp_path):
    assert _report(mmc_results, tmp_path / "r", "--format", "pdf") == 0
    assert _report(mmc_results, tmp_path / "r", "--format", "png") == 0
    assert not (tmp_path / "r" / "report.pdf").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["report", "no/such/folder"], "no/such/folder: no such results folder"),
        (["report", str(BASELINE.parent)], "not a results folder of `opsim run --out`"),
        (["report", "{results}", "--format", "svg"], "expected pdf, png or pdf,png"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    argv, message, small_results, tmp_path, capsys
):
    argv = [a.replace("{results}", str(small_results)) for a in argv]
    with pytest.raises(SystemExit) if "svg" in argv else _nothing() as stop:
        assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    if stop is not None and hasattr(stop, "value"):
        assert stop.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def _nothing():
    import contextlib

    return contextlib.nullcontext()


def test_the_report_is_never_written_over_its_results(small_results, tmp_path, capsys):
    results = shutil.copytree(small_results, tmp_path / "results")
    before = {f.name: f.read_bytes() for f in results.iterdir()}
    assert _report(results, results) == 2
    assert "holds the results file" in capsys.readouterr().err
    assert {f.name: f.read_bytes() for f in results.iterdir()} == before


def test_a_file_edited_since_the_run_is_refused(small_results, tmp_path, capsys):
    results = shutil.copytree(small_results, tmp_path / "results")
    yaml_file = results / "scenario.resolved.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("days: 14", "days: 1000"))
    assert _report(results, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "scenario.resolved.yaml: is not the file opsim wrote with these results" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "name, edit, message",
    [
        ("summary.csv", lambda t: "metric,group\nx,y\n", "no column mean, ci_low, ci_high"),
        ("summary.csv", lambda t: t.replace(",", ",x", 1), "no column"),
        (
            "summary.csv",
            lambda t: t.replace("\nincidents,P0,", "\nincidents,P0,abc", 1),
            "column mean: expected a number, got 'abc",
        ),
        (
            "people.csv",
            lambda t: t.replace("leadership", "nobody", 1),
            "team 'nobody' is not in scenario.resolved.yaml",
        ),
        (
            "manifest.json",
            lambda t: t.replace('"replications": 2', '"replications": "x"'),
            "replications: expected int",
        ),
        (
            "manifest.json",
            lambda t: t.replace('"overrides": []', '"overrides": 5'),
            "overrides: expected a list",
        ),
        (
            "scenario.resolved.yaml",
            lambda t: "extends: /etc/passwd\n" + t,
            "names a parent (extends)",
        ),
    ],
)
def test_a_garbled_results_file_is_bad_input(small_results, tmp_path, capsys, name, edit, message):
    results = shutil.copytree(small_results, tmp_path / "results")
    (results / ".opsim-results").unlink()  # no marker: each file's own checks must catch it
    (results / name).write_text(edit((results / name).read_text()))
    assert _report(results, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_report_never_replaces_results_nor_a_run_a_report(small_results, mmc_results, tmp_path):
    other = shutil.copytree(mmc_results, tmp_path / "other-results")
    before = sorted(f.name for f in other.iterdir())
    assert _report(small_results, other) == 2
    assert sorted(f.name for f in other.iterdir()) == before
    assert _report(mmc_results, tmp_path / "report", "--format", "png") == 0
    argv = ["run", str(REPO / "scenarios" / "validation" / "mmc.yaml"), "--days", "12"]
    assert main([*argv, "--out", str(tmp_path / "report")]) == 2
    assert (tmp_path / "report" / "cover.png").exists()


def test_no_report_inside_the_results_folder_it_reads(small_results, tmp_path, monkeypatch, capsys):
    results = shutil.copytree(small_results, tmp_path / "results")
    monkeypatch.chdir(results)
    assert main(["report", "."]) == 2  # the default reports/NAME would land inside
    assert "is inside the results folder" in capsys.readouterr().err
    assert _report(results, results / "report") == 2
    assert sorted(f.name for f in results.iterdir()) == sorted(
        f.name for f in small_results.iterdir()
    )


def test_an_empty_out_is_refused(small_results, capsys):
    assert main(["report", str(small_results), "--out", ""]) == 2
    assert "the folder name is empty" in capsys.readouterr().err


def test_a_dollar_sign_is_text_not_a_formula(tmp_path, write_scenario):
    scenario = write_scenario(
        {
            "extends": str(REPO / "scenarios" / "validation" / "mmc.yaml"),
            "name": "hire two: $50k (10%) cheaper than $60k",
            "description": "Budget option B: $120k more staff, $80k less tooling",
        }
    )
    results = run_into(tmp_path / "r", scenario, "--days", "12", "--replications", "2")
    assert _report(results, tmp_path / "report", "--format", "pdf") == 0


def test_the_users_matplotlib_settings_do_not_reach_the_report(mmc_results, tmp_path, monkeypatch):
    assert _report(mmc_results, tmp_path / "plain", "--format", "png") == 0
    import matplotlib as mpl

    with mpl.rc_context(
        {"font.family": "serif", "lines.linewidth": 4, "savefig.transparent": True}
    ):
        assert _report(mmc_results, tmp_path / "styled", "--format", "png") == 0
    for png in (tmp_path / "plain").glob("*.png"):
        assert png.read_bytes() == (tmp_path / "styled" / png.name).read_bytes(), png.name


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux")
@pytest.mark.parametrize(
    ("sig", "code", "when"),
    [(signal.SIGINT, 130, "drawing"), (signal.SIGTERM, 143, "saving")],
)
def test_an_interrupted_report_keeps_the_previous_one(small_results, tmp_path, sig, code, when):
    out = tmp_path / "report"
    assert _report(small_results, out, "--format", "png") == 0
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    command = [sys.executable, "-m", "sim", "report", str(small_results), "--out", str(out)]
    report = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    if when == "saving":  # the hidden new folder exists once every page is drawn
        while not list(tmp_path.glob(".report.opsim-new-*")) and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        time.sleep(1.5)
    report.send_signal(sig)
    _, err = report.communicate(timeout=60)
    assert report.returncode == code, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]
