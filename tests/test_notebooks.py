"""The shipped notebooks run top to bottom in a real Jupyter kernel, and are committed clean.

Each notebook is executed with nbclient in a ``python3`` kernel started from this
interpreter (the project's ``.venv``), with ``notebooks/`` as its working directory,
as Jupyter would run it. A cell that raises fails the test with that cell's error.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

NOTEBOOKS_DIR = Path(__file__).parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 600  # seconds; every notebook runs in well under a minute
CHARTS = {
    "availability",
    "compare",
    "costs",
    "cover",
    "coverage",
    "erlang",
    "fatigue",
    "incident_load",
    "oncall_burden",
    "response_sla",
    "restore_times",
    "utilization",
}
"""The chart functions of sim.report: a cell ending in a call of one shows its figure."""
CHART_CELLS = {"planning-review.ipynb": 8}
"""Notebooks whose chart cells are counted: one per chart of the review."""
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _kernel_manager():
    """A manager for the ``python3`` kernel run by this interpreter.

    With no kernelspec directories, jupyter_client falls back to ipykernel's own spec,
    whose command is ``sys.executable -m ipykernel_launcher``: a ``python3`` kernelspec a
    user installed elsewhere (another Python) cannot be picked up instead.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    return KernelManager(
        kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[])
    )


def _execute(nb, name: str):
    """Run every cell of ``nb`` in a fresh kernel; fail with the first failing cell's error."""
    nbclient = pytest.importorskip(
        "nbclient", reason="the notebooks extra is not installed: pip install -e '.[notebooks]'"
    )
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        km=_kernel_manager(),
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{name}: a cell raised\n{ANSI.sub('', str(error))}", pytrace=False)
    return nb


def _images(cell) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def _chart(cell) -> str:
    """The chart function a code cell ends by calling (so it shows its figure), or ""."""
    source = "".join(cell["source"])
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
    body = ast.parse(code).body
    last = body[-1] if body else None
    if (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Name)
        and last.value.func.id in CHARTS
    ):
        return last.value.func.id
    return ""


def test_notebooks_found():
    assert {p.name for p in NOTEBOOKS} >= {
        "quickstart.ipynb",
        "planning-review.ipynb",
        "staffing-whatif.ipynb",
        "oncall-fatigue.ipynb",
    }


def test_kernel_runs_this_interpreter():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys\nprint(sys.executable, end='')")]
    _execute(nb, "sys.executable check")
    assert nb.cells[0].outputs[0]["text"] == sys.executable


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_a_kernel(path):
    nbformat = pytest.importorskip("nbformat")
    nb = _execute(nbformat.read(path, as_version=4), path.name)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert sum(_images(cell) for cell in code) >= 1, f"{path.name} displays no image"
    charts = [cell for cell in code if _chart(cell)]
    for cell in charts:
        where = f"{path.name} cell {cell.get('id')}: {_chart(cell)}(...)"
        assert _images(cell) == 1, f"{where} displays no figure (IPython shows none without axes)"
    if path.name in CHART_CELLS:
        assert len(charts) == CHART_CELLS[path.name]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            where = f"{path.name} cell {cell.get('id')}"
            assert cell["outputs"] == [], f"{where} has outputs: clear them before committing"
            assert cell["execution_count"] is None, f"{where} has an execution count"
