"""QA round 3, pure digest parts: the role a lead is about is never just the company's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.types import Kind
from tests.clirun import invoke
from tests.test_leads import mail
from watcher.drafting import guess_role
from watcher.leads import GroupOverrides, group

ROWS = {
    # "Interview invitation - Echo Systems": the dash names the company, not a role
    "subject-names-only-the-company": (
        ["Interview invitation - Echo Systems", "Hi Alex, we'd like to meet you."],
        "Echo Systems",
        "",
    ),
    "company-in-subject-role-in-body": (
        ["Interview confirmation - Bluefin", "your interview for the Data Engineer role"],
        "Bluefin",
        "Data Engineer",
    ),
    "subject-names-a-role": (["Interview - Business Analyst"], "Acme", "Business Analyst"),
    "no-company-known": (["Interview - Business Analyst"], "", "Business Analyst"),
}


@pytest.mark.parametrize(("texts", "company", "role"), list(ROWS.values()), ids=list(ROWS))
def test_guess_role_skips_the_company_name(texts: list[str], company: str, role: str) -> None:
    assert guess_role(texts, company=company) == role


def test_init_config_comment_names_the_sent_flag_as_design_writes_it(tmp_path: Path) -> None:
    """DESIGN's config shows `# auto = INBOX + the \\Sent folder`; the file `init` writes
    must read the same (one backslash: a TOML comment is not a string)."""
    config = tmp_path / "config.toml"
    done = invoke(["init", "--config", str(config)], env={"XDG_DATA_HOME": str(tmp_path)})
    assert done.exit_code == 0, done.output
    line = next(x for x in config.read_text().splitlines() if x.startswith("folders ="))
    assert "INBOX + the \\Sent folder" in line, line
    assert "\\\\" not in line, line


def test_merge_keeps_the_name_of_the_lead_the_user_kept() -> None:
    """`merge A B` moves B's messages into A: A is "the lead that stays", and its name stays,
    even when B brings more messages under another name."""
    golf = mail("g1", 0, "gil@golfmedia.com", Kind.INTERVIEW_CONFIRMATION, company="Golf Media")
    juniper = [
        mail(f"j{i}", i, "jo@junipertech.com", Kind.RECRUITER_REPLY, company="Juniper Tech")
        for i in (1, 2, 3)
    ]
    alone = {g.key: g.company for g in group([golf, *juniper])}
    assert alone == {"lead:g1": "Golf Media", "lead:j1": "Juniper Tech"}, alone
    merged = group([golf, *juniper], GroupOverrides(merges={"lead:j1": "lead:g1"}))
    assert [(g.key, g.company) for g in merged] == [("lead:g1", "Golf Media")]
