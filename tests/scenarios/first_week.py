"""A new user's first weeks (Nov 2 - 23, 2026): a thread for each decision issue 13 found wrong.

Every moment is US Eastern (EST, -05:00) and every Date header carries -0500, so a time a mail
writes without a zone ("3:30 PM") is 15:30-05:00. The stories, and what DESIGN makes of them:

Initrode, Iris Kaplan: I1 Mon 11-09 asks for availability; I2 (Sent) answers; I3 Tue 11-10
  confirms "Thursday, November 12 at 3:30 PM" (no zone: the Date's -05:00). At noon on the
  12th the interview is still ahead (wait, due 11-12); at 16:00 it is past (thank, due 11-13).
Umbrella Health, Uma Patel: U1 Tue 11-10 invitation without a time; U2 (Sent) Tue 11-10
  answers; nothing more. `none` (answered, no time yet) -- and still a line in the digest.
Hooli, Hank Moody: H1 Thu 11-05 confirms Mon 11-09 11:00; H2 (Sent) Mon 11-09 17:00 thank-you,
  answered by H3, an auto-reply "out of the office until Friday, November 20". The nudge would
  open Wed 11-11; it waits until after the return date: Mon 11-23.
Globex, Dana Whitfield and Tom Becker: G1 Tue 11-10 10:00 Dana invites to a final round;
  G2 Tue 11-10 14:00 Tom sends a take-home in a new thread. `respond` goes to Dana, in her
  thread ("Re: Final round interview"), not to Tom.
Vandelay Industries, Vera Lind then Kevin Park: V1 Mon 11-02 invitation; V2 (Sent) answers;
  V3 Tue 11-03 confirms Mon 11-16 10:00; V4 Fri 11-13 Kevin takes over the process. As of
  Thu 11-12, Kevin does not exist yet: the contact is Vera and nothing of 11-13 shows.
Tidewell Freight: T1 Mon 11-02 an ATS acknowledgement from "Hiring Team" at Workable naming the
  company only in subject and body; T2 Wed 11-04 Rosa Mendes writes from tidewell-freight.com;
  T3 Mon 11-16 an ATS rejection. One hiring process: one lead.
Kestrel Labs, Ken Adams: K1 Fri 11-13 an offer, "please let us know by Friday, November 20".
  `respond` (due Mon 11-16), and the stated decision date shown beside it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.scenarios.job_search import USER, USER_ADDRESS, Mail

ZONE = ZoneInfo("America/New_York")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026 in New York."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


_IRIS = "Iris Kaplan <iris.kaplan@initrode.com>"
_UMA = "Uma Patel <uma.patel@umbrellahealth.com>"
_HANK = "Hank Moody <hank.moody@hooli.com>"
_DANA = "Dana Whitfield <dana.whitfield@globex.com>"
_TOM = "Tom Becker <tom.becker@globex.com>"
_VERA = "Vera Lind <vera.lind@vandelay.com>"
_KEVIN = "Kevin Park <kevin.park@vandelay.com>"
_WORKABLE = "Hiring Team <noreply@candidates.workablemail.com>"
_ROSA = "Rosa Mendes <rosa.mendes@tidewell-freight.com>"
_KEN = "Ken Adams <ken.adams@kestrellabs.com>"

INITRODE = [
    Mail(
        "I1",
        "INBOX",
        at(11, 9, 9, 30),
        _IRIS,
        USER_ADDRESS,
        "Interview for the Data Analyst role at Initrode",
        "Hi Alex,\n\nThank you for applying for the Data Analyst role at Initrode. We would like "
        "to invite you to a video interview with our analytics lead. Could you send me a few "
        "times that work for you this week?\n\nBest,\nIris Kaplan\nTalent Partner, Initrode",
    ),
    Mail(
        "I2",
        "Sent",
        at(11, 9, 12, 10),
        USER,
        _IRIS,
        "Re: Interview for the Data Analyst role at Initrode",
        "Hi Iris,\n\nThank you! Thursday afternoon would suit me best.\n\nBest,\nAlex",
        reply_to="I1",
    ),
    Mail(
        "I3",
        "INBOX",
        at(11, 10, 10, 0),
        _IRIS,
        USER_ADDRESS,
        "Re: Interview for the Data Analyst role at Initrode",
        "Hi Alex,\n\nGreat, your interview is confirmed for Thursday, November 12 at 3:30 PM. "
        "You will receive a video link shortly.\n\nBest,\nIris Kaplan\nTalent Partner, Initrode",
        reply_to="I2",
    ),
]

UMBRELLA = [
    Mail(
        "U1",
        "INBOX",
        at(11, 10, 11, 0),
        _UMA,
        USER_ADDRESS,
        "Interview invitation - Product Designer",
        "Hello Alex,\n\nWe enjoyed reading your application for the Product Designer position "
        "at Umbrella Health and would like to invite you to a first interview. Please reply "
        "with your availability for next week and I will send an invitation.\n\n"
        "Kind regards,\nUma Patel\nRecruiter, Umbrella Health",
    ),
    Mail(
        "U2",
        "Sent",
        at(11, 10, 15, 20),
        USER,
        _UMA,
        "Re: Interview invitation - Product Designer",
        "Hello Uma,\n\nThank you, I would be glad to. Next Tuesday or Wednesday morning work "
        "well for me.\n\nBest regards,\nAlex",
        reply_to="U1",
    ),
]

HOOLI = [
    Mail(
        "H1",
        "INBOX",
        at(11, 5, 14, 0),
        _HANK,
        USER_ADDRESS,
        "Interview confirmation: Backend Engineer",
        "Hi Alex,\n\nThis confirms your interview for the Backend Engineer position on "
        "Monday, November 9 at 11:00 AM at our office.\n\nSee you then,\nHank Moody\n"
        "Recruiting, Hooli",
    ),
    Mail(
        "H2",
        "Sent",
        at(11, 9, 17, 0),
        USER,
        _HANK,
        "Re: Interview confirmation: Backend Engineer",
        "Hi Hank,\n\nThank you for today's conversation; I enjoyed meeting the team.\n\n"
        "Best,\nAlex",
        reply_to="H1",
    ),
    Mail(
        "H3",
        "INBOX",
        at(11, 9, 17, 1),
        _HANK,
        USER_ADDRESS,
        "Automatic reply: Re: Interview confirmation: Backend Engineer",
        "Thank you for your message. I am out of the office until Friday, November 20 with "
        "limited access to email. I will reply when I am back.\n\nHank Moody",
        reply_to="H2",
        quote=False,
        headers=(("Auto-Submitted", "auto-replied"),),
    ),
]

GLOBEX = [
    Mail(
        "G1",
        "INBOX",
        at(11, 10, 10, 0),
        _DANA,
        USER_ADDRESS,
        "Final round interview",
        "Hi Alex,\n\nThe team would like to invite you to the final round interview for the "
        "Platform Engineer role. Could you let me know your availability next week?\n\n"
        "Best,\nDana Whitfield\nRecruiter, Globex",
    ),
    Mail(
        "G2",
        "INBOX",
        at(11, 10, 14, 0),
        _TOM,
        USER_ADDRESS,
        "Take-home exercise",
        "Hi Alex,\n\nAhead of the final round, here is the take-home exercise for the Platform "
        "Engineer role. Please send your solution within a week.\n\nThanks,\nTom Becker\n"
        "Engineering Manager, Globex",
    ),
]

VANDELAY = [
    Mail(
        "V1",
        "INBOX",
        at(11, 2, 9, 0),
        _VERA,
        USER_ADDRESS,
        "Interview - Import Export Analyst",
        "Hi Alex,\n\nWe would like to invite you to interview for the Import Export Analyst "
        "position at Vandelay Industries. Could you share your availability?\n\n"
        "Best,\nVera Lind\nRecruiter, Vandelay Industries",
    ),
    Mail(
        "V2",
        "Sent",
        at(11, 2, 13, 0),
        USER,
        _VERA,
        "Re: Interview - Import Export Analyst",
        "Hi Vera,\n\nThank you! Any time on Monday, November 16 works for me.\n\nBest,\nAlex",
        reply_to="V1",
    ),
    Mail(
        "V3",
        "INBOX",
        at(11, 3, 10, 0),
        _VERA,
        USER_ADDRESS,
        "Re: Interview - Import Export Analyst",
        "Hi Alex,\n\nYour interview is scheduled for Monday, November 16 at 10:00 AM.\n\n"
        "Best,\nVera Lind\nRecruiter, Vandelay Industries",
        reply_to="V2",
    ),
    Mail(
        "V4",
        "INBOX",
        at(11, 13, 9, 0),
        _KEVIN,
        USER_ADDRESS,
        "Your interview on Monday",
        "Hi Alex,\n\nI am taking over from Vera as your recruiter at Vandelay Industries. "
        "Your interview on Monday, November 16 at 10:00 AM stays as planned.\n\n"
        "Best,\nKevin Park\nRecruiter, Vandelay Industries",
    ),
]

_WORKABLE_FOOTER = "\n\nPowered by Workable. Please do not reply to this email.\n"

TIDEWELL = [
    Mail(
        "T1",
        "INBOX",
        at(11, 2, 8, 15),
        _WORKABLE,
        USER_ADDRESS,
        "Thanks for applying to Tidewell Freight",
        "Hi Alex,\n\nThank you for applying for the Logistics Analyst position at Tidewell "
        "Freight. We have received your application and our team will review it.\n\n"
        "Best regards,\nTidewell Freight Hiring Team" + _WORKABLE_FOOTER,
        html=True,
    ),
    Mail(
        "T2",
        "INBOX",
        at(11, 4, 11, 0),
        _ROSA,
        USER_ADDRESS,
        "Your application at Tidewell Freight",
        "Hi Alex,\n\nI am the recruiter for the Logistics Analyst position at Tidewell Freight. "
        "We are still reviewing applications and I will be in touch about next steps.\n\n"
        "Best,\nRosa Mendes\nTalent Acquisition, Tidewell Freight",
    ),
    Mail(
        "T3",
        "INBOX",
        at(11, 16, 8, 30),
        _WORKABLE,
        USER_ADDRESS,
        "Your application to Tidewell Freight",
        "Hi Alex,\n\nThank you for your interest in the Logistics Analyst position at Tidewell "
        "Freight. After careful consideration, we have decided not to move forward with your "
        "application.\n\nWe wish you the best in your search.\n\nTidewell Freight Hiring Team"
        + _WORKABLE_FOOTER,
        html=True,
    ),
]

KESTREL = [
    Mail(
        "K1",
        "INBOX",
        at(11, 13, 16, 0),
        _KEN,
        USER_ADDRESS,
        "Offer: Machine Learning Engineer",
        "Hi Alex,\n\nI am delighted to offer you the position of Machine Learning Engineer at "
        "Kestrel Labs. The offer letter is attached. Please let us know your decision by "
        "Friday, November 20.\n\nWarm regards,\nKen Adams\nHead of Talent, Kestrel Labs",
    ),
]

MAILS = sorted(
    [*INITRODE, *UMBRELLA, *HOOLI, *GLOBEX, *VANDELAY, *TIDEWELL, *KESTREL],
    key=lambda mail: mail.at,
)
BY_KEY = {mail.key: mail for mail in MAILS}
