"""The results store: finished replications kept, found again, never recomputed."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from sim.errors import FolderRefused
from sim.experiments import store as store_module
from sim.experiments.experiment import run_experiment
from sim.experiments.store import MARKER, Damaged, Store, run_key
from sim.scenario.loader import load_scenario
from tests.conftest import MMC_PATH

SHORT = {"calendar.days": 3, "calendar.warmup_days": 0}


class Counts:
    """A progress watcher that counts, and can interrupt after ``stop_after`` runs."""

    def __init__(self, stop_after: int | None = None):
        self.ran, self.found, self.stop_after = [], [], stop_after

    def done(self, label, replication):
        self.ran.append(replication)
        if self.stop_after is not None and len(self.ran) >= self.stop_after:
            raise KeyboardInterrupt

    def stored(self, label, replication):
        self.found.append(replication)


def tables(value: float, replication: int = 0) -> dict[str, pd.DataFrame]:
    kpis = pd.DataFrame(
        {"replication": [replication], "metric": ["m"], "group": ["all"], "value": [value]}
    )
    return {"kpis": kpis, "people": pd.DataFrame({"a": [1]}), "incidents": pd.DataFrame()}


def test_a_replication_is_finished_once_its_tables_are_written(tmp_path):
    store = Store(tmp_path / "store")
    assert store.finished("k") == set()
    store.put("k", 3, tables(1.5, 3))
    assert store.finished("k") == {3}
    assert store.get("k", 3)["kpis"].value.tolist() == [1.5]
    assert (tmp_path / "store" / MARKER).is_file()
    assert not [p for p in (tmp_path / "store" / "k").iterdir() if p.name.startswith(".")]


def test_a_folder_opsim_did_not_make_is_refused(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(FolderRefused, match="not an opsim results store"):
        Store(tmp_path / "mine").put("k", 0, tables(1.0))
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_the_key_changes_with_what_determines_the_figures():
    keys = {run_key("{}", 1, True), run_key("{}", 2, True), run_key("{}", 1, False)}
    keys.add(run_key('{"a": 1}', 1, True))
    assert len(keys) == 4


def test_a_rerun_finds_every_replication_and_gives_the_same_results(tmp_path):
    scenario = load_scenario(MMC_PATH, SHORT)
    first = run_experiment(scenario, 4, seed=5, workers=1, store=tmp_path)
    counts = Counts()
    again = run_experiment(scenario, 4, seed=5, workers=1, store=tmp_path, progress=counts)
    assert counts.ran == [] and sorted(counts.found) == [0, 1, 2, 3]
    for name in ("summary", "replications", "incidents", "people"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))


def test_an_interrupted_batch_keeps_what_finished_and_resumes_with_the_rest(tmp_path):
    scenario = load_scenario(MMC_PATH, SHORT)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(scenario, 5, seed=5, workers=1, store=tmp_path, progress=Counts(2))
    counts = Counts()
    resumed = run_experiment(scenario, 5, seed=5, workers=1, store=tmp_path, progress=counts)
    assert sorted(counts.found) == [0, 1] and sorted(counts.ran) == [2, 3, 4]
    fresh = run_experiment(scenario, 5, seed=5, workers=1)
    pd.testing.assert_frame_equal(resumed.replications, fresh.replications)
    pd.testing.assert_frame_equal(resumed.incidents, fresh.incidents)


def test_more_replications_reuse_the_first_ones(tmp_path):
    scenario = load_scenario(MMC_PATH, SHORT)
    run_experiment(scenario, 2, seed=5, workers=1, store=tmp_path)
    counts = Counts()
    run_experiment(scenario, 3, seed=5, workers=1, store=tmp_path, progress=counts)
    assert counts.ran == [2]


def test_temporary_files_of_a_killed_process_are_removed_and_others_kept(tmp_path):
    store = Store(tmp_path / "store")
    store.put("k", 0, tables(1.0))
    folder = tmp_path / "store" / "k"
    host = store_module._HOST
    dead = folder / f".r000001.kpis.parquet.{host}.999999999.tmp"  # no such process
    live = folder / f".r000002.kpis.parquet.{host}.{os.getpid()}.tmp"  # a run still writing
    elsewhere = folder / ".r000004.kpis.parquet.another-host.999999999.tmp"  # a shared store
    mine = folder / ".my-notes.999999999.tmp"  # not a name opsim gives
    for path in (dead, live, elsewhere, mine):
        path.write_text("x")
    store_module._TIDIED.clear()
    Store(tmp_path / "store").put("k", 3, tables(2.0, 3))
    assert not dead.exists() and live.exists() and elsewhere.exists() and mine.exists()


def test_local_workers_write_the_store_themselves_with_the_same_tables(tmp_path):
    scenario = load_scenario(MMC_PATH, SHORT)
    pooled = run_experiment(scenario, 4, seed=5, workers=2, store=tmp_path)
    counts = Counts()
    again = run_experiment(scenario, 4, seed=5, workers=1, store=tmp_path, progress=counts)
    assert counts.ran == [] and sorted(counts.found) == [0, 1, 2, 3]
    for name in ("summary", "replications", "incidents", "people"):
        pd.testing.assert_frame_equal(getattr(pooled, name), getattr(again, name))


@pytest.mark.parametrize("damage", ["truncate", "swap", "delete"])
def test_a_damaged_replication_is_not_used(tmp_path, damage):
    store = Store(tmp_path / "store")
    store.put("k", 0, tables(1.0, 0))
    store.put("k", 1, tables(2.0, 1))
    folder = tmp_path / "store" / "k"
    if damage == "truncate":
        (folder / "r000001.kpis.parquet").write_bytes(b"PAR1")
    elif damage == "swap":
        (folder / "r000001.kpis.parquet").write_bytes(
            (folder / "r000000.kpis.parquet").read_bytes()
        )
    else:
        (folder / "r000001.people.parquet").unlink()
    with pytest.raises(Damaged):
        store.get("k", 1)


def test_a_run_replaces_a_damaged_replication_and_says_so(tmp_path):
    scenario = load_scenario(MMC_PATH, SHORT)
    fresh = run_experiment(scenario, 3, seed=5, workers=1, store=tmp_path)
    key = next(p for p in tmp_path.iterdir() if p.is_dir())
    (key / "r000001.kpis.parquet").write_bytes(b"garbage")
    counts = Counts()
    with pytest.warns(store_module.StoreNote, match="replication 1 of mmc runs again"):
        again = run_experiment(scenario, 3, seed=5, workers=1, store=tmp_path, progress=counts)
    assert counts.ran == [1]
    pd.testing.assert_frame_equal(fresh.replications, again.replications)
