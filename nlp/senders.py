"""What the sender's address says: free mail, ATS domains, HR and bulk mailboxes."""

from __future__ import annotations

import re
from functools import lru_cache

from nlp import patterns as P
from nlp.types import Email

_FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "fastmail.com",
        "fastmail.fm",
        "zoho.com",
        "yandex.com",
        "hey.com",
        "tutanota.com",
        "qq.com",
        "163.com",
        "rediffmail.com",
    ]
)
# Applicant-tracking and job-board systems: they send for a company, they are not one.
_ATS = (
    "greenhouse",
    "lever.co",
    "workday",
    "myworkday",
    "smartrecruiters",
    "icims",
    "ashbyhq",
    "jobvite",
    "taleo",
    "bamboohr",
    "workable",
    "teamtailor",
    "recruitee",
    "personio",
    "successfactors",
    "applytojob",
    "jazzhr",
    "breezy",
    "pinpointhq",
    "recruiterbox",
    "rippling",
    "gusto",
    "comeet",
    "hirebridge",
    "paylocity",
    "ukg",
    "ultipro",
    "oraclecloud",
    "brassring",
    "avature",
    "phenom",
    "eightfold",
    "hibob",
    "dover",
    "wellfound",
    "linkedin",
    "indeed",
    "glassdoor",
    "ziprecruiter",
    "monster",
    "hired.com",
    "otta",
    "goodtime",
    "calendly",
    "modernloop",
    "gem.com",
    "beamery",
    "hirevue",
    "docusign",
)
# Local parts of the hiring side's shared mailboxes, and of bulk senders.
_HR_LOCAL_PARTS = (
    "careers",
    "career",
    "jobs",
    "job",
    "recruiting",
    "recruitment",
    "recruit",
    "recruiter",
    "talent",
    "hr",
    "hiring",
    "people",
    "bewerbung",
    "rekrytering",
    "apply",
    "applications",
    "ta",
)
_BULK_LOCAL_PARTS = (
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "notifications",
    "notification",
    "notify",
    "mailer",
    "info",
    "alerts",
    "alert",
    "news",
    "newsletter",
    "marketing",
    "support",
    "hello",
    "team",
    "updates",
    "digest",
)
_ROLE_LOCAL_PARTS = _HR_LOCAL_PARTS + _BULK_LOCAL_PARTS
_HR_NAME_WORDS = frozenset(
    [
        "recruiting",
        "recruitment",
        "recruiter",
        "talent",
        "careers",
        "career",
        "hr",
        "hiring",
        "people",
        "jobs",
        "acquisition",
    ]
)


def _local_matches(local: str, parts: tuple[str, ...]) -> bool:
    """ "careers", "jobs-noreply", "ta.team", "mycareers": short parts only as whole pieces."""
    if not set(_LOCAL_SEPARATORS.split(local)).isdisjoint(parts):
        return True
    long_parts = _long_parts(parts)
    return local.startswith(long_parts) or local.endswith(long_parts)


@lru_cache(maxsize=8)
def _long_parts(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(r for r in parts if len(r) >= 4)


_LOCAL_SEPARATORS = re.compile(r"[._+-]")


def is_free_mail(domain: str) -> bool:
    return domain.lower() in _FREE_MAIL


_ATS_NAMES = re.compile("|".join(re.escape(name) for name in _ATS))


def is_ats(domain: str) -> bool:
    return _ATS_NAMES.search(domain.lower()) is not None


def is_role_address(local: str) -> bool:
    return _local_matches(local.lower(), _ROLE_LOCAL_PARTS)


def is_hr_address(local: str) -> bool:
    return _local_matches(local.lower(), _HR_LOCAL_PARTS)


def sender_signals(email: Email) -> list[str]:
    """Features of the sender and headers, for the classifier."""
    signals: list[str] = []
    local, _, domain = email.sender_email.lower().rpartition("@")
    if domain:
        if is_free_mail(domain):
            signals.append("snd:freemail")
        elif is_ats(domain):
            signals.append("snd:ats")
        else:
            signals.append("snd:own_domain")
        if is_hr_address(local):
            signals.append("snd:hr")
        elif _local_matches(local, _BULK_LOCAL_PARTS):
            signals.append("snd:bulk")
        if domain.endswith((".edu", ".ac.uk", ".edu.au")) or ".edu." in domain:
            signals.append("snd:edu")
    name_words = set(re.split(r"\W+", email.sender_name.lower()))
    if name_words & _HR_NAME_WORDS:
        signals.append("snd:hr_name")
    headers = email.headers
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        signals.append("hdr:auto_submitted")
    if "x-autoreply" in headers or "x-autorespond" in headers:
        signals.append("hdr:autoreply")
    if "list-unsubscribe" in headers or "list-id" in headers:
        signals.append("hdr:list")
    if headers.get("precedence", "").strip().lower() in {"bulk", "list", "junk"}:
        signals.append("hdr:bulk")
    subject = email.subject.strip().lower()
    if subject.startswith(("re:", "aw:", "sv:", "antw:", "réf:")):
        signals.append("subj:is_reply")
    if subject.startswith(("fw:", "fwd:", "wg:")):
        signals.append("subj:is_forward")
    if "?" in email.text:
        signals.append("body:question")
    return signals


def context_signals(counts: dict[str, int], sender: list[str]) -> list[str]:
    """Is this mail about the candidate's hiring process, or another sense of the words?"""
    job = counts.get(P.JOB, 0) + counts.get(P.TITLE, 0)
    other = counts.get(P.OTHER, 0)
    hiring_sender = any(s in sender for s in ("snd:ats", "snd:hr", "snd:hr_name"))
    signals = []
    if job == 0 and not hiring_sender:
        signals.append("ctx:no_job")
    if other:
        signals.append("ctx:other")
        if other > job:
            signals.append("ctx:other_over_job")
    return signals
