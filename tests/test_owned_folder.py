"""Tests for sim.experiments.owned_folder: opsim replaces only what it wrote, atomically.

The kill tests run the replacement in a child process that dies (``os._exit``,
no clean-up of any kind) at each step in turn; after every death the folder
must hold the complete old or the complete new results, and the next run must
leave nothing hidden behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim.errors import FolderRefused
from sim.experiments import folder_swap, owned_folder
from sim.experiments.owned_folder import MARKER, claim

REPO = Path(__file__).resolve().parent.parent
FILES = frozenset({"a.csv", "b.csv", "manifest.json"})


def _writer(tag: str):
    def write(folder: Path) -> list[str]:
        for name in sorted(FILES):
            (folder / name).write_text(f"{tag}:{name}\n" * 50)
        return sorted(FILES)

    return write


def _write(out: Path, tag: str, protect=()) -> None:
    with claim(out, protect, FILES) as folder:
        folder.replace(_writer(tag))


def _tag(out: Path) -> str | None:
    """The tag of the complete results in ``out`` (all files agree and match the marker)."""
    assert owned_folder._ownership_problem(out) is None
    marker = json.loads((out / MARKER).read_text())
    assert marker["state"] == "complete"
    assert sorted(marker["files"]) == sorted(FILES)
    tags = {(out / n).read_text().split(":")[0] for n in FILES}
    assert len(tags) == 1, tags
    return tags.pop()


def _hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- writing


def test_writes_a_new_folder_with_its_parents(tmp_path):
    out = tmp_path / "runs" / "q1" / "out"
    _write(out, "new")
    assert _tag(out) == "new"
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, MARKER])
    assert _hidden(out.parent) == []


def test_replaces_its_own_previous_results(tmp_path):
    out = tmp_path / "out"
    _write(out, "old")
    _write(out, "new")
    assert _tag(out) == "new"
    assert _hidden(tmp_path) == []


def test_an_empty_folder_may_be_used(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    _write(out, "new")
    assert _tag(out) == "new"


def test_folders_and_files_follow_the_umask(tmp_path):
    previous = os.umask(0o027)
    try:
        _write(tmp_path / "out", "new")
    finally:
        os.umask(previous)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "out" / "a.csv").stat().st_mode & 0o777 == 0o640


def _legacy(out: Path) -> None:
    """Results as opsim 0.1.0 wrote them: no marker, manifest.json written last."""
    out.mkdir()
    (out / "a.csv").write_text("old")
    (out / "manifest.json").write_text(json.dumps({"package": "opsim", "version": "0.1.0"}))
    os.utime(out / "a.csv", ns=(1_000_000_000, 1_000_000_000))


def test_results_of_opsim_0_1_have_no_proof_and_are_refused(tmp_path):
    out = tmp_path / "out"
    _legacy(out)
    assert "holds results of opsim 0.1.0, which left no proof" in _refused(out)
    assert (out / "a.csv").read_text() == "old"


# --------------------------------------------------------------------------- refusals


def _refused(out, protect=()) -> str:
    with pytest.raises(FolderRefused) as info, claim(out, protect, FILES):
        pytest.fail("the claim must be refused")
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_folder_of_user_files_is_never_touched(tmp_path):
    out = tmp_path / "notes"
    (out / "sub").mkdir(parents=True)
    (out / "plan.md").write_text("my plan")
    (out / "sub" / "data.csv").write_text("1,2")
    before = _tree(out)
    assert "is a folder opsim did not write" in _refused(out)
    assert _tree(out) == before
    assert _hidden(tmp_path) == []


@pytest.mark.parametrize("where", [".", "", "..", "{cwd}"])
def test_the_working_directory_and_its_parents_are_refused(tmp_path, monkeypatch, where):
    cwd = tmp_path / "work"
    cwd.mkdir()
    (cwd / "scenario.yaml").write_text("name: x")
    monkeypatch.chdir(cwd)
    message = _refused(where.format(cwd=cwd))
    assert "the working directory" in message or "the folder name is empty" in message
    assert (cwd / "scenario.yaml").read_text() == "name: x"


def test_the_folder_of_the_scenario_is_refused(tmp_path):
    scenario = tmp_path / "plans" / "base.yaml"
    scenario.parent.mkdir()
    scenario.write_text("name: x")
    assert "holds the scenario file" in _refused(tmp_path / "plans", [scenario])
    assert "holds the scenario file" in _refused(tmp_path, [scenario])


def test_results_of_opsim_with_a_user_file_added_are_refused(tmp_path):
    out = tmp_path / "out"
    _write(out, "old")
    (out / "my-notes.txt").write_text("keep me")
    message = _refused(out)
    assert "my-notes.txt (not written by opsim)" in message
    assert (out / "my-notes.txt").read_text() == "keep me"
    assert all((out / n).read_text().startswith("old:") for n in FILES)


def test_results_of_opsim_with_a_changed_file_are_refused(tmp_path):
    out = tmp_path / "out"
    _write(out, "old")
    (out / "a.csv").write_text("edited by hand")
    assert "a.csv (changed)" in _refused(out)
    assert (out / "a.csv").read_text() == "edited by hand"


def test_a_folder_where_opsim_wrote_a_file_is_refused(tmp_path):
    out = tmp_path / "out"
    _write(out, "old")
    (out / "a.csv").unlink()
    (out / "a.csv").mkdir()
    (out / "a.csv" / "inner.txt").write_text("x")
    assert "a.csv (not a regular file)" in _refused(out)
    assert (out / "a.csv" / "inner.txt").read_text() == "x"


def test_a_file_is_not_a_folder(tmp_path):
    out = tmp_path / "out"
    out.write_text("data")
    assert _refused(out).endswith("exists and is not a folder")


def test_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real"
    _write(target, "old")
    link = tmp_path / "link"
    link.symlink_to(target)
    _write(link, "new")
    assert link.is_symlink()
    assert _tag(target) == "new"


def test_refusal_removes_the_parents_it_created(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("x")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "user.txt").write_text("x")
    _refused(tmp_path / "taken")
    with pytest.raises(FolderRefused), claim(tmp_path / "a" / "b" / "c", [], FILES):
        raise FolderRefused("refused later")
    assert not (tmp_path / "a").exists()


# --------------------------------------------------------------------------- the lock


def test_a_second_run_on_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    out = tmp_path / "out"
    with claim(out, [], FILES) as first:
        message = _refused(out)
        assert "another opsim run is writing it" in message
        assert f"pid {os.getpid()}" in message
        first.replace(_writer("first"))
    assert _tag(out) == "first"
    assert _hidden(tmp_path) == []  # the lock file goes with the run
    _write(out, "second")
    assert _tag(out) == "second"


def test_a_lock_file_left_by_a_killed_run_does_not_block(tmp_path):
    out = tmp_path / "out"
    (tmp_path / ".out.opsim-lock").write_text("pid 99999999")
    _write(out, "new")
    assert _tag(out) == "new"
    assert _hidden(tmp_path) == []


def test_a_failed_write_leaves_the_old_results_and_no_leftovers(tmp_path):
    out = tmp_path / "out"
    _write(out, "old")

    def broken(folder: Path) -> list[str]:
        (folder / "a.csv").write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError), claim(out, [], FILES) as folder:
        folder.replace(broken)
    assert _tag(out) == "old"
    assert _hidden(tmp_path) == []


def test_old_results_that_cannot_be_removed_are_reported_not_lost(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _write(out, "old")
    real_unlink = Path.unlink

    def refuse_old(self, *args, **kwargs):
        if ".opsim-" in self.parent.name and self.name == "a.csv":
            raise PermissionError(13, "Permission denied")
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", refuse_old)
    with claim(out, [], FILES) as folder:
        folder.replace(_writer("new"))
    assert _tag(out) == "new"
    assert len(folder.notes) == 1 and "in place" in folder.notes[0]
    monkeypatch.undo()
    _write(out, "newer")  # the next run tidies what was left
    assert _hidden(tmp_path) == []


# --------------------------------------------------------------------------- killed mid-way

_KILLER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from sim.experiments import folder_swap, owned_folder
    from tests.test_owned_folder import FILES, _writer

    stage, swap = sys.argv[1], sys.argv[2] == "swap"
    calls = {{"n": 0}}

    def die_at(name, real):
        def wrapped(*args, **kwargs):
            if name == stage:
                os._exit(9)
            result = real(*args, **kwargs)
            if name + ":after" == stage:
                os._exit(9)
            return result
        return wrapped

    if not swap:
        folder_swap._exchange = lambda a, b: False
    owned_folder._seal = die_at("seal", owned_folder._seal)
    owned_folder.swap_in = die_at("swap", owned_folder.swap_in)
    owned_folder._remove_owned = die_at("remove", owned_folder._remove_owned)
    real_rename = os.rename

    def rename(a, b):
        calls["n"] += 1
        if stage == f"rename{{calls['n']}}":
            os._exit(9)
        return real_rename(a, b)

    os.rename = rename
    real_unlink = Path.unlink

    def unlink(self, *args, **kwargs):
        real_unlink(self, *args, **kwargs)
        if stage == "unlink" and ".opsim-" in self.parent.name:
            os._exit(9)

    Path.unlink = unlink
    with owned_folder.claim(Path(sys.argv[3]), [], FILES) as folder:
        folder.replace(_writer("new"))
    """
)
_STAGES = ["seal", "seal:after", "swap", "rename1", "rename2", "swap:after", "unlink", "remove"]


