"""A lead's display company: text names beat the domain spelt out, and later mail cannot flip it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nlp.types import Kind
from watcher.domain import Direction
from watcher.leads import GroupInput, group

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def mail(key: str, day: int, sender: str, company: str | None) -> GroupInput:
    return GroupInput(
        key=key,
        message_id=f"{key}@mail",
        direction=Direction.INBOUND,
        sent_at=START + timedelta(days=day),
        sender=sender,
        recipients=("sam@example.net",),
        kind=Kind.RECRUITER_REPLY,
        company=company,
    )


KESTREL = "ana@kestrelhealth.org"


@pytest.mark.parametrize(
    ("companies", "expected"),
    [
        # the text's spelling wins over the domain spelt out, whichever came first
        (["Kestrel Health", "Kestrelhealth"], "Kestrel Health"),
        (["Kestrelhealth", "Kestrel Health", "Kestrelhealth"], "Kestrel Health"),
        (["Kestrelhealth", "Kestrelhealth"], "Kestrelhealth"),
        # then the most frequent text name
        (["Kestrel", "Kestrel Health", "Kestrel Health"], "Kestrel Health"),
        # a tie goes to the earliest message, not the latest
        (["Kestrel Health", "Kestrel Health Trust"], "Kestrel Health"),
        (["Kestrel Health Trust", "Kestrel Health"], "Kestrel Health Trust"),
        # messages without a company do not count
        ([None, "Kestrel Health", None], "Kestrel Health"),
    ],
)
def test_display_company(companies: list[str | None], expected: str) -> None:
    messages = [mail(f"m{i}", i, KESTREL, c) for i, c in enumerate(companies)]
    [lead] = group(messages)
    assert lead.company == expected


def test_domain_as_one_word_loses_to_any_text_name() -> None:
    sender = "li@northwindanalytics.com"
    messages = [mail("a", 0, sender, "Northwindanalytics")]
    messages += [mail("b", 1, sender, "Northwindanalytics"), mail("c", 2, sender, "Northwind")]
    [lead] = group(messages)
    assert lead.company == "Northwind"


def test_name_does_not_flip_as_mail_arrives() -> None:
    history = [
        mail("a", 0, KESTREL, "Kestrel Health"),
        mail("b", 1, KESTREL, "Kestrelhealth"),
        mail("c", 2, KESTREL, "Kestrel"),
        mail("d", 3, KESTREL, "Kestrelhealth"),
    ]
    names = [group(history[: n + 1])[0].company for n in range(len(history))]
    assert names == ["Kestrel Health"] * 4
    # the lead's key and members do not depend on the name, and re-running agrees
    assert group(history) == group(list(reversed(history)))
    assert group(history)[0].key == "lead:a"


def test_ats_mail_keeps_the_company_it_named() -> None:
    messages = [
        mail("a", 0, "no-reply@greenhouse.io", "Acme Robotics"),
        mail("b", 1, "no-reply@greenhouse.io", "Acme Robotics"),
    ]
    assert group(messages)[0].company == "Acme Robotics"
