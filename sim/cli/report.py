"""``opsim report``: draw a results folder's PDF and PNG report (never re-simulates)."""

from __future__ import annotations

import argparse
import os
import signal
import warnings
from pathlib import Path

from sim.cli.common import Stopped, plural, tell
from sim.errors import FolderRefused, printable
from sim.experiments import interrupts

MODULES = ("sim.report.results", "sim.report.writer")


def add_parser(commands) -> None:
    """Register ``report``."""
    parser = commands.add_parser("report", help="draw a PDF/PNG report of a results folder")
    parser.add_argument("results", type=Path, help="a results folder written by opsim run --out")
    parser.add_argument(
        "--format",
        type=_formats,
        default=("pdf", "png"),
        metavar="FORMATS",
        help="pdf, png or pdf,png (default): one PDF of every page, a PNG per chart",
    )
    parser.add_argument(
        "--out", help="the report folder (default reports/NAME, NAME the results folder's name)"
    )
    parser.set_defaults(handler=_report, modules=MODULES)


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",")))
    unknown = [f for f in chosen if f not in ("pdf", "png")]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"expected pdf, png or pdf,png, got {text!r}")
    return chosen


def _report(args) -> int:
    from sim.report.writer import FolderNote, write_report  # main() imported it, held

    out = args.out
    if out is None:
        out = str(Path("reports") / Path(os.path.realpath(args.results)).name)
    _check_apart(args.results, out)
    results, pages, inputs = _read(args.results)
    signals = {signal.SIGINT: KeyboardInterrupt, signal.SIGTERM: Stopped}
    with warnings.catch_warnings(record=True) as notes, interrupts.watched(signals) as watch:
        warnings.simplefilter("always")
        drawn = write_report(results, out, args.format, inputs, watch, pages)
    for note in notes:
        if issubclass(note.category, FolderNote):  # numpy's and matplotlib's are not the user's
            tell(f"note: {note.message}")
    for page in drawn:
        if page.left_out:
            print(printable(f"left out: {page.page.title}: {page.left_out}"))
    folder = out.rstrip("/")
    if "png" in args.format:
        charts = sum(1 for page in drawn if page.page.png and page.figures)
        print(printable(f"{plural(charts, 'chart')} written to {folder}/ as PNG"))
    if "pdf" in args.format:
        pages = sum(len(page.figures) for page in drawn)
        print(printable(f"report ({plural(pages, 'page')}): {folder}/report.pdf"))
    return 0


def _read(folder: Path):
    """A run's results, or a comparison's or sweep's; their pages; the files read."""
    from sim.report.batch_pages import COMPARISON_PAGES, SWEEP_PAGES
    from sim.report.batch_results import is_batch, load_batch
    from sim.report.pages import PAGES
    from sim.report.results import NEEDED, OPTIONAL, load_results

    if is_batch(folder):
        batch = load_batch(folder)
        pages = COMPARISON_PAGES if batch.kind == "comparison" else SWEEP_PAGES
        return batch, pages, sorted(p for p in Path(folder).iterdir() if p.is_file())
    inputs = [folder / name for name in (*NEEDED, *OPTIONAL)]
    return load_results(folder), PAGES, inputs


def _check_apart(results: Path, out: str) -> None:
    """Refuse a report folder inside the results folder it reads: a later run could not
    replace those results (they would hold a folder opsim did not write there)."""
    inside, folder = Path(os.path.realpath(out)), Path(os.path.realpath(results))
    if out and folder in inside.parents:
        raise FolderRefused(
            f"--out {out}: is inside the results folder {results}; write the report elsewhere, "
            "e.g. reports/NAME"
        )
