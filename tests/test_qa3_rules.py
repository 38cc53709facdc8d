"""QA round 3, pure rules: an interview time read in a Date header's offset across a DST change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from nlp.types import Kind
from tests.test_rules import Row, inbound, lead, run
from watcher.domain import Action

EDT = timezone(timedelta(hours=-4))  # the Date header of a mail sent before 2026-11-01
CET = timezone(timedelta(hours=1))


def _confirmed(sent: str, interview: datetime, zone: str | None) -> object:
    return inbound(
        sent,
        Kind.INTERVIEW_CONFIRMATION,
        interview_at=interview,
        interview_has_time=True,
        interview_tz=zone,
    )


# Sent Fri 2026-10-30 (EDT) about "Tuesday, November 3 at 10:00 AM" (EST by then): the sender
# keeps New York's clock, so the interview is at 10:00 EST, not 10:00-04:00 (= 09:00 EST).
BEFORE_DST_END = _confirmed("2026-10-30 10:00", datetime(2026, 11, 3, 10, tzinfo=EDT), "-04:00")
# A Date offset that is not the user's (Paris, +01:00) is kept as it is: 10:00+01:00 = 04:00 NY.
FOREIGN = _confirmed("2026-10-30 10:00", datetime(2026, 11, 3, 10, tzinfo=CET), "+01:00")
# A zone the mail named keeps its own offset (nlp resolved it for the interview's date).
NAMED = _confirmed(
    "2026-10-30 10:00", datetime(2026, 11, 3, 10, tzinfo=timezone(timedelta(hours=-5))), "ET"
)

ROWS: dict[str, Row] = {
    "dst-week-interview-still-ahead-at-0930-local": Row(
        lead(BEFORE_DST_END), "2026-11-03 09:30", Action.WAIT, "2026-11-03"
    ),
    "dst-week-interview-past-at-1000-local": Row(
        lead(BEFORE_DST_END), "2026-11-03 10:00", Action.THANK, "2026-11-04"
    ),
    "foreign-offset-is-kept": Row(lead(FOREIGN), "2026-11-03 04:30", Action.THANK, "2026-11-04"),
    "named-zone-is-kept": Row(lead(NAMED), "2026-11-03 09:30", Action.WAIT, "2026-11-03"),
}


@pytest.mark.parametrize("row", list(ROWS.values()), ids=list(ROWS))
def test_interview_time_across_a_dst_change(row: Row) -> None:
    decision = run(row.timeline, row.now)
    assert (decision.action, decision.due and decision.due.isoformat()) == (row.action, row.due), (
        decision.reason
    )
