"""Tests for sim.scenario.zones: the time zones a scenario may name."""

from __future__ import annotations

import pytest

from sim.scenario.zones import is_time_zone


@pytest.mark.parametrize("name", ["UTC", "Europe/Dublin", "America/St_Johns", "Asia/Kathmandu"])
def test_places_are_time_zones(name):
    assert is_time_zone(name)


@pytest.mark.parametrize(
    "name", ["America", "localtime", "Factory", "posixrules", "../etc/passwd", "", "x" * 300, 7]
)
def test_folders_paths_and_machine_names_are_not(name):
    assert not is_time_zone(name)
