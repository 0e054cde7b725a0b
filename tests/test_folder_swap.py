"""Tests for sim.experiments.folder_swap: the new folder goes in place in one step."""

from __future__ import annotations

import pytest

from sim.experiments import folder_swap
from sim.experiments.folder_swap import swap_in


def _folder(path, text):
    path.mkdir()
    (path / "f.txt").write_text(text)
    return path


def test_swap_into_an_empty_place_renames(tmp_path):
    new = _folder(tmp_path / "new", "new")
    assert swap_in(new, tmp_path / "out", tmp_path / "aside") is None
    assert (tmp_path / "out" / "f.txt").read_text() == "new"


def test_swap_exchanges_old_and_new(tmp_path):
    if not folder_swap._exchange(_folder(tmp_path / "x", "x"), _folder(tmp_path / "y", "y")):
        pytest.skip("this file system cannot exchange two paths")
    new, out = _folder(tmp_path / "new", "new"), _folder(tmp_path / "out", "old")
    old = swap_in(new, out, tmp_path / "aside")
    assert old == new
    assert (out / "f.txt").read_text() == "new"
    assert (old / "f.txt").read_text() == "old"


def test_without_exchange_the_old_folder_goes_aside(tmp_path, monkeypatch):
    monkeypatch.setattr(folder_swap, "_exchange", lambda a, b: False)
    new, out = _folder(tmp_path / "new", "new"), _folder(tmp_path / "out", "old")
    old = swap_in(new, out, tmp_path / "aside")
    assert old == tmp_path / "aside"
    assert (out / "f.txt").read_text() == "new"
    assert (old / "f.txt").read_text() == "old"
