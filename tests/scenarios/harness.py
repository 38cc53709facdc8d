"""Driving a scenario end to end: mail into Dovecot, the `followup` CLI as a subprocess, checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from tests.clirun import run
from tests.scenarios.expected import ABSENT, ANY_DUE, COMPANIES, Expect
from tests.scenarios.job_search import USER_ADDRESS, Mail, build
from tests.servers.dovecot import Dovecot, ImapUser, write_config

PASSWORD_ENV = "FOLLOWUP_E2E_PASSWORD"
LEAD_KEYS = {"id", "company", "contact", "status", "action", "due", "reason"}


@dataclass
class Scenario:
    """One IMAP user with the scenario's mail, a config in a temp dir, and its SQLite file."""

    dovecot: Dovecot
    user: ImapUser
    config: Path
    env: Mapping[str, str]
    _leads: dict[datetime, list[dict[str, Any]]] = field(default_factory=dict)

    def deliver(self, mails: Iterable[Mail], by_key: Mapping[str, Mail] | None = None) -> None:
        """APPEND each message to its folder, INTERNALDATE = its Date, already read."""
        for mail in mails:
            self.dovecot.append(
                self.user, mail.folder, build(mail, by_key), date=mail.at, flags=("\\Seen",)
            )

    def sync(self, now: datetime | None = None) -> None:
        extra = ["--now", now.isoformat()] if now else []
        done = run(["sync", "--once", "--config", str(self.config), *extra], self.env, timeout=120)
        assert done.returncode == 0, f"followup sync --once: {done.stderr}"
        self._leads.clear()

    def cli(self, *args: str) -> Any:
        """Run `followup ARGS --config C --json` and return the parsed JSON."""
        done = run([*args, "--config", str(self.config), "--json"], env=self.env, timeout=60)
        assert done.returncode == 0, f"followup {' '.join(args)}: {done.stderr}"
        return json.loads(done.stdout)

    def leads(self, now: datetime, cached: bool = True) -> list[dict[str, Any]]:
        """`followup leads --all --json --now NOW` (asked once per moment between syncs)."""
        if not cached or now not in self._leads:
            self._leads[now] = list(self.cli("leads", "--all", "--now", now.isoformat()))
        return self._leads[now]

    def digest(self, now: datetime, how: str = "--preview") -> str:
        """`followup digest --preview` (or --send, --html) as of ``now``; its output."""
        args = ["digest", how, "--config", str(self.config), "--now", now.isoformat()]
        done = run(args, env=self.env, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def drafts(self) -> list[EmailMessage]:
        """Every message in the user's Drafts folder."""
        with self.dovecot.connect(self.user) as client:
            client.select_folder("Drafts", readonly=True)
            uids = client.search("ALL")
            found = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        drafts: list[EmailMessage] = []
        for data in found.values():
            mail = BytesParser(policy=policy.default).parsebytes(data[b"BODY[]"])
            assert isinstance(mail, EmailMessage)
            drafts.append(mail)
        return drafts

    def lead_id(self, now: datetime, company: str) -> int:
        rows = [r for r in self.leads(now) if company_of(r) == company]
        assert len(rows) == 1, f"{company}: {len(rows)} leads as of {now.isoformat()}"
        return int(rows[0]["id"])


def make_scenario(dovecot: Dovecot, directory: Path) -> Scenario:
    """A fresh IMAP user and a config for it: plain IMAP on loopback, password from the env."""
    user = dovecot.add_user()
    account = "\n".join(
        [
            "[[account]]",
            'name = "personal"',
            f'host = "{dovecot.host}"',
            f"port = {dovecot.port}",
            'tls = "none"',
            f'username = "{user.name}"',
            f'addresses = ["{USER_ADDRESS}"]',
            f'password_env = "{PASSWORD_ENV}"',
            "since_days = 3650",  # the scenario is weeks or months before today
            "",
            "[digest]",
            'timezone = "America/New_York"',
            "",
        ]
    )
    config = write_config(directory, account)
    # FOLLOWUP_NOW from the caller's shell must not leak in: every --now is explicit.
    env = {PASSWORD_ENV: user.password, "FOLLOWUP_NOW": ""}
    return Scenario(dovecot, user, config, env)


def send_digests_to(scenario: Scenario, smtp_port: int) -> None:
    """Digests go to a plain SMTP server on loopback, and drafts are on."""
    text = scenario.config.read_text().replace(
        "[digest]\n",
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\ntls = "none"\n'
        'from = "followup <alex.morgan@example.org>"\n\n'
        '[digest]\nto = "alex.morgan@example.org"\ndrafts = true\n',
    )
    scenario.config.write_text(text)


def company_of(row: Mapping[str, Any]) -> str | None:
    """The scenario company a lead row names, by the company's first word."""
    text = f"{row.get('company') or ''}".lower()
    found = [name for name in COMPANIES if name.split()[0].lower() in text]
    return found[0] if len(found) == 1 else None


def describe(row: Mapping[str, Any]) -> str:
    return (
        f"#{row.get('id')} company={row.get('company')!r} contact={row.get('contact')!r} "
        f"action={row.get('action')} due={row.get('due')} reason={row.get('reason')!r}"
    )


def compare(expected: Mapping[str, Expect | str], rows: list[dict[str, Any]]) -> list[str]:
    """Every difference between the rows of `leads --json` and the expectations, in words."""
    problems: list[str] = []
    by_company: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if set(row) != LEAD_KEYS:
            problems.append(f"keys {sorted(row)} != {sorted(LEAD_KEYS)}")
        company = company_of(row)
        if company is None:
            problems.append(f"unexpected lead {describe(row)}")
        else:
            by_company.setdefault(company, []).append(row)
    for company, want in expected.items():
        found = by_company.get(company, [])
        if want == ABSENT:
            # Whether a not-yet-started lead is listed at all is checked on its own
            # (test_e2e_leads_from_the_future_are_not_listed); here it must ask for nothing.
            problems.extend(
                f"{company}: expected no lead yet, got {describe(r)}"
                for r in found
                if r.get("action") != "none"
            )
            continue
        assert isinstance(want, Expect)
        if len(found) != 1:
            listed = "; ".join(describe(r) for r in found) or "none"
            problems.append(f"{company}: expected one lead, got {len(found)}: {listed}")
            continue
        row = found[0]
        want_due = want.due.isoformat() if isinstance(want.due, date) else want.due
        if row.get("action") != want.action or want_due not in (ANY_DUE, row.get("due")):
            problems.append(
                f"{company}: expected {want.action} due {want_due}, got {describe(row)}"
            )
    return problems
