"""Grouping messages into leads: threads, recruiter addresses, companies, the user's mail."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nlp.types import Kind
from watcher.domain import Direction
from watcher.leads import GroupInput, GroupOverrides, LeadGroup, company_tokens, group

NY = ZoneInfo("America/New_York")
START = datetime(2026, 3, 2, 9, 0, tzinfo=NY)
ME = "sam@example.net"


def mail(
    key: str,
    day: int,
    sender: str,
    kind: Kind | None = Kind.RECRUITER_REPLY,
    *,
    reply_to: str | None = None,
    **extra: Any,
) -> GroupInput:
    """An inbound message with Message-ID ``<key@mail>``, ``day`` days after START."""
    return GroupInput(
        key=key,
        message_id=f"{key}@mail",
        direction=Direction.INBOUND,
        sent_at=START + timedelta(days=day),
        sender=sender,
        recipients=(ME,),
        in_reply_to=f"{reply_to}@mail" if reply_to else None,
        references=(f"<{reply_to}@mail>",) if reply_to else (),
        kind=kind,
        **extra,
    )


def sent(key: str, day: int, to: str, *, reply_to: str | None = None) -> GroupInput:
    return GroupInput(
        key=key,
        message_id=f"{key}@mail",
        direction=Direction.OUTBOUND,
        sent_at=START + timedelta(days=day, hours=1),
        sender=ME,
        recipients=(to,),
        in_reply_to=f"{reply_to}@mail" if reply_to else None,
        references=(f"{reply_to}@mail",) if reply_to else (),
    )


def members(groups: list[LeadGroup]) -> list[set[str]]:
    return [set(g.message_keys) for g in groups]


GH = "no-reply@greenhouse.io"

CASES: dict[str, tuple[list[GroupInput], list[set[str]]]] = {
    "thread-with-replies-is-one-lead": (
        [
            mail("a1", 0, "priya@northwind.com", Kind.INTERVIEW_INVITATION),
            sent("a2", 0, "priya@northwind.com", reply_to="a1"),
            mail("a3", 1, "priya@northwind.com", Kind.INTERVIEW_CONFIRMATION, reply_to="a2"),
        ],
        [{"a1", "a2", "a3"}],
    ),
    "thread-beats-a-different-sender": (
        [
            mail("a1", 0, "priya@northwind.com", Kind.INTERVIEW_INVITATION),
            mail("a2", 1, "scheduler@calendly.com", Kind.INTERVIEW_CONFIRMATION, reply_to="a1"),
        ],
        [{"a1", "a2"}],
    ),
    "same-recruiter-new-thread-joins": (
        [
            mail("a1", 0, "lena@orchard.io", Kind.INTERVIEW_CONFIRMATION),
            mail("a2", 9, "lena@orchard.io", Kind.FEEDBACK_PROMISE),
        ],
        [{"a1", "a2"}],
    ),
    "same-company-domain-joins": (
        [
            mail("a1", 0, "careers@ferris.co.uk", Kind.APPLICATION_ACK),
            mail("a2", 5, "tom@mail.ferris.co.uk", Kind.INTERVIEW_INVITATION),
        ],
        [{"a1", "a2"}],
    ),
    "ats-mail-grouped-by-named-company": (
        [
            mail("b1", 0, GH, Kind.APPLICATION_ACK, company="Bluefin Robotics"),
            mail("k1", 1, GH, Kind.APPLICATION_ACK, company="Kestrel Health"),
            mail("b2", 6, GH, Kind.INTERVIEW_INVITATION, company="Bluefin Robotics"),
        ],
        [{"b1", "b2"}, {"k1"}],
    ),
    "ats-and-company-domain-meet": (
        [
            mail("b1", 0, GH, Kind.APPLICATION_ACK, company="Bluefin Robotics, Inc."),
            mail("b2", 6, "marco@bluefinrobotics.com", Kind.INTERVIEW_INVITATION),
        ],
        [{"b1", "b2"}],
    ),
    "ats-without-company-stays-alone": (
        [
            mail("x1", 0, GH, Kind.APPLICATION_ACK),
            mail("x2", 1, GH, Kind.APPLICATION_ACK),
        ],
        [{"x1"}, {"x2"}],
    ),
    "ats-display-name-names-the-company": (
        [
            mail("b1", 0, GH, Kind.APPLICATION_ACK, sender_name="Bluefin Robotics Recruiting"),
            mail("b2", 6, GH, Kind.INTERVIEW_INVITATION, sender_name="Bluefin Robotics"),
            mail("k1", 1, GH, Kind.APPLICATION_ACK, sender_name="Kestrel Health Careers"),
        ],
        [{"b1", "b2"}, {"k1"}],
    ),
    "ats-brand-display-name-names-nobody": (
        [
            mail(
                "l1", 0, "jobs-noreply@linkedin.com", Kind.APPLICATION_ACK, sender_name="LinkedIn"
            ),
            mail(
                "l2", 1, "jobs-noreply@linkedin.com", Kind.APPLICATION_ACK, sender_name="LinkedIn"
            ),
        ],
        [{"l1"}, {"l2"}],
    ),
    "free-mail-recruiters-are-not-one-company": (
        [
            mail("g1", 0, "ann.recruits@gmail.com", Kind.RECRUITER_REPLY),
            mail("g2", 1, "bob.hires@gmail.com", Kind.RECRUITER_REPLY),
        ],
        [{"g1"}, {"g2"}],
    ),
    "different-companies-different-leads": (
        [
            mail("a1", 0, "priya@northwind.com", Kind.INTERVIEW_INVITATION),
            mail("c1", 0, "lena@orchard.io", Kind.INTERVIEW_INVITATION),
        ],
        [{"a1"}, {"c1"}],
    ),
    "not-job-makes-no-lead-and-joins-none": (
        [
            mail("n1", 0, "alerts@jobfinder.example", Kind.NOT_JOB),
            mail("a1", 1, "priya@northwind.com", Kind.INTERVIEW_INVITATION),
            mail("n2", 2, "priya@northwind.com", Kind.NOT_JOB, reply_to="a1"),
        ],
        [{"a1"}],
    ),
    "unanalysed-mail-makes-no-lead": (
        [mail("u1", 0, "priya@northwind.com", None)],
        [],
    ),
    "outbound-joins-by-recipient-address": (
        [
            mail("c1", 0, "lena@orchard.io", Kind.INTERVIEW_CONFIRMATION),
            sent("c2", 10, "lena@orchard.io"),
        ],
        [{"c1", "c2"}],
    ),
    "outbound-joins-by-recipient-domain": (
        [
            mail("c1", 0, "lena@orchard.io", Kind.INTERVIEW_CONFIRMATION),
            sent("c2", 10, "jobs@orchard.io"),
        ],
        [{"c1", "c2"}],
    ),
    "outbound-application-before-the-ack-joins": (
        [
            sent("f0", -1, "jobs@ferrisandco.com"),
            mail("f1", 0, "careers@ferrisandco.com", Kind.APPLICATION_ACK),
        ],
        [{"f0", "f1"}],
    ),
    "outbound-to-nobody-known-is-ignored": (
        [
            mail("c1", 0, "lena@orchard.io", Kind.INTERVIEW_CONFIRMATION),
            sent("p1", 1, "jordan.lee@example.com"),
            sent("p2", 2, "friend@gmail.com"),
        ],
        [{"c1"}],
    ),
    "outbound-reply-to-not-job-is-ignored": (
        [
            mail("n1", 0, "jordan.lee@example.com", Kind.NOT_JOB),
            sent("n2", 0, "jordan.lee@example.com", reply_to="n1"),
        ],
        [],
    ),
}


@pytest.mark.parametrize(("messages", "expected"), CASES.values(), ids=CASES.keys())
def test_group(messages: list[GroupInput], expected: list[set[str]]) -> None:
    assert sorted(map(sorted, members(group(messages)))) == sorted(map(sorted, expected))


def _scenario() -> list[GroupInput]:
    return [
        mail("a1", 0, "priya@northwind.com", Kind.INTERVIEW_INVITATION, company="Northwind"),
        sent("a2", 0, "priya@northwind.com", reply_to="a1"),
        mail("a3", 1, "priya@northwind.com", Kind.INTERVIEW_CONFIRMATION, reply_to="a2"),
        mail("b1", 1, GH, Kind.APPLICATION_ACK, company="Bluefin Robotics"),
        mail("b2", 7, GH, Kind.REJECTION, company="Bluefin Robotics"),
        mail("c1", 3, "lena@orchard.io", Kind.INTERVIEW_CONFIRMATION),
        sent("c2", 10, "lena@orchard.io", reply_to="c1"),
        mail("n1", 2, "alerts@jobfinder.example", Kind.NOT_JOB),
    ]


def test_grouping_is_deterministic_and_idempotent() -> None:
    messages = _scenario()
    first = group(messages)
    shuffled = list(messages)
    random.Random(4).shuffle(shuffled)
    assert group(shuffled) == first
    assert group(messages + messages[:3]) == first  # the same mail seen in two folders


def test_keys_survive_new_mail() -> None:
    before = {g.key: set(g.message_keys) for g in group(_scenario())}
    later = [
        *_scenario(),
        mail("a4", 20, "priya@northwind.com", Kind.OFFER),
        mail("d1", 21, "hr@delta.example", Kind.APPLICATION_ACK),
    ]
    after = {g.key: set(g.message_keys) for g in group(later)}
    assert set(before) < set(after)
    assert after["lead:a1"] == before["lead:a1"] | {"a4"}


def test_lead_describes_company_and_contact() -> None:
    groups = {g.key: g for g in group(_scenario())}
    assert (groups["lead:a1"].company, groups["lead:a1"].contact_email) == (
        "Northwind",
        "priya@northwind.com",
    )
    assert (groups["lead:b1"].company, groups["lead:b1"].contact_email) == (
        "Bluefin Robotics",
        None,
    )
    assert groups["lead:c1"].company == "orchard.io"


def test_detected_recruiter_in_ats_mail_is_the_contact() -> None:
    found = group(
        [
            mail(
                "b1",
                0,
                GH,
                Kind.INTERVIEW_CONFIRMATION,
                company="Bluefin",
                contact_email="Marco@Bluefin.com",
            )
        ]
    )
    assert found[0].contact_email == "marco@bluefin.com"


def test_ignore_rules_drop_senders_and_domains() -> None:
    rules = GroupOverrides(
        ignored_senders=frozenset({"lena@orchard.io"}), ignored_domains=frozenset({"greenhouse.io"})
    )
    assert members(group(_scenario(), rules)) == [{"a1", "a2", "a3"}]


def test_merge_override_joins_lead_into_another() -> None:
    merged = group(_scenario(), GroupOverrides(merges={"lead:c1": "lead:a1"}))
    assert {g.key: set(g.message_keys) for g in merged} == {
        "lead:a1": {"a1", "a2", "a3", "c1", "c2"},
        "lead:b1": {"b1", "b2"},
    }


def test_merge_into_a_missing_lead_changes_nothing() -> None:
    assert group(_scenario(), GroupOverrides(merges={"lead:c1": "lead:zz"})) == group(_scenario())


def test_split_override_moves_a_message_to_its_own_lead() -> None:
    found = {
        g.key: set(g.message_keys)
        for g in group(_scenario(), GroupOverrides(splits=frozenset({"b2"})))
    }
    assert found["lead:b1"] == {"b1"}
    assert found["split:b2"] == {"b2"}


@pytest.mark.parametrize(
    ("name", "domain", "tokens"),
    [
        ("Acme, Inc.", None, {"acme", "acmeinc"}),
        ("Ferris & Co", None, {"ferris", "ferrisandco"}),
        (None, "careers.acme.co.uk", {"acme"}),
        (None, "acme.com", {"acme"}),
        (None, "mail.northwind-analytics.com", {"northwindanalytics"}),
    ],
    ids=["legal-suffix", "ampersand", "uk-second-level", "plain", "subdomain"],
)
def test_company_tokens(name: str | None, domain: str | None, tokens: set[str]) -> None:
    assert company_tokens(name, domain) == tokens


def test_named_company_meets_its_domain() -> None:
    found = group(
        [
            mail("f1", 0, GH, Kind.APPLICATION_ACK, company="Ferris & Co"),
            mail("f2", 3, "ana@ferrisandco.com", Kind.INTERVIEW_INVITATION),
        ]
    )
    assert members(found) == [{"f1", "f2"}]


HANK = "hank@hooli.com"
_AWAY = {"auto_reply": True}


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        (  # answers the user's thank-you in its thread: joins whatever its kind
            [
                mail("h1", 0, HANK, Kind.INTERVIEW_CONFIRMATION),
                sent("h2", 3, HANK, reply_to="h1"),
                mail("h3", 3, HANK, Kind.NOT_JOB, reply_to="h2", **_AWAY),
            ],
            [{"h1", "h2", "h3"}],
        ),
        (  # the thank-you started a new thread: joins by the thread of the user's mail
            [
                mail("h1", 0, HANK, Kind.INTERVIEW_CONFIRMATION),
                sent("h2", 3, "hank.moody@hooli.com"),
                mail("h3", 3, "hank.moody@hooli.com", Kind.NOT_JOB, reply_to="h2", **_AWAY),
            ],
            [{"h1", "h2", "h3"}],
        ),
        (  # no thread ids at all: the sender's address is already in the lead
            [
                mail("h1", 0, HANK, Kind.INTERVIEW_CONFIRMATION),
                mail("h3", 3, HANK, Kind.NOT_JOB, **_AWAY),
            ],
            [{"h1", "h3"}],
        ),
        (  # an out-of-office from a stranger starts nothing, whatever its kind
            [
                mail("h1", 0, HANK, Kind.INTERVIEW_CONFIRMATION),
                mail("x1", 1, "someone@initech.com", Kind.RECRUITER_REPLY, **_AWAY),
                mail("x2", 1, "other@initech.com", Kind.NOT_JOB, **_AWAY),
            ],
            [{"h1"}],
        ),
        (  # mail that is not a job and not automatic still joins nothing
            [
                mail("h1", 0, HANK, Kind.INTERVIEW_CONFIRMATION),
                mail("h3", 3, HANK, Kind.NOT_JOB, reply_to="h1"),
            ],
            [{"h1"}],
        ),
        (  # an automatic ATS acknowledgement still starts its lead
            [mail("a1", 0, GH, Kind.APPLICATION_ACK, company="Ferris & Co", **_AWAY)],
            [{"a1"}],
        ),
    ],
    ids=["in-thread", "thread-of-user-mail", "by-address", "stranger", "not-automatic", "ats"],
)
def test_an_out_of_office_reply_joins_the_lead_it_answers(
    messages: list[GroupInput], expected: list[set[str]]
) -> None:
    found = group(messages)
    assert members(found) == expected
    # It never names the lead or becomes its key.
    assert all(not g.key.startswith("lead:x") and g.key != "lead:h3" for g in found)
