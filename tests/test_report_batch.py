"""The report of a comparison and of a sweep: verdicts, paired differences, targets across
the grid; drawn from the folders the commands write, with no text overlapping."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from sim.cli import main
from sim.report.batch_pages import (
    COMPARISON_PAGES,
    SWEEP_PAGES,
    across_grid,
    differences,
)
from sim.report.batch_results import is_batch, load_batch
from tests.conftest import MMC_PATH
from tests.test_report_charts import assert_legible

SHORT = ["--days", "5", "--set", "calendar.warmup_days=1", "--workers", "1"]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch") / "cmp"
    six = folder.parent / "six.yaml"
    six.write_text(
        MMC_PATH.read_text().replace("name: mmc", "name: six").replace("count: 5", "count: 6")
    )
    argv = ["compare", str(MMC_PATH), str(six), *SHORT, "--replications", "3"]
    assert main([*argv, "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch") / "grid"
    argv = ["sweep", str(MMC_PATH), *SHORT, "--replications", "2", "--out", str(folder)]
    argv += ["--grid", "roles.responder.staff.0.count=5,6,7"]
    argv += ["--grid", "incidents.rate_multiplier=0.9,1.0"]
    assert main(argv) == 0
    return folder


def test_a_comparison_folder_reads_with_its_verdicts(comparison):
    assert is_batch(comparison)
    batch = load_batch(comparison)
    assert batch.kind == "comparison" and batch.name == "six against mmc"
    assert any(line.startswith("six is better on") for line in batch.verdicts)
    assert set(batch.targets()["scenario"]) == {"mmc", "six"}


def test_a_sweep_folder_reads_with_its_factors(sweep):
    batch = load_batch(sweep)
    assert batch.kind == "sweep"
    assert batch.factors == ["roles.responder.staff.0.count", "incidents.rate_multiplier"]
    assert len(batch.targets()["point"].unique()) == 6
    assert not batch.best.empty


def test_the_differences_show_each_other_option_against_zero(comparison):
    figures = differences(load_batch(comparison))
    ax = figures[0].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["six"]
    assert any(line.get_xdata()[0] == 0 for line in ax.get_lines())  # the zero line


def test_a_two_factor_sweep_draws_a_cell_per_point_for_each_target(sweep):
    figure = across_grid(load_batch(sweep))[0]
    ax = figure.axes[0]
    assert len(ax.patches) == 6  # 3 x 2 points
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5", "6", "7"]


@pytest.mark.parametrize("page", [*COMPARISON_PAGES, *SWEEP_PAGES], ids=lambda p: p.name)
def test_each_batch_page_has_no_text_overlapping_or_cut_off(page, comparison, sweep):
    folder = comparison if page in COMPARISON_PAGES else sweep
    drawn = page.draw(load_batch(folder))
    for figure in drawn if isinstance(drawn, list) else [drawn]:
        assert isinstance(figure, Figure)
        assert_legible(figure, page.name)


def test_opsim_report_draws_a_comparison_and_a_sweep(capsys, comparison, sweep, tmp_path):
    for folder, pngs in (
        (comparison, {"comparison-cover", "differences"}),
        (sweep, {"sweep-cover", "across-grid"}),
    ):
        out = tmp_path / folder.name
        assert main(["report", str(folder), "--out", str(out)]) == 0
        assert {p.stem for p in out.glob("*.png")} == pngs
        assert (out / "report.pdf").stat().st_size > 10_000
    assert "report (" in capsys.readouterr().out


def test_an_edited_comparison_is_refused(capsys, comparison, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for file in comparison.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    with (copy / "comparison.csv").open("a") as table:
        table.write("\n")
    assert main(["report", str(copy), "--out", str(tmp_path / "r")]) == 2
    assert "is not the file opsim wrote" in capsys.readouterr().err
