"""`opsim report` and the report writer: pages, files, reproducibility, and what they refuse."""

from __future__ import annotations

import re
import shutil
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
    for name in REPORT_FILES:
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


def test_a_garbled_results_file_is_bad_input(small_results, tmp_path, capsys):
    results = shutil.copytree(small_results, tmp_path / "results")
    (results / "summary.csv").write_text("metric,group\nx,y\n")
    assert _report(results, tmp_path / "out") == 2
    assert "summary.csv: no column mean, ci_low, ci_high: not written by opsim" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "out").exists()
