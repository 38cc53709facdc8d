"""What `followup leads` must say about the job-search scenario, moment by moment.

The expected actions and due dates below were worked out BY HAND from the design contract
(the rule table and the eleven "precise semantics", cited as "sem N"), never by running
watcher.rules. Business days are Monday to Friday (no holidays configured); the time zone is
America/New_York and every moment of the scenario is in EDT.

The stories (mail in tests/scenarios/job_search.py):

Northwind Robotics, all through Greenhouse (no-reply@us.greenhouse-mail.io, unthreaded):
  N1 Mon 09-14 ack; N2 Fri 09-18 invitation with a scheduling link; N3 Mon 09-21 confirmation
  for Thu 09-24 14:00; nothing from the user; N4 Fri 10-02 rejection.
Bluefin Analytics, Dana Whitfield:
  B1 Tue 09-15 invitation; B2 (Sent) Wed 09-16 accepts; B3 Thu 09-17 confirms Tue 09-22 10:00;
  no thank-you; B4 Wed 09-23 "I will get back to you with feedback by Friday" (= Fri 09-25);
  B5 (Sent) Tue 09-29 11:00 nudge; B6 Wed 09-30 "a final decision by Wednesday, October 7".
Cobalt Health, Priya Raman:
  C1 Mon 09-14 proposes Thu 09-17 11:00; C2 (Sent) accepts; C3 Tue 09-15 confirms;
  C4 (Sent) Thu 09-17 15:10 thank-you; C5 Fri 09-18 "we will contact you once the team has
  made a decision. Please don't follow up with us for status updates" (no date).
Driftwood Labs, Marcus Lee:
  D1 Thu 09-10 proposes Wed 09-16 13:00; D2 (Sent) accepts; D3 Fri 09-11 confirms;
  D4 (Sent) Wed 09-16 19:30 thank-you; D5 (Sent) Mon 09-21 follow-up 1, answered only by an
  out-of-office auto-reply (D5R: back on Mon 09-28); D6 (Sent) Thu 10-01 follow-up 2; the
  recruiter never writes again.
Halcyon Games, Nora Kim:
  H1 Wed 09-09 proposes Mon 09-14 16:00; H2 (Sent) accepts; H3 Thu 09-10 confirms;
  H4 (Sent) Mon 09-14 20:10 thank-you; H5 Tue 09-15 "I will get back to you by Friday,
  September 18"; H6 Mon 09-21 15:00 offer; H7 (Sent) Thu 09-24 accepts.
Evergreen Systems, Sofia Alvarez:
  E1 Mon 10-05 invitation; E2 (Sent) availability; E3 Tue 10-06 confirms Wed 10-14 15:00.
Granite Peak Software, Tom Becker:
  G1 Thu 10-08 invitation, never answered.
Not job mail: J1 a LinkedIn job-alert digest (09-22), J2 a newsletter (09-26), J3 (Sent)
  a note to a friend at gmail.com that mentions Bluefin's interview (09-24): no lead, and J3
  is no follow-up to Bluefin.

Worked dates (business days, "+Nbd"):
  Northwind: interview Thu 09-24 14:00; thank-you window to end of Fri 09-25; nudge opens
    09-24 +2bd = Mon 09-28, due +3bd = Tue 09-29 (sem 7).
  Bluefin: promise D = Fri 09-25; wait through D and grace 1bd (Mon 09-28); nudge opens and is
    due Tue 09-29 (sem 8). B5 is follow-up 1; B6 restarts the count and brings D = Wed 10-07:
    wait through Thu 10-08, nudge opens and is due Fri 10-09 (sem 5, 8; "a reply resets").
  Cobalt: base = C5 (later than the interview, no date) Fri 09-18; the nudge would open
    +2bd = Tue 09-22 (sem 7); dead give_up_days = 7bd later = Thu 10-01 (sem 9).
  Driftwood: D4 is the thank-you (sem 4); nudge opened Fri 09-18 (due Mon 09-21);
    D5 = follow-up 1 on Mon 09-21; D5R resets nothing ("away"), and its return date (Mon
    09-28) is before the second nudge may open, min_gap 7bd after D5 = Wed 09-30;
    D6 = follow-up 2 (max_nudges) on Thu 10-01; dead 7bd later = Mon 10-12 (sem 11).
  Halcyon: D = Fri 09-18, grace Mon 09-21, nudge would open Tue 09-22 (sem 8); the offer on
    Mon 09-21 15:00 gives respond until H7 on Thu 09-24, then none (sem 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tests.scenarios.job_search import at

# Each company as the user would recognise it in the `company` column, and its recruiter.
COMPANIES: dict[str, str | None] = {
    "Northwind Robotics": None,  # only an ATS no-reply address
    "Bluefin Analytics": "dana.whitfield@bluefin-analytics.com",
    "Cobalt Health": "priya.raman@cobalthealth.com",
    "Driftwood Labs": "marcus.lee@driftwoodlabs.io",
    "Halcyon Games": "nora.kim@halcyongames.com",
    "Evergreen Systems": "sofia.alvarez@evergreensys.com",
    "Granite Peak Software": "tom.becker@granitepeak.dev",
}

ABSENT = "absent"  # no message of this company yet: no lead as of that moment
# DESIGN gives `due` for thank (end of the next business day), nudge (sem 7, 8) and a wait before
# the interview ("due on the interview day"). Every other wait is read the same way: due on the
# day the wait ends and the action changes (the nudge opens, or the lead is let go). DESIGN says
# nothing of `due` for respond, none and dead: not checked.
ANY_DUE = "any"


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@dataclass(frozen=True)
class Expect:
    action: str
    due: date | str | None = ANY_DUE


# The moments, local New York time.
M1 = at(9, 15, 12)  # Tue: early, one interview just past, two ahead
M2 = at(9, 22, 15)  # Tue: Bluefin's interview this morning, Halcyon's offer yesterday
M3 = at(9, 26, 12)  # Sat: the weekend, the day after Bluefin's promised Friday
M4 = at(9, 28, 12)  # Mon: Bluefin's grace day; Northwind's nudge window opens
M5 = at(9, 29, 9)  # Tue: the first nudge day for Bluefin (before the user's nudge at 11:00)
M6 = at(9, 30, 12)  # Wed: Driftwood's min_gap has passed; Bluefin nudged yesterday
M7 = at(10, 1, 12)  # Thu: Cobalt gives up; Driftwood's second follow-up this morning
M8 = at(10, 9, 12)  # Fri: Bluefin's new date passed; new leads Evergreen and Granite Peak
M9 = at(10, 12, 12)  # Mon: Driftwood gives up after its last nudge

EXPECTED: dict[datetime, dict[str, Expect | str]] = {
    M1: {
        # sem 10: an application acknowledged, no interview yet -> none
        "Northwind Robotics": Expect("none"),
        # first mail arrives at 14:10, after this moment
        "Bluefin Analytics": ABSENT,
        # "before the interview" + sem 1: confirmed for Thu 09-17, still ahead -> wait, due that day
        "Cobalt Health": Expect("wait", d(9, 17)),
        # "before the interview": confirmed for Wed 09-16 -> wait, due on the interview day
        "Driftwood Labs": Expect("wait", d(9, 16)),
        # "promised date" + sem 8: D = Fri 09-18, grace Mon 09-21 -> wait (thank-you sent, sem 4)
        "Halcyon Games": Expect("wait", d(9, 22)),
        "Evergreen Systems": ABSENT,
        "Granite Peak Software": ABSENT,
    },
    M2: {
        # "before the interview": N3 confirmed Thu 09-24 14:00 (it answers N2, sem 2)
        # -> wait, due on the interview day
        "Northwind Robotics": Expect("wait", d(9, 24)),
        # "thank-you" + sem 3, 4: interview 10:00 today is past, nothing sent since -> thank,
        # due by the end of the next business day, Wed 09-23
        "Bluefin Analytics": Expect("thank", d(9, 23)),
        # "no follow-ups" + sem 9: never nudge; dead only from Thu 10-01 -> wait
        "Cobalt Health": Expect("wait", d(10, 1)),
        # "not too often": D5 follow-up 1 yesterday; the next may open Wed 09-30 -> wait
        "Driftwood Labs": Expect("wait", d(9, 30)),
        # "outcomes" + sem 1, 2: offer H6 yesterday, not answered -> respond
        "Halcyon Games": Expect("respond"),
        "Evergreen Systems": ABSENT,
        "Granite Peak Software": ABSENT,
    },
    M3: {
        # "timely follow-up" + sem 4, 7: thank window ended Fri 09-25; nudge opens Mon 09-28 -> wait
        "Northwind Robotics": Expect("wait", d(9, 28)),
        # "promised date" + sem 6, 8: D = Fri 09-25 passed, grace Mon 09-28 -> wait on Saturday
        "Bluefin Analytics": Expect("wait", d(9, 29)),
        # "no follow-ups" + sem 9 -> wait
        "Cobalt Health": Expect("wait", d(10, 1)),
        # "not too often": next follow-up not before Wed 09-30 -> wait
        "Driftwood Labs": Expect("wait", d(9, 30)),
        # "outcomes" + sem 2: the user answered the offer (H7, Thu 09-24) -> none
        "Halcyon Games": Expect("none"),
        "Evergreen Systems": ABSENT,
        "Granite Peak Software": ABSENT,
    },
    M4: {
        # "timely follow-up" + sem 7: opens 09-24 +2bd = Mon 09-28, due +3bd = Tue 09-29
        "Northwind Robotics": Expect("nudge", d(9, 29)),
        # "promised date" + sem 8: Mon 09-28 is the grace day -> wait ("never nudge before")
        "Bluefin Analytics": Expect("wait", d(9, 29)),
        # "no follow-ups" + sem 9 -> wait
        "Cobalt Health": Expect("wait", d(10, 1)),
        # "not too often" -> wait
        "Driftwood Labs": Expect("wait", d(9, 30)),
        # sem 2 -> none
        "Halcyon Games": Expect("none"),
        "Evergreen Systems": ABSENT,
        "Granite Peak Software": ABSENT,
    },
    M5: {
        # "timely follow-up" + sem 7: window open, due Tue 09-29
        "Northwind Robotics": Expect("nudge", d(9, 29)),
        # "promised date" + sem 6, 8: the day after the grace day -> nudge, opens and is due 09-29
        "Bluefin Analytics": Expect("nudge", d(9, 29)),
        # "no follow-ups" + sem 9 -> wait
        "Cobalt Health": Expect("wait", d(10, 1)),
        # "not too often": min_gap 7bd from Mon 09-21 ends Wed 09-30 -> wait today
        "Driftwood Labs": Expect("wait", d(9, 30)),
        "Halcyon Games": Expect("none"),
        "Evergreen Systems": ABSENT,
        "Granite Peak Software": ABSENT,
    },
    M6: {
        # sem 7: still no message from the user -> nudge, due stays Tue 09-29
        "Northwind Robotics": Expect("nudge", d(9, 29)),
        # "not too often" + sem 5: B5 yesterday is follow-up 1, the next not before 7bd -> wait
        "Bluefin Analytics": Expect("wait", d(10, 8)),
        # "no follow-ups" + sem 9: dead only from Thu 10-01 (7bd after Tue 09-22) -> wait
        "Cobalt Health": Expect("wait", d(10, 1)),
        # "not too often": 1 of max_nudges 2 sent Mon 09-21; 7bd later = Wed 09-30 -> nudge
        "Driftwood Labs": Expect("nudge"),
        "Halcyon Games": Expect("none"),
        "Evergreen Systems": ABSENT,
        "Granite Peak Software": ABSENT,
    },
    M7: {
        # sem 7 -> nudge, due Tue 09-29
        "Northwind Robotics": Expect("nudge", d(9, 29)),
        # "a reply resets" + sem 8: B6 brings D = Wed 10-07, grace Thu 10-08 -> wait
        "Bluefin Analytics": Expect("wait", d(10, 9)),
        # "no follow-ups" + sem 9: would-be nudge day Tue 09-22 + 7bd = Thu 10-01 -> dead
        "Cobalt Health": Expect("dead"),
        # "not too often" + sem 11: D6 this morning is the last allowed nudge; dead from Mon 10-12
        "Driftwood Labs": Expect("wait", d(10, 12)),
        "Halcyon Games": Expect("none"),
        "Evergreen Systems": ABSENT,
        "Granite Peak Software": ABSENT,
    },
    M8: {
        # "outcomes" + sem 1: rejection N4 on Fri 10-02 -> none
        "Northwind Robotics": Expect("none"),
        # "a reply resets" + sem 5, 8: D = Wed 10-07, grace Thu 10-08 -> nudge, due Fri 10-09
        "Bluefin Analytics": Expect("nudge", d(10, 9)),
        # sem 9 -> dead
        "Cobalt Health": Expect("dead"),
        # sem 11: give_up_days 7bd after Thu 10-01 = Mon 10-12 -> still wait
        "Driftwood Labs": Expect("wait", d(10, 12)),
        "Halcyon Games": Expect("none"),
        # "before the interview": confirmed Wed 10-14 15:00 -> wait, due 10-14
        "Evergreen Systems": Expect("wait", d(10, 14)),
        # "outcomes" + sem 2: invitation G1 not answered -> respond
        "Granite Peak Software": Expect("respond"),
    },
    M9: {
        "Northwind Robotics": Expect("none"),
        # sem 8: nothing sent since the nudge opened -> nudge, due Fri 10-09
        "Bluefin Analytics": Expect("nudge", d(10, 9)),
        "Cobalt Health": Expect("dead"),
        # "move on" + sem 11: 7bd after the last allowed nudge (Thu 10-01) = Mon 10-12 -> dead
        "Driftwood Labs": Expect("dead"),
        "Halcyon Games": Expect("none"),
        # "before the interview" -> wait, due Wed 10-14
        "Evergreen Systems": Expect("wait", d(10, 14)),
        # sem 2 -> respond
        "Granite Peak Software": Expect("respond"),
    },
}
