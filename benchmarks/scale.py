"""Work per event against the mailbox's size: a generated realistic mailbox in a real Dovecot.

Run: ``.venv/bin/python benchmarks/scale.py [--100k] [SIZE ...]`` (default 1000 10000;
e.g. ``1000 20000``). The first size is the baseline of every ratio.

The mailbox: about 100 messages a day ending yesterday (so a larger mailbox is a longer
history, not a busier month), median about 9 KB; newsletters (a third HTML-only),
notifications, mail from recruiters at a few hundred companies (invitations, promises,
rejections; each company's in that order, so old leads close), the user's answers in
Sent, and some attachments. For each size:

- initial ``followup sync --once`` (fetch, parse, analyse, group, decide): msg/s and peak
  RSS, beside the floor measured in the same run: a bare FETCH of every body plus the
  standard library's parser and a spaCy tokenizer-only pass over the same bodies
- ``sync --once`` with nothing new
- then one new message: ``sync --once``; APPEND -> decision stored under ``followup run``
  (IDLE); ``leads``; ``why``; a correction (``mark``, ``set --feedback-by``);
  ``digest --preview``; each with its peak RSS

and prints every per-event figure with its ratio to the smallest size. Every command runs
as its own process (``os.wait4`` gives its CPU time and peak RSS); each per-event figure
is the best of TRIES runs, since on a shared machine one run's wall time is mostly load.
"""

from __future__ import annotations

import email
import email.policy
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from tests.servers.dovecot import Dovecot, ImapUser, start_dovecot, write_config

FOLLOWUP = str(Path(sys.executable).with_name("followup"))
PER_DAY = 100
ME = "sam@example.org"
WORDS = [
    "team",
    "update",
    "product",
    "launch",
    "schedule",
    "review",
    "the",
    "and",
    "of",
    "to",
    "a",
    "in",
    "for",
    "is",
    "on",
    "that",
    "with",
    "project",
    "meeting",
    "customer",
    "report",
    "quarter",
    "growth",
    "design",
    "data",
    "system",
    "market",
    "sale",
    "offer",
    "weekly",
    "digest",
    "news",
    "article",
    "reading",
    "community",
    "event",
    "webinar",
    "register",
    "today",
    "free",
]
KINDS = (
    (
        "Interview invitation: {role}",
        "Hi Sam,\n\nThanks for applying to the {role} role at "
        "{company}. We would love to invite you to an interview. Could you share a few times "
        "that work for you next week?\n\nBest,\n{name}\n",
    ),
    (
        "Re: {role} interview",
        "Hi Sam,\n\nThank you for meeting with us. We will get back to "
        "you by Friday with next steps.\n\nBest,\n{name}\n",
    ),
    (
        "Your application to {company}",
        "Hi Sam,\n\nThank you for applying for the {role} "
        "position at {company}. We have received your application and will review it.\n\n"
        "The {company} Recruiting Team\n",
    ),
    (
        "Update on your application",
        "Hi Sam,\n\nThank you for your interest in {company}. "
        "Unfortunately we have decided to move forward with other candidates.\n\n{name}\n",
    ),
)
ROLES = ("Data Engineer", "Backend Developer", "Platform Engineer", "Analyst")


def _filler(rng: random.Random, size: int) -> str:
    words = []
    total = 0
    while total < size:
        word = rng.choice(WORDS)
        words.append(word)
        total += len(word) + 1
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return "\n".join(lines)


