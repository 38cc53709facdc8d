"""ATS mail that names the company only in its text joins the company's own lead (issue 13.5)."""

from __future__ import annotations

import pytest

from nlp.types import Kind
from tests.test_leads import mail, members
from watcher.ats import company_tokens, is_ats_domain, tenant
from watcher.leads import group

WORKABLE = "noreply@candidates.workablemail.com"


@pytest.mark.parametrize(
    ("domain", "is_ats", "tenant_name"),
    [
        ("candidates.workablemail.com", True, None),
        ("us.greenhouse-mail.io", True, None),
        ("hire.lever.co", True, None),
        ("tidewell.wd5.myworkdayjobs.com", True, "tidewell"),
        ("tidewell-freight.bamboohr.com", True, "tidewell-freight"),
        ("tidewellfreight.recruitee.com", True, "tidewellfreight"),
        ("mail.teamtailor.com", True, None),
        ("tidewell.jobs.personio.de", True, "tidewell"),
        ("ashbyhq.com", True, None),
        ("smartrecruiters.com", True, None),
        ("icims.com", True, None),
        ("tidewell-freight.com", False, None),
        ("notgreenhouse.io", False, None),
    ],
)
def test_ats_domains_and_their_tenants(domain: str, is_ats: bool, tenant_name: str | None) -> None:
    assert is_ats_domain(domain) is is_ats
    assert tenant(domain) == tenant_name


@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("Tidewell Freight", "tidewell-freight.com"),
        ("Tidewell Freight Hiring Team", "tidewellfreight.com"),
        ("Tidewell Freight. After careful consideration", "careers.tidewell-freight.com"),
        ("Kestrel Labs, Inc.", "kestrel-labs.co.uk"),
    ],
)
def test_a_company_name_meets_its_hyphenated_or_concatenated_domain(name: str, domain: str) -> None:
    assert company_tokens(name=name) & company_tokens(domain=domain)


def test_a_team_name_names_no_company() -> None:
    """ "Hiring Team <no-reply@...>" of two companies must not join them."""
    assert company_tokens(name="Hiring Team") == frozenset()
    assert company_tokens(name="The Recruiting Team") == frozenset()
    found = group(
        [
            mail("a1", 0, WORKABLE, Kind.APPLICATION_ACK, sender_name="Hiring Team"),
            mail("b1", 1, WORKABLE, Kind.APPLICATION_ACK, sender_name="Hiring Team"),
        ]
    )
    assert members(found) == [{"a1"}, {"b1"}]


def test_different_companies_keep_different_keys() -> None:
    assert not company_tokens(name="Tidewell Freight") & company_tokens(domain="tidewell.com")
    assert not company_tokens(name="Globex") & company_tokens(domain="globex-freight.com")


def test_ats_ack_recruiter_and_ats_rejection_are_one_lead() -> None:
    """The issue's case: three messages of one hiring process became three leads."""
    found = group(
        [
            mail("t1", 0, WORKABLE, Kind.APPLICATION_ACK, company="Tidewell Freight"),
            mail(
                "t2",
                2,
                "rosa.mendes@tidewell-freight.com",
                Kind.RECRUITER_REPLY,
                company="Tidewell Freight",
            ),
            mail("t3", 14, WORKABLE, Kind.REJECTION, company="Tidewell Freight. After"),
            mail("g1", 3, "dana@globex.com", Kind.INTERVIEW_INVITATION, company="Globex"),
        ]
    )
    assert members(found) == [{"t1", "t2", "t3"}, {"g1"}]
    assert found[0].company == "Tidewell Freight"


def test_ats_tenant_names_the_company_when_the_text_does_not() -> None:
    found = group(
        [
            mail("b1", 0, "no-reply@tidewell-freight.bamboohr.com", Kind.APPLICATION_ACK),
            mail("b2", 2, "rosa.mendes@tidewell-freight.com", Kind.INTERVIEW_INVITATION),
        ]
    )
    assert members(found) == [{"b1", "b2"}]
