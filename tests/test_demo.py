"""`followup demo`: the bundled five-week job search, step by step, gives the actions DESIGN's
rules give; the output shows leads, actions, reasons and digests; it runs from a fresh install."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import invoke

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "watcher" / "demo" / "mailbox"

# Hand-worked from scripts/make-demo-mailbox.py and DESIGN's rules (default policy, business
# days, America/New_York). Each step is a Tuesday 08:00; a row is (action, due).
NW, BF, KH, OR, FC = "northwind", "bluefin", "kestrel", "orchard", "ferris"
EXPECTED: dict[str, dict[str, tuple[str, str | None]]] = {
    # Mon: Priya invites (nw1), Sam answers (nw2); Ferris acknowledges the application.
    # An answered invitation with no interview yet, and an application: nothing to do.
    "2026-03-03": {NW: ("none", None), FC: ("none", None)},
    "2026-03-10": {
        # Bluefin's scheduling link (Mon 9) is unanswered: respond, by the next business day
        BF: ("respond", "2026-03-10"),
        # Orchard's interview was Mon 9 15:00, nothing sent since: thank by end of Tue 10
        OR: ("thank", "2026-03-10"),
        # Kestrel's interview is today at 10:00: wait, due the interview day
        KH: ("wait", "2026-03-10"),
        # Northwind: interview Thu 5, thank-you sent, "by Friday, March 13" + 1 business day
        # of grace: wait through Mon 16, the nudge opens Tue 17
        NW: ("wait", "2026-03-17"),
        FC: ("none", None),
    },
    "2026-03-17": {
        NW: ("nudge", "2026-03-17"),
        # the interview confirmed for today 11:00 is still ahead
        BF: ("wait", "2026-03-17"),
        # Sam's follow-up of Mon 16 (too late to be the thank-you) counts: the next one is
        # 7 business days later, Wed 25; the out-of-office (back Mon 23) resets nothing
        OR: ("wait", "2026-03-25"),
        # "within two weeks" of Tue 10 = Tue 24, grace through Wed 25, a nudge would open
        # Thu 26, but they asked not to be chased: wait, dead 7 business days after, Mon Apr 6
        KH: ("wait", "2026-04-06"),
        FC: ("none", None),
    },
    "2026-03-24": {
        NW: ("wait", "2026-03-24"),  # final round today 13:00
        OR: ("wait", "2026-03-25"),
        KH: ("wait", "2026-04-06"),
        BF: ("none", None),  # rejected Mon 23
        FC: ("none", None),
    },
    "2026-03-31": {
        NW: ("respond", "2026-03-31"),  # the offer of Mon 30, unanswered
        KH: ("wait", "2026-04-06"),
        # Lena's reply of Tue 24 resets the count; "by the end of next week" = Fri Apr 3,
        # grace through Mon Apr 6, the nudge opens Tue Apr 7
        OR: ("wait", "2026-04-07"),
        BF: ("none", None),
        FC: ("none", None),
    },
    "2026-04-07": {
        NW: ("respond", "2026-03-31"),
        OR: ("nudge", "2026-04-07"),
        KH: ("dead", None),
        BF: ("none", None),
        FC: ("none", None),
    },
    "2026-04-14": {
        NW: ("respond", "2026-03-31"),
        OR: ("nudge", "2026-04-07"),
        KH: ("dead", None),
        BF: ("none", None),
        # nothing since Mon Mar 2: stale after 30 business days, on Mon Apr 13
        FC: ("dead", None),
    },
}
NEW_MAIL_PER_STEP = [3, 8, 5, 5, 2, 0, 0]  # 23 messages: job alerts and a friend's too


def company_key(row: dict[str, Any]) -> str:
    name = str(row["company"] or "").lower()
    found = [key for key in (NW, BF, KH, OR, FC) if name.startswith(key)]
    assert len(found) == 1, f"a lead for an unexpected company: {row}"
    return found[0]


@pytest.fixture(scope="module")
def demo_steps() -> list[dict[str, Any]]:
    result = invoke(["demo", "--json"], env={"FOLLOWUP_NOW": None, "FOLLOWUP_CONFIG": None})
    assert result.exit_code == 0, result.stderr
    return list(json.loads(result.stdout))


def test_demo_actions_at_each_step_are_what_the_rules_give(
    demo_steps: list[dict[str, Any]],
) -> None:
    assert [step["now"][:10] for step in demo_steps] == list(EXPECTED)
    problems = []
    for step in demo_steps:
        got = {company_key(row): (row["action"], row["due"]) for row in step["leads"]}
        want = EXPECTED[step["now"][:10]]
        if got != want:
            problems.append(f"{step['now']}: got {got}, want {want}")
        assert len(step["leads"]) == len(got), "two leads for one company"
        assert all(row["reason"] for row in step["leads"])
    assert problems == []


def test_demo_delivers_the_mail_in_date_order_and_stores_each_message_once(
    demo_steps: list[dict[str, Any]],
) -> None:
    assert [len(step["new_messages"]) for step in demo_steps] == NEW_MAIL_PER_STEP
    assert [step["stored"] for step in demo_steps] == NEW_MAIL_PER_STEP
    dates = [m["date"] for step in demo_steps for m in step["new_messages"]]
    assert dates == sorted(dates)
    for step in demo_steps:
        assert all(m["date"] <= step["now"] for m in step["new_messages"])


def test_demo_closed_leads_say_why(demo_steps: list[dict[str, Any]]) -> None:
    last = {company_key(row): row for row in demo_steps[-1]["leads"]}
    assert last[BF]["status"] == "rejected"
    assert last[NW]["status"] == "offer"
    assert (last[KH]["status"], last[FC]["status"]) == ("dead", "dead")
    assert "not to be chased" in last[KH]["reason"]


def check_text_output(out: str) -> None:
    """What a person reading the demo sees: every step, its leads with actions and reasons,
    and the digest preview."""
    assert len(re.findall(r"Tuesday \d\d (March|April) 2026, 08:00", out)) == 7
    assert out.count("Leads:") == 7
    assert out.count("digest preview") == 7
    assert "Follow-ups for Tue 10 Mar" in out
    assert "Suggested message:" in out  # the digest drafts the thank-you and the nudges
    for action in ("respond", "thank", "wait", "nudge", "dead"):
        assert f": {action}" in out, action
    assert "Wait until Tue 2026-03-17 before sending a follow-up" in " ".join(out.split())
    assert "demo finished: 23 messages, 7 steps" in out


def test_demo_output_shows_leads_actions_reasons_and_digests() -> None:
    result = invoke(["demo"], env={"FOLLOWUP_NOW": None, "COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    check_text_output(result.stdout)


def test_demo_keep_leaves_a_usable_config_and_refuses_a_used_directory(tmp_path: Path) -> None:
    kept = tmp_path / "demo"
    result = invoke(["demo", "--keep", str(kept), "--no-digest"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert f"files kept in {kept}" in result.stdout
    leads = invoke(
        ["leads", "--all", "--json", "--config", str(kept / "config.toml"),
         "--now", "2026-04-14T08:00"],
    )  # fmt: skip
    assert leads.exit_code == 0, leads.stderr
    assert len(json.loads(leads.stdout)) == 5
    again = invoke(["demo", "--keep", str(kept)])
    assert again.exit_code == 2
    assert "new or empty directory" in again.stderr


def test_bundled_mailbox_is_what_the_script_writes(tmp_path: Path) -> None:
    written = tmp_path / "mailbox"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make-demo-mailbox.py"), str(written)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for folder in ("cur", ".Sent/cur"):
        names = sorted(p.name for p in (written / folder).iterdir())
        assert names == sorted(p.name for p in (BUNDLED / folder).iterdir())
        _, mismatch, errors = filecmp.cmpfiles(written / folder, BUNDLED / folder, names, False)
        assert (mismatch, errors) == ([], [])


@pytest.mark.slow
def test_demo_runs_to_the_end_from_a_fresh_install(tmp_path: Path) -> None:
    """python -m venv + pip install of a copy of the project, then `followup demo`."""
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "*_cache", ".hypothesis", "__pycache__", "*.pyc", "build", "dist"
        ),
        symlinks=True,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    started = time.monotonic()
    demo = subprocess.run(
        [str(venv / "bin" / "followup"), "demo"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200"},
    )
    took = time.monotonic() - started
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert took < 60
    check_text_output(demo.stdout)
    # the packaged unit comes along, pointing at this installation
    unit = subprocess.run(
        [str(venv / "bin" / "followup"), "service", "install", "--print"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert unit.returncode == 0, unit.stderr
    assert f"ExecStart={venv / 'bin' / 'followup'} run\n" in unit.stdout