_EXPECTED = {  # what --out holds once a run killed at each stage is followed by another
    "seal": "old",
    "seal:after": "old",
    "swap": "old",
    "rename1": "old",
    "rename2": "old",
    "swap:after": "new",
    "unlink": "new",
    "remove": "new",
}


def _content(out: Path) -> str:
    return (out / "a.csv").read_text().split(":")[0]


@pytest.mark.parametrize("swap", ["swap", "two-step"])
@pytest.mark.parametrize("stage", _STAGES)
def test_a_run_killed_at_any_step_leaves_complete_results(tmp_path, stage, swap):
    if swap == "swap" and stage.startswith("rename"):
        pytest.skip("an atomic swap renames nothing")
    out = tmp_path / "out"
    _write(out, "old")
    done = subprocess.run(
        [sys.executable, "-c", _KILLER.format(repo=str(REPO)), stage, swap, str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 9, done.stderr
    expected = _EXPECTED[stage]
    if swap == "two-step" and stage == "rename2":
        assert not out.exists()  # the one moment without --out: the next run puts it back
    else:
        assert _content(out) == expected
    with claim(out, [], FILES) as folder:  # the next run on the same folder
        assert _content(out) == expected
        assert owned_folder._ownership_problem(out) is None
        assert not any("left" in note for note in folder.notes), folder.notes
    assert _hidden(tmp_path) == []


def test_a_failed_second_rename_puts_the_old_results_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _write(out, "old")
    monkeypatch.setattr(folder_swap, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def rename(a, b):
        if Path(a).name.startswith(".out.opsim-new-"):
            raise OSError(28, "No space left on device")
        return real_rename(a, b)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError), claim(out, [], FILES) as folder:
        folder.replace(_writer("new"))
    assert _tag(out) == "old"
    assert _hidden(tmp_path) == []


# --------------------------------------------------------------------------- links and odd places


def test_a_link_planted_among_the_leftovers_is_never_followed(tmp_path):
    keep = tmp_path / "keep"
    _write(keep, "precious")
    planted = tmp_path / ".victim.opsim-new-1-abcdef12"
    planted.symlink_to(keep)
    _write(tmp_path / "victim", "new")
    assert planted.is_symlink()
    assert _tag(keep) == "precious"


def test_an_empty_folder_with_an_opsim_like_name_is_not_removed(tmp_path):
    mine = tmp_path / ".b.opsim-old-3-0123abcd"
    mine.mkdir()
    _write(tmp_path / "b", "new")
    assert mine.is_dir()


def test_out_replaced_by_a_link_during_the_run_is_not_written_through(tmp_path):
    out, keep = tmp_path / "out", tmp_path / "keep"
    _write(out, "old")
    _write(keep, "precious")

    def swap_out_for_a_link(folder: Path) -> list[str]:
        out.rename(tmp_path / "moved")
        out.symlink_to(keep)
        return _writer("new")(folder)

    with pytest.raises(FolderRefused, match="became a symbolic link"), claim(out, [], FILES) as c:
        c.replace(swap_out_for_a_link)
    assert _tag(keep) == "precious"
    assert out.is_symlink()
    assert _hidden(tmp_path) == []


def test_a_marker_naming_paths_is_not_opsims(tmp_path):
    out = tmp_path / "out"
    _write(out, "old")
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    marker = json.loads((out / MARKER).read_text())
    marker["files"]["../victim.txt"] = {"size": 4, "sha256": owned_folder._sha256(victim)}
    (out / MARKER).write_text(json.dumps(marker))
    assert "is a folder opsim did not write" in _refused(out)
    assert victim.read_text() == "mine"


def test_a_link_loop_is_refused(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert "does not resolve" in _refused(tmp_path / "a")


def test_a_path_through_a_file_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    assert _refused(tmp_path / "notes.txt" / "out").endswith("notes.txt is a file, not a folder")


def test_a_name_too_long_for_the_hidden_folder_is_refused_before_writing(tmp_path):
    message = _refused(tmp_path / ("x" * 240))
    assert "the folder name is too long" in message
    assert list(tmp_path.iterdir()) == []


def test_a_deleted_working_directory_is_not_a_traceback(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    _write(tmp_path / "out", "new")
    assert _tag(tmp_path / "out") == "new"
    assert "cannot resolve it" in _refused("relative/out")


def test_the_new_results_keep_the_old_folders_permissions(tmp_path):
    out = tmp_path / "out"
    _write(out, "old")
    out.chmod(0o700)
    _write(out, "new")
    assert out.stat().st_mode & 0o777 == 0o700


def test_a_signal_during_the_swap_is_delivered_after_it(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _write(out, "old")
    real = folder_swap._exchange

    def exchange_while_interrupted(a, b):
        os.kill(os.getpid(), signal.SIGINT)
        return real(a, b)

    monkeypatch.setattr(folder_swap, "_exchange", exchange_while_interrupted)
    with pytest.raises(KeyboardInterrupt), claim(out, [], FILES) as folder:
        folder.replace(_writer("new"))
    assert folder.replaced
    assert _tag(out) == "new"
    assert _hidden(tmp_path) == []


def test_an_entry_named_like_the_marker_is_no_proof(tmp_path):
    out = tmp_path / "out"
    (out / MARKER).mkdir(parents=True)
    (out / MARKER / "thesis.tex").write_text("mine")
    assert "is a folder opsim did not write" in _refused(out)
    assert (out / MARKER / "thesis.tex").read_text() == "mine"


def test_a_link_to_nothing_is_refused(tmp_path):
    (tmp_path / "out").symlink_to(tmp_path / "nowhere")
    assert "is a symbolic link that does not resolve" in _refused(tmp_path / "out")
    assert not (tmp_path / "nowhere").exists()


def test_results_moved_aside_by_a_killed_run_are_put_back(tmp_path):
    _write(tmp_path / "out", "old")
    (tmp_path / "out").rename(tmp_path / ".out.opsim-old-123-abcdef01")
    with claim(tmp_path / "out", [], FILES) as folder:
        assert _tag(tmp_path / "out") == "old"
        assert folder.notes == [
            f"restored {tmp_path / 'out'} from a run that was killed while replacing it"
        ]
    assert _hidden(tmp_path) == []


def test_results_whose_names_look_like_leftovers_of_another_folder_are_kept(tmp_path):
    # each was an --out of its own, before such names were refused: not a leftover of "out"
    for name in (".out.opsim-new-1-aaaaaaaa", ".out.opsim-old-2-bbbbbbbb"):
        with claim(tmp_path / "elsewhere", [], FILES) as folder:
            folder.replace(_writer(name))
        (tmp_path / "elsewhere").rename(tmp_path / name)
    _write(tmp_path / "out", "new")
    assert _tag(tmp_path / ".out.opsim-new-1-aaaaaaaa") == ".out.opsim-new-1-aaaaaaaa"
    assert _tag(tmp_path / ".out.opsim-old-2-bbbbbbbb") == ".out.opsim-old-2-bbbbbbbb"
    assert _tag(tmp_path / "out") == "new"


@pytest.mark.parametrize(
    "name", [".out.opsim-new-1-aaaaaaaa", ".x.opsim-old-22-0123abcd", ".out.opsim-lock"]
)
def test_names_of_opsims_hidden_files_are_refused(tmp_path, name):
    assert "belong to opsim's own hidden files" in _refused(tmp_path / name)


def test_the_new_results_keep_the_old_folders_group(tmp_path):
    out = tmp_path / "out"
    _write(out, "old")
    os.chown(out, -1, 100)
    if out.stat().st_gid != 100:
        pytest.skip("cannot give the folder another group here")
    _write(out, "new")
    assert out.stat().st_gid == 100


def test_another_users_lock_file_is_opened_for_reading(tmp_path, monkeypatch):
    out = tmp_path / "out"
    lock = tmp_path / ".out.opsim-lock"
    lock.write_text("")
    real_open = os.open

    def no_writing(path, flags, *args):
        if Path(path) == lock and flags & os.O_RDWR:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_writing)
    with claim(out, [], FILES) as folder:
        folder.replace(_writer("new"))
    assert _tag(out) == "new"
