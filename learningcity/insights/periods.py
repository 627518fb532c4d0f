"""The periods a dashboard can show, and how they nest.

Figures are computed ahead for fixed periods, not for any pair of dates: that is what lets every
page answer from a lookup however large the city, and what lets suppression see every published
number at once (a month, its quarter and its year are related: the quarter is the sum of its
months, so a small month hidden on its own could be worked out from the quarter and the other
two months — ``insights.refresh`` suppresses them together).

Keys, as they appear in URLs and in ``Figure.period``:

``m2026-10``  a calendar month
``q2026-4``   a calendar quarter (4 = October to December)
``y2026``     a calendar year
``r12``       the twelve months ending with the month of the refresh (the current month so far)

The current month, quarter and year run to the refresh's "as of" moment. Pure: no Django.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

__all__ = ["ROLLING_12", "Period", "available", "month_keys_in", "parse"]

ROLLING_12 = "r12"
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_KEY = re.compile(r"^(?:m(\d{4})-(\d{1,2})|q(\d{4})-([1-4])|y(\d{4})|(r12))$")


@dataclass(frozen=True, order=True)
class Period:
    """``start`` inclusive, ``end`` exclusive (both dates); ``kind`` is month, quarter, year or
    rolling."""

    start: datetime.date
    end: datetime.date
    key: str
    kind: str
    label: str

    def months(self) -> tuple[str, ...]:
        """The month keys this period is the sum of, in order."""
        return tuple(month_keys_in(self.start, self.end))

    @property
    def phrase(self) -> str:
        """The label as it reads mid-sentence ("showing the last 12 months")."""
        return "the last 12 months" if self.kind == "rolling" else self.label

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day < self.end


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_keys_in(start: datetime.date, end: datetime.date) -> list[str]:
    keys = []
    month = _month_start(start)
    while month < end:
        keys.append(f"m{month.year}-{month.month:02d}")
        month = _add_months(month, 1)
    return keys


def month(year: int, number: int) -> Period:
    start = datetime.date(year, number, 1)
    return Period(
        start,
        _add_months(start, 1),
        f"m{year}-{number:02d}",
        "month",
        f"{_MONTHS[number - 1]} {year}",
    )


def quarter(year: int, number: int) -> Period:
    start = datetime.date(year, 3 * (number - 1) + 1, 1)
    first, last = _MONTHS[start.month - 1], _MONTHS[start.month + 1]
    return Period(
        start, _add_months(start, 3), f"q{year}-{number}", "quarter", f"{first} to {last} {year}"
    )


def year(number: int) -> Period:
    start = datetime.date(number, 1, 1)
    return Period(start, datetime.date(number + 1, 1, 1), f"y{number}", "year", str(number))


def rolling_12(as_of: datetime.date) -> Period:
    end = _add_months(_month_start(as_of), 1)
    start = _add_months(end, -12)
    return Period(start, end, ROLLING_12, "rolling", "The last 12 months")


def parse(key: str, *, as_of: datetime.date) -> Period | None:
    """The period for ``key``, or None if it is not a key (never raises for input)."""
    match = _KEY.match(key or "")
    if match is None:
        return None
    m_year, m_month, q_year, q_number, y_year, rolling = match.groups()
    if rolling:
        return rolling_12(as_of)
    if m_year:
        number = int(m_month)
        return month(int(m_year), number) if 1 <= number <= 12 else None
    if q_year:
        return quarter(int(q_year), int(q_number))
    return year(int(y_year))


def available(*, first: datetime.date, as_of: datetime.date, max_months: int = 36) -> list[Period]:
    """Every period with figures, for data from ``first`` to ``as_of``: the rolling year, then
    years, quarters and months, newest first. At most ``max_months`` months back."""
    earliest = max(_month_start(first), _add_months(_month_start(as_of), -(max_months - 1)))
    periods: list[Period] = [rolling_12(as_of)]
    years = range(as_of.year, earliest.year - 1, -1)
    periods += [year(y) for y in years]
    quarters = []
    for y in years:
        for q in range(4, 0, -1):
            candidate = quarter(y, q)
            if candidate.start <= as_of and candidate.end > earliest:
                quarters.append(candidate)
    periods += quarters
    month_start = _month_start(as_of)
    while month_start >= earliest:
        periods.append(month(month_start.year, month_start.month))
        month_start = _add_months(month_start, -1)
    return periods
