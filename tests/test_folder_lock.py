"""Tests for sim.experiments.folder_lock: one run per folder, never writing through links."""

from __future__ import annotations

import os

import pytest

from sim.errors import FolderRefused
from sim.experiments.folder_lock import folder_lock, lock_path


def test_the_lock_sits_beside_the_folder_and_goes_with_the_run(tmp_path):
    out = tmp_path / "out"
    with folder_lock(out):
        assert lock_path(out) == tmp_path / ".out.opsim-lock"
        assert lock_path(out).read_text().startswith(f"pid {os.getpid()}, since ")
    assert not lock_path(out).exists()


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path):
    out = tmp_path / "out"
    with folder_lock(out), pytest.raises(FolderRefused) as info, folder_lock(out):
        pass
    assert f"another opsim run is writing it (pid {os.getpid()}" in str(info.value)


def test_different_folders_in_one_parent_do_not_block_each_other(tmp_path):
    with folder_lock(tmp_path / "a"), folder_lock(tmp_path / "b"):
        pass


def test_a_lock_file_left_by_a_killed_run_is_taken_over(tmp_path):
    lock_path(tmp_path / "out").write_text("pid 99999999")
    with folder_lock(tmp_path / "out"):
        pass


def test_a_link_at_the_lock_path_is_refused_and_its_target_untouched(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("IMPORTANT DATA")
    lock_path(tmp_path / "out").symlink_to(victim)
    refused = pytest.raises(FolderRefused, match="is a symbolic link, not opsim's lock file")
    with refused, folder_lock(tmp_path / "out"):
        pass
    assert victim.read_text() == "IMPORTANT DATA"
    assert lock_path(tmp_path / "out").is_symlink()


def test_a_folder_at_the_lock_path_is_refused(tmp_path):
    lock_path(tmp_path / "out").mkdir()
    refused = pytest.raises(FolderRefused, match="is a folder, not opsim's lock file")
    with refused, folder_lock(tmp_path / "out"):
        pass
