"""The business-day calendar the rules count in: weekends and public holidays off, local dates."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from watcher.errors import ConfigError

if TYPE_CHECKING:
    from watcher.config import PolicySettings

__all__ = ["Workdays", "public_holidays"]

_ONE_DAY = timedelta(days=1)


def public_holidays(country: str) -> Container[date]:
    """The public holidays of ``country`` ("US", or with a subdivision, "US-CA", "DE-BY")."""
    import holidays  # imported when used: most configs name no country, and it is slow

    code, _, subdivision = country.strip().upper().partition("-")
    try:
        return holidays.country_holidays(code, subdiv=subdivision or None)
    except NotImplementedError as exc:
        raise ConfigError(
            "[policy]",
            [f"holidays_country = {country!r} is not a country the holidays package knows"],
        ) from exc


class Workdays:
    """Counts days the way the policy says: business days (the default) or calendar days.

    With ``business_days`` off every day is a working day, so "the next business
    day" is simply the next day and holidays do not apply.
    """

    def __init__(
        self, zone: ZoneInfo, *, business_days: bool = True, holidays: Container[date] = ()
    ) -> None:
        self.zone = zone
        self.business_days = business_days
        self._holidays = holidays

    @classmethod
    def from_policy(cls, policy: PolicySettings, zone: ZoneInfo) -> Workdays:
        days_off: Container[date] = ()
        if policy.business_days and policy.holidays_country:
            days_off = public_holidays(policy.holidays_country)
        return cls(zone, business_days=policy.business_days, holidays=days_off)

    def is_workday(self, day: date) -> bool:
        if not self.business_days:
            return True
        return day.weekday() < 5 and day not in self._holidays

    def add(self, day: date, count: int) -> date:
        """``count`` working days after ``day`` (``day`` itself when ``count`` is 0)."""
        for _ in range(count):
            day = self.next_workday(day)
        return day

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += _ONE_DAY
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the next one."""
        return day if self.is_workday(day) else self.next_workday(day)

    def local_date(self, moment: datetime) -> date:
        """The user's calendar date at ``moment``."""
        return moment.astimezone(self.zone).date()

    def start_of(self, day: date) -> datetime:
        """00:00 local on ``day``: the moment actions change."""
        return datetime.combine(day, time(0), tzinfo=self.zone)
