"""The countries and subdivisions a site may name, as the ``holidays`` package knows them.

A site's ``country`` (ISO 3166-1 alpha-2, e.g. ``IE``) and ``subdivision``
(e.g. ``NY`` of ``US``) select the public holidays the model takes from the
``holidays`` package. The package is imported here only when a scenario names a
country, so ``import sim`` and ``opsim --help`` never load it.

Codes are matched regardless of case and stored as the package spells them
(``us`` becomes ``US``); a subdivision may also be given by the name the
package knows it by (``New York`` becomes ``NY``). A wrong code fails with one
line that says how to find the right one.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from sim.errors import clip

FIND_CODES = "python -c 'import holidays; print(*holidays.list_supported_countries(False))'"
"""How a user finds the country codes (in the message for an unknown one)."""
_LISTED = 12  # subdivisions listed in a message


def check_country(value: str) -> str:
    """``value`` as the package's alpha-2 code, or ValueError saying how to find codes."""
    code = value.strip().upper()
    if code in _countries():
        return code
    guess = _country_guess(value)
    hint = f"; did you mean {guess!r}?" if guess else ""
    raise ValueError(
        f"unknown country code (got {clip(value, 40)!r}){hint}; give an ISO 3166-1 alpha-2 "
        f"code the holidays package knows, e.g. 'US', 'IE', 'SG' ({FIND_CODES} lists them)"
    )


def check_subdivision(country: str, value: str) -> str:
    """``value`` as a subdivision code of ``country`` (a known alpha-2 code), or ValueError."""
    codes = _countries()[country]
    wanted = value.strip().casefold()
    by_fold = {code.casefold(): code for code in codes}
    by_fold.update((name.casefold(), code) for name, code in _aliases(country).items())
    if wanted in by_fold:
        return by_fold[wanted]
    if not codes:
        raise ValueError(
            f"the holidays package knows no subdivisions of {country} (got "
            f"{clip(value, 40)!r}); leave subdivision out"
        )
    listed = ", ".join(codes[:_LISTED])
    if len(codes) > _LISTED:
        listed += f" and {len(codes) - _LISTED} more"
    raise ValueError(f"unknown subdivision of {country} (got {clip(value, 40)!r}); known: {listed}")


@cache
def _countries() -> dict[str, tuple[str, ...]]:
    """Alpha-2 code -> its subdivision codes, as the package lists them."""
    import holidays  # slowish, and not needed unless a site names a country

    listed = holidays.list_supported_countries(include_aliases=False)
    return {code: tuple(subdivisions) for code, subdivisions in listed.items()}


@cache
def _aliases(country: str) -> dict[str, str]:
    """Subdivision names the package takes for codes (``New York`` -> ``NY``)."""
    import holidays

    try:
        return dict(holidays.country_holidays(country).subdivisions_aliases)
    except Exception:  # an older package without aliases: codes only
        return {}


def _folded(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold())


@cache
def _names() -> dict[str, str]:
    """Folded country names and alpha-3 codes -> alpha-2 code (for a did-you-mean)."""
    try:
        from holidays.registry import COUNTRIES  # the package's own table of countries

        entries = [entry for entry in COUNTRIES.values() if len(entry) >= 3]
    except Exception:  # the table moved: no suggestion, the message still says how to look
        return {}
    names = {_folded(entry[0]): entry[1] for entry in entries}  # UnitedStates -> US
    names.update((_folded(entry[2]), entry[1]) for entry in entries)  # USA -> US
    return {name: code for name, code in names.items() if code in _countries()}


def _country_guess(value: str) -> str | None:
    """The alpha-2 code a country name, alpha-3 code or misspelt name most likely meant."""
    folded = _folded(value)
    names = _names()
    if folded in names:
        return names[folded]
    if len(folded) < 4:  # two or three letters are too alike to guess between
        return None
    close = difflib.get_close_matches(folded, names, n=1, cutoff=0.8)
    return names[close[0]] if close else None