def _raw(headers: dict[str, str], body: str, *, html: bool = False, attach: int = 0) -> bytes:
    boundary = "b-0123456789"
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "MIME-Version: 1.0\r\n"
    kind = "html" if html else "plain"
    if html:
        body = (
            "<html><body>"
            + "".join(f"<p>{line}</p>" for line in body.splitlines())
            + "</body></html>"
        )
    if not attach:
        text = body.replace("\n", "\r\n")
        return (head + f"Content-Type: text/{kind}; charset=utf-8\r\n\r\n" + text).encode()
    blob = ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * (attach // 35 + 1))[:attach]
    lines = "\r\n".join(blob[i : i + 76] for i in range(0, len(blob), 76))
    return (
        head
        + f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        + f"--{boundary}\r\nContent-Type: text/{kind}; charset=utf-8\r\n\r\n"
        + body.replace("\n", "\r\n")
        + f"\r\n--{boundary}\r\nContent-Type: application/pdf; name=cv.pdf\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n"
        + lines
        + f"\r\n--{boundary}--\r\n"
    ).encode()


# A hiring process, one message after another: acknowledged, invited (the user answers),
# a promise, then a rejection; so old leads close, as they do in a real mailbox.
STORY = (2, 0, 1, 3)  # indexes into KINDS


def mailbox(count: int, end: datetime, seed: int = 7) -> tuple[list[bytes], list[bytes]]:
    """(INBOX, Sent) raw messages, about PER_DAY a day up to ``end``."""
    rng = random.Random(seed)
    inbox: list[bytes] = []
    sent: list[bytes] = []
    told: dict[str, int] = {}
    start = end - timedelta(days=count / PER_DAY)
    for n in range(count):
        when = start + timedelta(days=n / PER_DAY)
        headers = {"To": ME, "Date": format_datetime(when), "Message-ID": f"<m{n}@scale.test>"}
        roll = rng.random()
        # A dozen companies write in any five days: a longer history has more leads,
        # not more at once.
        window = n // (5 * PER_DAY)
        company = f"company{window * 12 + rng.randrange(12)}"
        if roll < 0.10:  # from a recruiter
            step = told.get(company, 0)
            told[company] = step + 1
            subject, text = KINDS[STORY[min(step, len(STORY) - 1)]]
            role, name = ROLES[len(company) % len(ROLES)], f"Alex {company.title()}"
            headers |= {
                "From": f"{name} <alex@{company}.com>",
                "Subject": subject.format(role=role, company=company.title()),
            }
            body = text.format(role=role, company=company.title(), name=name)
            inbox.append(_raw(headers, body, attach=rng.choice((0, 0, 0, 30_000))))
            if step == 1:  # the user answers the invitation two hours later
                answer = {
                    "From": f"Sam <{ME}>",
                    "To": f"alex@{company}.com",
                    "Date": format_datetime(when + timedelta(hours=2)),
                    "Message-ID": f"<r{n}@scale.test>",
                    "Subject": "Re: interview",
                    "In-Reply-To": f"<m{n}@scale.test>",
                }
                sent.append(_raw(answer, "Hi Alex,\n\nThanks, Tuesday works for me.\n\nSam\n"))
        else:  # newsletters and notifications, median about 9 KB
            size = int(rng.lognormvariate(9.1, 0.6))
            headers |= {
                "From": f"News <news@letter{n % 50}.example>",
                "Subject": f"Weekly digest {n}",
                "List-Unsubscribe": "<mailto:unsubscribe@letter.example>",
            }
            inbox.append(_raw(headers, _filler(rng, size), html=rng.random() < 0.33))
    return inbox, sent


# Linux hands a forked child its parent's peak RSS: a command started straight from this
# (large) process would report at least this process's peak. A small launcher forks it.
LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], stdout=open(sys.argv[1], "wb"))
_, status, usage = os.wait4(child.pid, 0)
cpu = usage.ru_utime + usage.ru_stime
print(time.perf_counter() - started, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""
# Each per-event command runs this many times and keeps its best: on a machine shared with
# other jobs one run's wall time is mostly the others' load. CPU time is printed beside it.
TRIES = 3

Figure = tuple[float, float, int]
"""(wall seconds, CPU seconds, peak RSS in MB) of one command."""


def best(*figures: Figure) -> Figure:
    return min(figures)


def run(config: Path, *args: str) -> tuple[float, float, int, str]:
    """Run ``followup ARGS``; (wall seconds, CPU seconds, peak RSS in MB, stdout)."""
    command = [FOLLOWUP, "--config", str(config), *args]
    with tempfile.NamedTemporaryFile() as out:
        done = subprocess.run(
            [sys.executable, "-c", LAUNCHER, out.name, *command], capture_output=True, text=True
        )
        seconds, cpu, peak_kb, code = done.stdout.split()
        if int(code):
            raise RuntimeError(f"followup {' '.join(args)} failed: {done.stderr[-2000:]}")
        text = Path(out.name).read_text()
    return float(seconds), float(cpu), int(peak_kb) // 1024, text


def figure(config: Path, *args: str) -> Figure:
    """The best of TRIES runs of ``followup ARGS``."""
    return best(*(run(config, *args)[:3] for _ in range(TRIES)))


def floor(server: Dovecot, user: ImapUser) -> tuple[float, float]:
    """Wall and CPU seconds to FETCH every body, parse it with the standard library and
    tokenize it."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    started, cpu = time.perf_counter(), time.process_time()
    with server.connect(user) as client:
        for folder in ("INBOX", "Sent"):
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            for start in range(0, len(uids), 500):
                fetched = client.fetch(uids[start : start + 500], ["BODY.PEEK[]"])
                for data in fetched.values():
                    parsed = email.message_from_bytes(data[b"BODY[]"], policy=email.policy.default)
                    part = parsed.get_body(("plain", "html"))
                    text = part.get_content() if part is not None else ""
                    tokenizer(text[:20_000])
    return time.perf_counter() - started, time.process_time() - cpu


def append_decision(
    config: Path, db: Path, server: Dovecot, user: ImapUser, raw: bytes, number: str
) -> float:
    """Seconds from APPEND to the new message's lead decided, under ``followup run``."""
    command = [FOLLOWUP, "--config", str(config), "run"]
    log = (db.parent / "run.log").open("wb")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.perf_counter() + 120
        while b"ready" not in (db.parent / "run.log").read_bytes():
            if time.perf_counter() > deadline:
                return float("nan")
            time.sleep(0.1)
        time.sleep(5)  # IDLE entered, spaCy warmed up in the background
        connection = sqlite3.connect(db)
        query = (
            "SELECT 1 FROM decisions d JOIN lead_messages lm ON lm.lead_id = d.lead_id "
            "JOIN messages m ON m.id = lm.message_id "
            "WHERE m.message_id LIKE ? "
            "AND d.computed_at >= ?"
        )
        since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        started = time.perf_counter()
        with server.connect(user) as client:
            client.append("INBOX", raw)
        while time.perf_counter() - started < 60:
            if connection.execute(query, (f"%new-{number}@scale.test%", since)).fetchone():
                return time.perf_counter() - started
            time.sleep(0.02)
        print((db.parent / "run.log").read_text()[-3000:])
        return float("nan")
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def new_mail(number: str, when: datetime, count: int) -> bytes:
    """A recruiter of the latest days writes again."""
    company = f"company{(count - 1) // (5 * PER_DAY) * 12}"
    return _raw(
        {
            "From": f"Alex {company.title()} <alex@{company}.com>",
            "To": ME,
            "Subject": "Interview invitation: Data Engineer",
            "Date": format_datetime(when),
            "Message-ID": f"<new-{number}@scale.test>",
        },
        KINDS[0][1].format(role="Data Engineer", company=company.title(), name="Alex"),
    )


def measure(server: Dovecot, count: int, work: Path) -> dict[str, Figure]:
    user = server.add_user()
    now = datetime.now(UTC)
    inbox, sent = mailbox(count, now - timedelta(days=1))
    with server.connect(user) as client:
        client.create_folder("Sent") if not client.folder_exists("Sent") else None
    server.append_many(user, "INBOX", inbox, chunk=2000)
    server.append_many(user, "Sent", sent, chunk=2000)
    sizes = sorted(len(r) for r in inbox + sent)
    directory = work / str(count)
    directory.mkdir()
    # The look-back covers the whole mailbox: the initial sync reads every message the
    # floor reads (the default 120 days would leave most of a large mailbox out).
    days = count // PER_DAY + 30
    config = write_config(
        directory,
        server.account_toml(user, directory, idle=True, addresses=[ME], since_days=days),
    )
    figures: dict[str, Figure] = {}
    floor_seconds, floor_cpu = floor(server, user)
    seconds, cpu, rss, _ = run(config, "sync", "--once")
    total = len(inbox) + len(sent)  # both sides read INBOX and Sent
    html = sum(b"text/html" in raw[:4000] for raw in inbox) / len(inbox)
    attached = sum(b"application/pdf" in raw for raw in inbox) / len(inbox)
    print(
        f"\n== {count:,} messages + {len(sent)} sent (median {sizes[len(sizes) // 2] / 1024:.1f}"
        f" KB, {html:.0%} HTML-only, {attached:.0%} with an attachment)"
    )
    print(
        f"initial sync: {total / seconds:7.0f} msg/s, peak {rss} MB; "
        f"floor {total / floor_seconds:.0f} msg/s ({seconds / floor_seconds:.1f}x); "
        f"CPU {cpu:.1f} s against the floor's {floor_cpu:.1f} s ({cpu / floor_cpu:.1f}x)"
    )
    figures["initial sync"] = (seconds, cpu, rss)
    figures["sync, nothing new"] = figure(config, "sync", "--once")
    one_new: list[Figure] = []
    for attempt in range(TRIES):
        server.append_many(user, "INBOX", [new_mail(f"sync{attempt}", now, count)])
        one_new.append(run(config, "sync", "--once")[:3])
    figures["sync, one new"] = best(*one_new)
    figures["leads"] = figure(config, "leads")
    lead = run(config, "--json", "leads", "--all")[3]
    import json

    lead_id = str(json.loads(lead)[0]["id"]) if json.loads(lead) else "1"
    figures["why"] = figure(config, "why", lead_id)
    # Corrections: each run is a new override of the same lead (made, then changed again).
    marks = ("dead", "active", "dead")[:TRIES]
    figures["mark"] = best(*(run(config, "mark", lead_id, m)[:3] for m in marks))
    days = [f"in {n + 3} days" for n in range(TRIES)]
    figures["set --feedback-by"] = best(
        *(run(config, "set", lead_id, "--feedback-by", d)[:3] for d in days)
    )
    figures["digest --preview"] = figure(config, "digest", "--preview")
    db = directory / "followup.db"
    waits = [
        append_decision(config, db, server, user, new_mail(f"run{n}", now, count), f"run{n}")
        for n in range(TRIES)
    ]
    figures["APPEND->decision (run)"] = (min(waits), 0.0, 0)
    for name, (value, cpu, peak) in figures.items():
        print(f"  {name:26s} {value:7.2f} s  CPU {cpu:6.2f} s  peak {peak:4d} MB")
    return figures


def main(sizes: list[int]) -> int:
    server = start_dovecot()
    results: dict[int, dict[str, Figure]] = {}
    try:
        with tempfile.TemporaryDirectory() as work:
            for size in sizes:
                results[size] = measure(server, size, Path(work))
    finally:
        server.close()
    base = results[sizes[0]]
    for size in sizes[1:]:
        print(f"\n== ratios {size:,} / {sizes[0]:,}")
        for name, (value, cpu, peak) in results[size].items():
            if name == "initial sync":
                continue
            first, first_cpu, first_peak = base[name]
            used = f", CPU {cpu / first_cpu:.2f}x" if first_cpu else ""
            memory = f", peak RSS {peak / first_peak:.2f}x" if first_peak else ""
            print(f"  {name:26s} time {value / first:.2f}x{used}{memory}")
    return 0


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--100k"]
    chosen = [int(a) for a in arguments] or [1000, 10000]
    if "--100k" in sys.argv[1:]:
        chosen.append(100_000)
    sys.exit(main(chosen))
