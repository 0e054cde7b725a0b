"""Public holidays: a site's country (and subdivision) from the holidays package, plus its own."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from sim.model import calendar
from sim.model.holidays import country_holidays, holiday_years, site_holidays
from sim.model.staff import shift_schedule
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Site
from tests.scenarios import tiny

REPO = Path(__file__).resolve().parent.parent


def site(**fields) -> Site:
    return Site(id="hq", timezone="UTC", **fields)


def only_problem(path: Path) -> str:
    """The single one-line problem of a scenario file that must not load."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (line,) = info.value.problems
    assert "\n" not in line and "Traceback" not in line
    return line


# --------------------------------------------------------------------------- from the package


def test_country_holidays_come_from_the_package_for_any_year():
    dublin = site_holidays(site(country="IE"), date(2031, 6, 1), 365)
    assert date(2031, 12, 25) in dublin  # Christmas Day
    assert date(2031, 12, 26) in dublin  # St Stephen's Day
    assert date(2031, 3, 17) in dublin  # St Patrick's Day
    new_york = site_holidays(site(country="US", subdivision="NY"), date(2040, 1, 2), 365)
    assert date(2040, 11, 22) in new_york  # Thanksgiving, 4th Thursday of November
    assert date(2040, 7, 4) in new_york


def test_a_subdivision_adds_to_its_country():
    start = date(2040, 1, 2)
    country = set(site_holidays(site(country="US"), start, 365))
    state = set(site_holidays(site(country="US", subdivision="NY"), start, 365))
    assert country < state


def test_own_dates_add_to_the_country_and_the_result_is_sorted_and_unique():
    own = (date(2031, 7, 1), date(2031, 12, 25), date(2031, 7, 1) - timedelta(days=400))
    got = site_holidays(site(country="IE", holidays=own), date(2031, 1, 6), 90)
    assert set(own) <= set(got)
    assert date(2031, 12, 25) in got and date(2031, 3, 17) in got
    assert list(got) == sorted(set(got))
    assert set(got) == set(own) | set(site_holidays(site(country="IE"), date(2031, 1, 6), 90))


def test_without_a_country_only_the_sites_own_dates():
    own = (date(2027, 3, 17), date(2027, 1, 1))
    assert site_holidays(site(holidays=own), date(2027, 1, 4), 90) == tuple(sorted(own))
    assert site_holidays(site(), date(2027, 1, 4), 90) == ()


def test_the_years_either_side_of_the_horizon_are_included():
    assert holiday_years(date(2030, 12, 31), 2) == (2029, 2030, 2031, 2032)
    assert holiday_years(date(2027, 1, 4), 90) == (2026, 2027, 2028)
    got = site_holidays(site(country="IE"), date(2030, 12, 31), 2)
    assert date(2029, 12, 25) in got and date(2032, 1, 1) in got


def test_lookups_are_cached():
    years = holiday_years(date(2033, 1, 3), 30)
    first = country_holidays("SG", None, years)
    before = country_holidays.cache_info().hits
    assert country_holidays("SG", None, years) is first
    assert country_holidays.cache_info().hits == before + 1


# --------------------------------------------------------------------------- shifts


def test_no_shift_on_a_package_holiday():
    s = tiny(
        calendar={"start": "2031-12-22", "days": 7},
        sites=[{"id": "hq", "timezone": "Europe/Dublin", "country": "IE"}],
        shifts=[{"id": "always", "start": "09:00", "end": "17:00", "timezone": "local"}],
    )
    days = {
        calendar.local_datetime(lo, s.calendar.start, "Europe/Dublin").date()
        for lo, _ in shift_schedule(s, s.shifts[0], s.sites[0])
    }
    every = {date(2031, 12, 22) + timedelta(days=k) for k in range(7)}
    assert days == every - {date(2031, 12, 25), date(2031, 12, 26)}


def test_shifts_without_a_country_are_unchanged():
    s = tiny(calendar={"start": "2031-12-22", "days": 7})
    assert len(shift_schedule(s, s.shifts[0], s.sites[0])) == 1  # one 24/7 interval
    assert s.sites[0].country is None


# --------------------------------------------------------------------------- validation


def test_codes_are_matched_regardless_of_case_and_stored_as_the_package_spells_them():
    s = tiny(sites=[{"id": "hq", "timezone": "UTC", "country": "us", "subdivision": "ny"}])
    assert (s.sites[0].country, s.sites[0].subdivision) == ("US", "NY")
    s = tiny(sites=[{"id": "hq", "timezone": "UTC", "country": "US", "subdivision": "New York"}])
    assert s.sites[0].subdivision == "NY"


def with_site(mmc_data, **fields) -> dict:
    mmc_data["sites"][0].update(fields)
    return mmc_data


def test_unknown_country_is_one_clear_line(mmc_data, write_scenario):
    path = write_scenario(with_site(mmc_data, country="XX"))
    line = only_problem(path)
    assert line.startswith(f"{path}: sites[{mmc_data['sites'][0]['id']}].country: ")
    assert "unknown country code" in line and "'XX'" in line
    assert "ISO 3166-1 alpha-2" in line and "list_supported_countries" in line


def test_a_country_name_or_alpha3_code_suggests_the_code(mmc_data, write_scenario):
    assert "did you mean 'IE'?" in only_problem(
        write_scenario(with_site(mmc_data, country="Ireland"))
    )
    assert "did you mean 'US'?" in only_problem(write_scenario(with_site(mmc_data, country="USA")))


def test_unknown_subdivision_lists_the_countrys(mmc_data, write_scenario):
    path = write_scenario(with_site(mmc_data, country="US", subdivision="QQ"))
    line = only_problem(path)
    assert line.startswith(f"{path}: sites[{mmc_data['sites'][0]['id']}].subdivision: ")
    assert "unknown subdivision of US" in line and "'QQ'" in line
    assert "AK, AL" in line and "more" in line  # trimmed
    assert len(line) < 300


def test_subdivision_of_a_country_without_any(mmc_data, write_scenario):
    line = only_problem(write_scenario(with_site(mmc_data, country="SG", subdivision="X")))
    assert "knows no subdivisions of SG" in line


def test_subdivision_without_country_is_an_error(mmc_data, write_scenario):
    line = only_problem(write_scenario(with_site(mmc_data, subdivision="NY")))
    assert line.endswith(
        ".subdivision: a subdivision needs the site's country (e.g. country: US) (got 'NY')"
    )


def test_a_bad_country_is_reported_once_with_its_subdivision(mmc_data, write_scenario):
    line = only_problem(write_scenario(with_site(mmc_data, country="XX", subdivision="NY")))
    assert ".country: " in line


# --------------------------------------------------------------------------- imports


def test_the_package_is_not_imported_for_import_sim_or_help():
    code = (
        "import sys\n"
        "import sim, sim.scenario.schema, sim.model.staff, sim.model.leave\n"
        "from sim.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('holidays' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
