"""Writing a report folder: one multi-page PDF and a PNG per chart, all or nothing.

The folder is written like a results folder (see
:mod:`sim.experiments.owned_folder`): into a hidden sibling that replaces it in
one step, and only a folder opsim can prove it wrote is ever replaced. The
files depend on the results alone (no dates or paths of the moment are
embedded), so the same results give the same report, byte for byte.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages

from sim import __version__
from sim.experiments.interrupts import Watch
from sim.experiments.owned_folder import claim
from sim.report import style
from sim.report.batch_pages import COMPARISON_PAGES, SWEEP_PAGES
from sim.report.pages import PAGES, Drawn, Page, draw_pages
from sim.report.results import Results

FORMATS = ("pdf", "png")
PDF = "report.pdf"
REPORT_FILES = frozenset(
    {PDF, *(f"{p.name}.png" for p in (*PAGES, *COMPARISON_PAGES, *SWEEP_PAGES) if p.png)}
)
"""Every file a report folder may hold (besides opsim's marker)."""
PNG_DPI = 150


class FolderNote(UserWarning):
    """Something the user should know about the report folder (a leftover not removed)."""


def write_report(
    results: Results,
    out: str | Path,
    formats: Sequence[str] = FORMATS,
    protect: Iterable[Path] = (),
    watch: Watch | None = None,
    pages: tuple[Page, ...] = PAGES,
) -> list[Drawn]:
    """Draw the report of ``results`` and write it to the folder ``out``.

    Returns the pages, drawn or left out. Raises :class:`sim.errors.FolderRefused`
    for a folder opsim may not replace (``protect``: files that must not be in it),
    before drawing anything. ``watch``: signals to act on before the folder is
    replaced (see :func:`sim.experiments.interrupts.watched`). ``pages``: a run's by
    default; a comparison or sweep (:mod:`sim.report.batch_results`) has its own.
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise ValueError(f"formats must be among {FORMATS}, got {list(formats)}")
    with claim(out, protect, REPORT_FILES, "the results file") as folder:
        drawn = draw_pages(results, pages)
        try:
            folder.replace(lambda new: write_files(results, drawn, new, formats, watch))
        finally:
            notes = list(folder.notes)
    for note in notes:
        warnings.warn(note, FolderNote, stacklevel=2)
    return drawn


def write_files(
    results: Results,
    drawn: list[Drawn],
    folder: Path,
    formats: Sequence[str] = FORMATS,
    watch: Watch | None = None,
) -> list[str]:
    """Write the PDF and PNGs of drawn pages into an existing folder; returns the names."""
    names = []
    with style.styled():  # savefig reads settings too: the user's must not reach the files
        if "pdf" in formats:
            _write_pdf(results, drawn, folder / PDF)
            names.append(PDF)
        if "png" in formats:
            for page in drawn:
                if page.page.png and page.figures:
                    name = f"{page.page.name}.png"
                    page.figures[0].savefig(folder / name, dpi=PNG_DPI)
                    names.append(name)
    if watch is not None:
        watch.check()  # a signal a library swallowed while saving: the folder is not replaced
    return names


def _write_pdf(results: Results, drawn: list[Drawn], path: Path) -> None:
    metadata = {
        "Title": f"opsim report: {results.name}",
        "Creator": f"opsim {__version__}",
        "CreationDate": None,  # the same results give the same file
    }
    with PdfPages(path, metadata=metadata) as pdf:
        for page in drawn:
            for figure in page.figures:
                pdf.savefig(figure)
