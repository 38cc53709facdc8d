"""Company names: the text's spelling of the sender's domain, display names, legal suffixes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nlp.company import extract_company, strip_legal
from nlp.types import Email

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def email(sender: str, name: str, subject: str, text: str) -> Email:
    return Email(subject, text, SENT, sender_name=name, sender_email=sender, full_text=text)


@pytest.mark.parametrize(
    ("sender", "name", "subject", "text", "expected"),
    [
        # the signature spells the domain: its spacing wins over "Kestrelhealth"
        (
            "ana@kestrelhealth.org",
            "Ana Ruiz",
            "Next steps",
            "Thanks!\nAna\nHR Coordinator, Kestrel Health",
            "Kestrel Health",
        ),
        # a domain that abbreviates the name
        (
            "h@colepropertymgmt.com",
            "Hannah Cole",
            "Re: role",
            "Best,\nHannah\nCole Property Management",
            "Cole Property Management",
        ),
        (
            "j@kellermann-praezision.de",
            "Jürgen K",
            "Interview",
            "Grüße\nKellermann Präzision GmbH",
            "Kellermann Präzision",
        ),
        # a display name carrying an address is no company: the domain names it
        (
            "careers@acmecomma.com",
            "Acme Recruiting <attacker@evil.example>, Acme",
            "Interview invitation",
            "Hi Sam",
            "Acmecomma",
        ),
        (
            "jobs@greenhouse.io",
            "Evil <attacker@evil.example>",
            "Interview invitation",
            "Hi Sam",
            None,
        ),
        # an ATS display name "Gina at Sunnyside Bakery" names the company after "at"
        (
            "x@applytojob.com",
            "Gina at Sunnyside Bakery",
            "Baker position",
            "Hi Sam",
            "Sunnyside Bakery",
        ),
        # a role address is no person: "Wattle Lane Aged Care <careers@...>"
        (
            "careers@wattlelane.org.au",
            "Wattle Lane Aged Care",
            "Thanks",
            "Hi",
            "Wattle Lane Aged Care",
        ),
        # a department set apart from the organisation's name
        (
            "recruitment@kelmscott.gov.uk",
            "Recruitment - Royal Borough of Kelmscott",
            "Checks",
            "Hi",
            "Royal Borough of Kelmscott",
        ),
        # the department display name gives way to the text's full name
        (
            "careers@ashmerehealth.org",
            "Ashmere Careers",
            "Your interview with Ashmere Health",
            "Hi",
            "Ashmere Health",
        ),
        # nothing in the text: the domain, title-cased
        ("a@northwind-analytics.com", "Ann Lee", "Hello", "Hi there", "Northwind Analytics"),
    ],
)
def test_extract_company(sender: str, name: str, subject: str, text: str, expected: str) -> None:
    assert extract_company(email(sender, name, subject, text)) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hafenkontor Bremen GmbH & Co. KG", "Hafenkontor Bremen"),
        ("Lumen Straits Capital Pte. Ltd.", "Lumen Straits Capital"),
        ("Mazovia Softworks Sp. z o.o.", "Mazovia Softworks"),
        ("Acme, Inc.", "Acme"),
    ],
)
def test_strip_legal(name: str, expected: str) -> None:
    assert strip_legal(name) == expected
