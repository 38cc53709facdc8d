"""`leads`, `why` and `split` as a user reads them: hidden leads counted, message numbers that
`relabel` takes, tables fitted to an 80-column terminal and whole lines when piped."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios

import pytest

from tests.clirun import FOLLOWUP, invoke, run
from tests.test_overrides_cli import NOW, Setup, setup  # noqa: F401  (the fixture)
from watcher.commands.layout import MIN_WRAP, plan_columns

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def text(setup: Setup, *args: str) -> str:  # noqa: F811
    result = invoke([*args, "--config", str(setup.config), "--now", NOW], env=setup.env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def on_terminal(setup: Setup, columns: int, *args: str) -> str:  # noqa: F811
    """Run followup with stdout on a pseudo-terminal ``columns`` wide; what it showed."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**os.environ, **setup.env, "NO_COLOR": "1", "TERM": "xterm"}
    env.pop("COLUMNS", None)
    process = subprocess.Popen(
        [str(FOLLOWUP), *args, "--config", str(setup.config), "--now", NOW],
        stdout=child,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(child)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    _, stderr = process.communicate(timeout=60)
    os.close(main)
    assert process.returncode == 0, stderr
    return _ANSI.sub("", b"".join(chunks).decode("utf-8").replace("\r\n", "\n"))


# --- leads: what is hidden is counted -------------------------------------------------------


def test_leads_says_how_many_it_hides(setup: Setup) -> None:  # noqa: F811
    shown = text(setup, "leads")
    assert "Acmecorp" not in shown  # an acknowledged application: nothing to do
    assert "1 lead with nothing to do; `followup leads --all` shows them" in shown
    everything = text(setup, "leads", "--all")
    assert "Acmecorp" in everything
    assert "with nothing to do;" not in everything


def test_a_lead_made_by_split_is_accounted_for(setup: Setup) -> None:  # noqa: F811
    before = text(setup, "leads")
    out = text(setup, "split", "acme", "acme-2@mail.test")
    assert "-> yes" not in out
    moved = re.search(r"moved message (\d+) \('Next steps'\) out of lead (\d+) \(Acme\)", out)
    assert moved, out
    new = re.search(r"into new lead (\d+)", out)
    assert new, out
    assert f"lead {new.group(1)} (" in out  # the new lead's decision is shown too
    after = text(setup, "leads")
    shown = {int(n) for n in re.findall(r"^│ (\d+)", after, re.MULTILINE)}
    hidden = re.search(r"(\d+) leads? with nothing to do", after)
    count_before = len(re.findall(r"^│ \d+", before, re.MULTILINE))
    hidden_before = int(re.search(r"(\d+) leads? with nothing", before).group(1))  # type: ignore[union-attr]
    assert len(shown) + (int(hidden.group(1)) if hidden else 0) == count_before + hidden_before + 1


# --- why: the numbers relabel takes ---------------------------------------------------------


def test_why_shows_message_numbers_that_relabel_accepts(setup: Setup) -> None:  # noqa: F811
    shown = text(setup, "why", "beta")
    row = next(line for line in shown.splitlines() if "Interview?" in line)
    number = re.search(r"│ (\d+)\s+│ Interview\?", row)
    assert number, row
    relabel = invoke(
        ["relabel", number.group(1), "rejection", "--config", str(setup.config), "--now", NOW],
        env=setup.env,
    )
    assert relabel.exit_code == 0, relabel.stderr
    assert "kind: interview_invitation (detected) -> rejection" in relabel.stdout


def test_why_json_timeline_has_the_number_too(setup: Setup) -> None:  # noqa: F811
    import json

    data = json.loads(text(setup, "why", "beta", "--json"))
    (event,) = data["timeline"]
    assert isinstance(event["id"], int)


# --- tables for the terminal ------------------------------------------------------------------


def test_leads_on_an_80_column_terminal_keeps_the_reason_readable(setup: Setup) -> None:  # noqa: F811
    shown = on_terminal(setup, 80, "leads")
    lines = [line for line in shown.splitlines() if line.strip()]
    assert all(len(line) <= 80 for line in lines), shown
    header = next(line for line in lines if "reason" in line)
    reason_width = len(re.split("[│┃]", header)[-2])
    assert reason_width >= MIN_WRAP, shown
    assert "left out at this width: contact, status" in shown


def test_leads_on_a_wide_terminal_shows_every_column(setup: Setup) -> None:  # noqa: F811
    shown = on_terminal(setup, 200, "leads")
    header = next(line for line in shown.splitlines() if "reason" in line)
    for column in ("id", "company", "contact", "status", "action", "due", "reason"):
        assert column in header
    assert "left out" not in shown


def test_piped_output_prints_whole_lines(setup: Setup) -> None:  # noqa: F811
    result = run(["leads", "--config", str(setup.config), "--now", NOW], env=setup.env)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ ")]
    assert rows
    for row in rows:  # one line a lead: nothing wrapped onto a second line, nothing cut
        assert re.match(r"│ \d+ ", row), row
    assert "…" not in result.stdout
    assert "jane@acme.com" in result.stdout
    # whole lines, but only as wide as the table: nothing padded to some huge width
    widest = max(len(line) for line in result.stdout.splitlines())
    assert widest == max(len(row) for row in rows)
    assert widest < 400


@pytest.mark.parametrize(
    ("width", "shown", "reason_at_least"),
    [
        (200, ("id", "company", "contact", "status", "action", "due", "reason"), 60),
        (120, ("id", "company", "contact", "status", "action", "due", "reason"), MIN_WRAP),
        (100, ("id", "company", "status", "action", "due", "reason"), MIN_WRAP),
        (80, ("id", "company", "action", "due", "reason"), MIN_WRAP),
    ],
    ids=["200", "120", "100", "80"],
)
def test_plan_columns_drops_columns_before_squeezing_the_reason(
    width: int, shown: tuple[str, ...], reason_at_least: int
) -> None:
    natural = {
        "id": 3, "company": 26, "contact": 35, "status": 12, "action": 7, "due": 10,
        "reason": 60,
    }  # fmt: skip
    layout = plan_columns(
        natural,
        width,
        wrap="reason",
        limits={"company": 14, "contact": 22},
        droppable=("contact", "status"),
    )
    assert layout.columns == shown
    reason = layout.widths["reason"]
    assert (reason or natural["reason"]) >= reason_at_least


def test_plan_columns_leaves_a_fitting_table_alone() -> None:
    layout = plan_columns({"a": 5, "b": 5}, 80, wrap="b", limits={"a": 2})
    assert layout.widths == {"a": None, "b": None}
    assert layout.hidden == ()


def test_history_on_a_narrow_terminal_is_one_block_a_correction(setup: Setup) -> None:  # noqa: F811
    setup.cli("set", "acme", "--feedback-by", "friday")
    narrow = on_terminal(setup, 80, "history")
    assert all(len(line) <= 80 for line in narrow.splitlines()), narrow
    assert "id 1\n" in narrow
    assert "  as of: 2026-03-09 09:00\n" in narrow  # the --now it was made as of
    assert re.search(r"^  made: \d{4}-\d\d-\d\d \d\d:\d\d$", narrow, re.MULTILINE)  # wall clock
    assert "  command: followup set acme --feedback-by friday --now 2026-03-09T09:00" in narrow
    wide = on_terminal(setup, 200, "history")
    header = next(line for line in wide.splitlines() if "made" in line)
    assert "as of" in header
    assert "command" in header


@pytest.mark.parametrize(
    ("width", "squeezed"),
    [(200, False), (80, True)],
    ids=["wide-table", "narrow-records"],
)
def test_plan_columns_says_when_a_table_would_be_squeezed(width: int, squeezed: bool) -> None:
    natural = {"id": 2, "made": 16, "as of": 16, "command": 60, "field": 11, "change": 40}
    layout = plan_columns(natural, width, wrap="change", limits={"command": 30})
    assert layout.squeezed is squeezed
