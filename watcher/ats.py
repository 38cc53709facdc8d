"""Pure: applicant tracking systems' sending domains, and the key that names one company.

Mail from an ATS (Workable, Greenhouse, Lever ...) comes from the ATS's domain, not the
company's, so the company must come from the text; a recruiter writes from the company's
own domain, often hyphenated ("tidewell-freight.com"). ``company_tokens`` turns both into
the same keys ("Tidewell Freight" and tidewell-freight.com give "tidewellfreight"), so
one hiring process stays one lead.
"""

from __future__ import annotations

import functools
import re

__all__ = ["ATS_DOMAINS", "company_tokens", "is_ats_domain", "tenant"]

# The domains ATS and job boards send candidate mail from (their tenants are subdomains,
# "acme.bamboohr.com", "acme.recruitee.com", "acme.teamtailor.com").
ATS_DOMAINS = frozenset(
    {
        # Workable
        "workable.com",
        "workablemail.com",
        # Greenhouse
        "greenhouse.io",
        "greenhouse-mail.io",
        # Lever
        "lever.co",
        "hire.lever.co",
        "jobs.lever.co",
        # Workday
        "workday.com",
        "myworkday.com",
        "myworkdayjobs.com",
        "myworkdaysite.com",
        # iCIMS
        "icims.com",
        "icims.eu",
        # SmartRecruiters
        "smartrecruiters.com",
        "smartrecruitersmail.com",
        # Ashby
        "ashbyhq.com",
        # Jobvite
        "jobvite.com",
        # Oracle Taleo and Recruiting Cloud
        "taleo.net",
        "oraclecloud.com",
        # Teamtailor
        "teamtailor.com",
        "teamtailor-mail.com",
        # Personio
        "personio.de",
        "personio.com",
        # BambooHR
        "bamboohr.com",
        # Recruitee
        "recruitee.com",
        # Breezy HR
        "breezy.hr",
        "breezyhr.com",
        # JazzHR
        "jazzhr.com",
        "applytojob.com",
        # Pinpoint, Comeet, Rippling, Gusto
        "pinpointhq.com",
        "comeet.co",
        "comeet.com",
        "rippling.com",
        "ats.rippling.com",
        "gusto.com",
        # SAP SuccessFactors, UKG, ADP, Paylocity, Dayforce
        "successfactors.com",
        "successfactors.eu",
        "ultipro.com",
        "ukg.com",
        "adp.com",
        "paylocity.com",
        "dayforcehcm.com",
        # Others seen sending on behalf of companies
        "recruiterbox.com",
        "trakstar.com",
        "hire.trakstar.com",
        "recruiterflow.com",
        "zohorecruit.com",
        "freshteam.com",
        "homerun.co",
        "join.com",
        "softgarden.io",
        "jobylon.com",
        "manatal.com",
        "avature.net",
        "brassring.com",
        "phenompeople.com",
        "eightfold.ai",
        "paradox.ai",
        "clearcompany.com",
        "applicantstack.com",
        "jobscore.com",
        "hirehive.com",
        "hireology.com",
        "dover.com",
        "gem.com",
        # Job boards that relay the company's messages
        "linkedin.com",
        "indeed.com",
        "indeedemail.com",
        "ziprecruiter.com",
    }
)
# Subdomains an ATS uses for itself, not for a tenant ("mail.", "us.", "candidates.").
_ATS_OWN_LABELS = frozenset(
    {"mail", "email", "e", "em", "us", "eu", "uk", "ca", "au", "app", "apps", "www", "hire"}
    | {"jobs", "careers", "candidates", "candidate", "notifications", "notify", "no-reply"}
    | {"noreply", "bounce", "bounces", "mg", "mailer", "send", "smtp", "ats", "recruiting"}
)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc"})
_LEGAL_WORDS = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "bv",
        "nv",
        "corp",
        "corporation",
        "co",
        "company",
        "group",
        "the",
        "recruiting",
        "recruitment",
        "careers",
        "talent",
        "team",
        "hr",
        "jobs",
        "hiring",
    }
)
# Numbered hosts of an ATS ("acme.wd5.myworkdayjobs.com"), not tenants.
_NUMBERED_HOST = re.compile(r"^[a-z]{1,3}\d+$")
# The name ends where a sentence does: "Tidewell Freight. After careful consideration".
_SENTENCE_END = re.compile(r"[.!?;:]\s+\S.*$", re.DOTALL)


@functools.lru_cache(maxsize=4096)
def _ats_root(domain: str) -> str | None:
    domain = domain.lower().strip(".")
    for ats in ATS_DOMAINS:
        if domain == ats or domain.endswith("." + ats):
            return ats
    return None


def is_ats_domain(domain: str) -> bool:
    """Whether mail from ``domain`` is sent by an ATS or job board for some company."""
    return _ats_root(domain) is not None


def tenant(domain: str) -> str | None:
    """The company an ATS subdomain names ("tidewell-freight.bamboohr.com" -> "tidewell-freight");
    None for the ATS's own hosts ("candidates.workablemail.com")."""
    root = _ats_root(domain)
    if root is None:
        return None
    labels = domain.lower().strip(".")[: -len(root)].strip(".").split(".")
    names = [
        label
        for label in labels
        if label and label not in _ATS_OWN_LABELS and not _NUMBERED_HOST.match(label)
    ]
    return names[-1] if names else None


def _domain_label(domain: str) -> str:
    labels = [label for label in domain.lower().split(".") if label]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")


def company_tokens(name: str | None = None, domain: str | None = None) -> frozenset[str]:
    """What identifies a company: "Acme, Inc." and "careers.acme.co.uk" both give "acme".

    A name gives two spellings, without and with its legal and team words, so that
    "Ferris & Co" meets the domain ferrisandco.com; a domain gives its label with the
    hyphens taken out, so that "Tidewell Freight" meets tidewell-freight.com. A name the
    detector ran on into the next sentence is cut there.
    """
    if domain:
        label = _domain_label(domain)
        return frozenset({label.replace("-", "")} - {""})
    if name:
        name = _SENTENCE_END.sub("", name.strip())
        words = re.findall(r"[a-z0-9]+", name.lower().replace("&", " and "))
        kept = [w for w in words if w not in _LEGAL_WORDS and w != "and"]
        if not kept:
            return frozenset()  # "Hiring Team", "The Recruiting Team": no company named
        return frozenset(filter(None, ("".join(kept), "".join(words))))
    return frozenset()
