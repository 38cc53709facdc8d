"""Six weeks of Alex Morgan's job search (Sep 9 - Oct 8, 2026): INBOX and Sent, seven companies.

Every date is US Eastern (EDT, -04:00); the Date header and the IMAP INTERNALDATE are the same.
The story of each company, and what the rules should make of it, is in
tests/test_e2e_scenario.py; this module only builds the mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/New_York")
USER = "Alex Morgan <alex.morgan@example.org>"
USER_ADDRESS = "alex.morgan@example.org"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026 in New York."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


@dataclass(frozen=True)
class Mail:
    """One message of the scenario; ``reply_to`` names the key of the message it answers."""

    key: str
    folder: str  # "INBOX" or "Sent"
    at: datetime
    sender: str
    to: str
    subject: str
    body: str
    reply_to: str | None = None
    html: bool = False  # an ATS sends HTML with a plain-text alternative
    quote: bool = True  # a reply quotes its parent (auto-replies do not)
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def message_id(self) -> str:
        domain = parseaddr(self.sender)[1].rpartition("@")[2]
        return f"<{self.key.lower()}.{self.at:%Y%m%d%H%M}@{domain}>"


# -- Northwind Robotics: everything through Greenhouse, from a no-reply address, no threading -----

_GREENHOUSE = "Northwind Robotics <no-reply@us.greenhouse-mail.io>"
_GREENHOUSE_FOOTER = (
    "\n\nThis email was sent by Greenhouse on behalf of Northwind Robotics. "
    "Please do not reply to this message; this mailbox is not monitored.\n"
)

NORTHWIND = [
    Mail(
        "N1",
        "INBOX",
        at(9, 14, 10, 2),
        _GREENHOUSE,
        USER_ADDRESS,
        "Thank you for applying to Northwind Robotics",
        "Hi Alex,\n\n"
        "Thank you for your interest in Northwind Robotics! We have received your application "
        "for the Senior Data Engineer position.\n\n"
        "Our hiring team is reviewing applications now. If your background is a good match for "
        "the role, a member of our recruiting team will contact you about next steps.\n\n"
        "Best regards,\nThe Northwind Robotics Recruiting Team" + _GREENHOUSE_FOOTER,
        html=True,
    ),
    Mail(
        "N2",
        "INBOX",
        at(9, 18, 11, 15),
        _GREENHOUSE,
        USER_ADDRESS,
        "Interview invitation: Senior Data Engineer at Northwind Robotics",
        "Hi Alex,\n\n"
        "Thank you for applying to the Senior Data Engineer role at Northwind Robotics. We were "
        "impressed by your background and would like to invite you to a 45-minute video "
        "interview with our hiring manager, Elena Park.\n\n"
        "Please use the link below to choose a time that works for you:\n"
        "https://app.greenhouse.io/scheduling/6d1f7a2c9e/select\n\n"
        "If none of the available times work, let us know through the scheduling page.\n\n"
        "Best,\nNorthwind Robotics Recruiting" + _GREENHOUSE_FOOTER,
        html=True,
    ),
    Mail(
        "N3",
        "INBOX",
        at(9, 21, 9, 5),
        _GREENHOUSE,
        USER_ADDRESS,
        "Interview confirmed: Northwind Robotics - Senior Data Engineer",
        "Hi Alex,\n\n"
        "Your interview with Northwind Robotics is confirmed for Thursday, September 24, 2026 "
        "at 2:00 PM ET.\n\n"
        "When: Thursday, September 24, 2026, 2:00 PM - 2:45 PM ET\n"
        "Where: Google Meet, https://meet.google.com/nwr-kpqd-xty\n"
        "With: Elena Park, Engineering Manager\n\n"
        "Good luck!\nNorthwind Robotics Recruiting" + _GREENHOUSE_FOOTER,
        html=True,
    ),
    Mail(
        "N4",
        "INBOX",
        at(10, 2, 16, 20),
        _GREENHOUSE,
        USER_ADDRESS,
        "Your application to Northwind Robotics",
        "Hi Alex,\n\n"
        "Thank you for taking the time to interview with us for the Senior Data Engineer "
        "position. After careful consideration, we have decided to move forward with other "
        "candidates whose experience more closely matches our current needs.\n\n"
        "We appreciate your interest in Northwind Robotics and wish you the best of luck in "
        "your search.\n\n"
        "Regards,\nNorthwind Robotics Recruiting" + _GREENHOUSE_FOOTER,
        html=True,
    ),
]

# -- Bluefin Analytics: a human recruiter who promises feedback "by Friday" -----------------------

_DANA = "Dana Whitfield <dana.whitfield@bluefin-analytics.com>"
_DANA_SIGNATURE = (
    "\n\nBest regards,\nDana Whitfield\nTalent Acquisition Partner | Bluefin Analytics"
)

BLUEFIN = [
    Mail(
        "B1",
        "INBOX",
        at(9, 15, 14, 10),
        _DANA,
        USER,
        "Bluefin Analytics - Data Engineer interview",
        "Hi Alex,\n\n"
        "Thanks for applying to the Data Engineer role at Bluefin Analytics. I'm the recruiter "
        "for the position, and the hiring team would like to invite you to a one-hour video "
        "interview with Raj Mehta, our Head of Data.\n\n"
        "Could you let me know your availability on Monday, September 21 or Tuesday, "
        "September 22, between 9:00 AM and 4:00 PM ET?" + _DANA_SIGNATURE,
    ),
    Mail(
        "B2",
        "Sent",
        at(9, 16, 8, 45),
        USER,
        _DANA,
        "Re: Bluefin Analytics - Data Engineer interview",
        "Hi Dana,\n\n"
        "Thank you for reaching out, I'd be glad to interview. Tuesday, September 22 at "
        "10:00 AM ET would work well for me.\n\n"
        "Best,\nAlex Morgan",
        reply_to="B1",
    ),
    Mail(
        "B3",
        "INBOX",
        at(9, 17, 10, 30),
        _DANA,
        USER,
        "Re: Bluefin Analytics - Data Engineer interview",
        "Hi Alex,\n\n"
        "Great, you're all set. Your video interview with Raj Mehta is confirmed for Tuesday, "
        "September 22 at 10:00 AM ET. A calendar invitation with the Zoom link is on its way."
        + _DANA_SIGNATURE,
        reply_to="B2",
    ),
    Mail(
        "B4",
        "INBOX",
        at(9, 23, 9, 40),
        _DANA,
        USER,
        "Re: Bluefin Analytics - Data Engineer interview",
        "Hi Alex,\n\n"
        "Thank you again for speaking with Raj yesterday. The team is wrapping up interviews "
        "this week, and I will get back to you with feedback by Friday." + _DANA_SIGNATURE,
        reply_to="B3",
    ),
    Mail(
        "B5",
        "Sent",
        at(9, 29, 11, 0),
        USER,
        _DANA,
        "Re: Bluefin Analytics - Data Engineer interview",
        "Hi Dana,\n\n"
        "I hope you're well. I wanted to follow up on my interview with Raj last Tuesday for "
        "the Data Engineer role. I'm still very interested in joining Bluefin Analytics, and "
        "I'd be glad to share anything else that would help the team's decision.\n\n"
        "Best regards,\nAlex",
        reply_to="B4",
    ),
    Mail(
        "B6",
        "INBOX",
        at(9, 30, 15, 20),
        _DANA,
        USER,
        "Re: Bluefin Analytics - Data Engineer interview",
        "Hi Alex,\n\n"
        "Thanks for checking in, and sorry for the delay. Raj has been traveling this week, so "
        "the decision has slipped. We will have a final decision by Wednesday, October 7, and "
        "I'll email you as soon as I hear." + _DANA_SIGNATURE,
        reply_to="B5",
    ),
]

# -- Cobalt Health: asks not to be chased ---------------------------------------------------------

_PRIYA = "Priya Raman <priya.raman@cobalthealth.com>"
_PRIYA_SIGNATURE = "\n\nKind regards,\nPriya Raman\nSenior Recruiter, Cobalt Health"

COBALT = [
    Mail(
        "C1",
        "INBOX",
        at(9, 14, 13, 0),
        _PRIYA,
        USER,
        "Interview request - Analytics Engineer, Cobalt Health",
        "Hi Alex,\n\n"
        "I'm a recruiter at Cobalt Health. Thank you for applying for our Analytics Engineer "
        "opening. We would like to invite you to a video interview with the analytics team. "
        "Would Thursday, September 17 at 11:00 AM ET work for you?" + _PRIYA_SIGNATURE,
    ),
    Mail(
        "C2",
        "Sent",
        at(9, 14, 18, 20),
        USER,
        _PRIYA,
        "Re: Interview request - Analytics Engineer, Cobalt Health",
        "Hi Priya,\n\n"
        "Thank you, Thursday, September 17 at 11:00 AM ET works for me. I look forward to it."
        "\n\nBest,\nAlex",
        reply_to="C1",
    ),
    Mail(
        "C3",
        "INBOX",
        at(9, 15, 9, 30),
        _PRIYA,
        USER,
        "Re: Interview request - Analytics Engineer, Cobalt Health",
        "Hi Alex,\n\n"
        "Thanks for confirming. Your interview is scheduled for Thursday, September 17 at "
        "11:00 AM ET. You will meet Omar Haddad and Lisa Chen from the analytics team; the "
        "Microsoft Teams link is in the calendar invitation I just sent." + _PRIYA_SIGNATURE,
        reply_to="C2",
    ),
    Mail(
        "C4",
        "Sent",
        at(9, 17, 15, 10),
        USER,
        _PRIYA,
        "Thank you - Analytics Engineer interview",
        "Hi Priya,\n\n"
        "Thank you for arranging today's interview. I enjoyed talking with Omar and Lisa about "
        "the analytics platform, and I'm excited about the role.\n\n"
        "Best regards,\nAlex",
    ),
    Mail(
        "C5",
        "INBOX",
        at(9, 18, 10, 5),
        _PRIYA,
        USER,
        "Re: Thank you - Analytics Engineer interview",
        "Hi Alex,\n\n"
        "Thank you for taking the time to interview with us yesterday. We are still meeting "
        "other candidates, and we will contact you once the team has made a decision. Please "
        "don't follow up with us for status updates in the meantime; we will reach out to "
        "every candidate either way." + _PRIYA_SIGNATURE,
        reply_to="C4",
    ),
]

# -- Driftwood Labs: thank-you the evening of the onsite, then two follow-ups and silence ---------

_MARCUS = "Marcus Lee <marcus.lee@driftwoodlabs.io>"

DRIFTWOOD = [
    Mail(
        "D1",
        "INBOX",
        at(9, 10, 11, 0),
        _MARCUS,
        USER,
        "Onsite interview - Platform Engineer at Driftwood Labs",
        "Hi Alex,\n\n"
        "Thanks for your application for the Platform Engineer role at Driftwood Labs. We "
        "would like to invite you to an onsite interview at our office. Would Wednesday, "
        "September 16 at 1:00 PM ET work for you?\n\n"
        "Best,\nMarcus Lee\nTechnical Recruiter, Driftwood Labs",
    ),
    Mail(
        "D2",
        "Sent",
        at(9, 10, 12, 30),
        USER,
        _MARCUS,
        "Re: Onsite interview - Platform Engineer at Driftwood Labs",
        "Hi Marcus,\n\nThank you! Wednesday, September 16 at 1:00 PM works for me.\n\nBest,\nAlex",
        reply_to="D1",
    ),
    Mail(
        "D3",
        "INBOX",
        at(9, 11, 9, 0),
        _MARCUS,
        USER,
        "Re: Onsite interview - Platform Engineer at Driftwood Labs",
        "Hi Alex,\n\n"
        "Perfect. Your onsite interview is confirmed for Wednesday, September 16 at 1:00 PM ET "
        "at our office, 200 Harbor Street, 5th floor, Boston. Please bring a photo ID for the "
        "front desk.\n\nSee you then,\nMarcus",
        reply_to="D2",
    ),
    Mail(
        "D4",
        "Sent",
        at(9, 16, 19, 30),
        USER,
        _MARCUS,
        "Thank you - Platform Engineer onsite",
        "Hi Marcus,\n\n"
        "Thank you for organizing today's onsite. I really enjoyed meeting the platform team "
        "and learning about the move to Kubernetes. Please pass on my thanks to everyone I met."
        "\n\nBest regards,\nAlex",
    ),
    Mail(
        "D5",
        "Sent",
        at(9, 21, 9, 30),
        USER,
        _MARCUS,
        "Re: Thank you - Platform Engineer onsite",
        "Hi Marcus,\n\n"
        "I hope you had a good weekend. I wanted to follow up on last Wednesday's onsite for "
        "the Platform Engineer role. Is there any update on next steps? I remain very "
        "interested.\n\nBest,\nAlex",
        reply_to="D4",
    ),
    Mail(
        "D5R",
        "INBOX",
        at(9, 21, 9, 31),
        _MARCUS,
        USER,
        "Automatic reply: Re: Thank you - Platform Engineer onsite",
        "Thank you for your email. I am out of the office until Friday, September 25, with "
        "limited access to email, and will be back on Monday, September 28. For anything "
        "urgent, please contact recruiting@driftwoodlabs.io.\n\nMarcus Lee",
        reply_to="D5",
        quote=False,
        headers=(("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")),
    ),
    Mail(
        "D6",
        "Sent",
        at(10, 1, 10, 0),
        USER,
        _MARCUS,
        "Re: Thank you - Platform Engineer onsite",
        "Hi Marcus,\n\n"
        "I'm writing to check in once more about the Platform Engineer role. I would still "
        "welcome the chance to join Driftwood Labs; please let me know if there is anything "
        "else you need from me.\n\nBest regards,\nAlex",
        reply_to="D5",
    ),
]

# -- Halcyon Games: promise, then an offer the user accepts ---------------------------------------

_NORA = "Nora Kim <nora.kim@halcyongames.com>"

HALCYON = [
    Mail(
        "H1",
        "INBOX",
        at(9, 9, 10, 0),
        _NORA,
        USER,
        "Interview for Senior Data Engineer - Halcyon Games",
        "Hi Alex,\n\n"
        "Thank you for applying to Halcyon Games. We'd love to invite you to a video interview "
        "with our data director, Ben Ortiz. Would Monday, September 14 at 4:00 PM ET work for "
        "you?\n\nCheers,\nNora Kim\nPeople Team, Halcyon Games",
    ),
    Mail(
        "H2",
        "Sent",
        at(9, 9, 12, 0),
        USER,
        _NORA,
        "Re: Interview for Senior Data Engineer - Halcyon Games",
        "Hi Nora,\n\nMonday, September 14 at 4:00 PM ET works great for me. Thank you!\n\n"
        "Best,\nAlex",
        reply_to="H1",
    ),
    Mail(
        "H3",
        "INBOX",
        at(9, 10, 9, 15),
        _NORA,
        USER,
        "Re: Interview for Senior Data Engineer - Halcyon Games",
        "Hi Alex,\n\n"
        "Confirmed: your interview with Ben Ortiz is scheduled for Monday, September 14 at "
        "4:00 PM ET on Google Meet. The link is in the calendar invitation.\n\n"
        "Cheers,\nNora",
        reply_to="H2",
    ),
    Mail(
        "H4",
        "Sent",
        at(9, 14, 20, 10),
        USER,
        _NORA,
        "Re: Interview for Senior Data Engineer - Halcyon Games",
        "Hi Nora,\n\n"
        "Thank you for setting up today's interview with Ben. I enjoyed our conversation about "
        "the player analytics pipeline and I'm even more excited about the role.\n\n"
        "Best,\nAlex",
        reply_to="H3",
    ),
    Mail(
        "H5",
        "INBOX",
        at(9, 15, 11, 30),
        _NORA,
        USER,
        "Re: Interview for Senior Data Engineer - Halcyon Games",
        "Hi Alex,\n\n"
        "Thanks for your note! Ben enjoyed the conversation too. The team will meet on Thursday "
        "to discuss candidates, and I will get back to you by Friday, September 18.\n\n"
        "Cheers,\nNora",
        reply_to="H4",
    ),
    Mail(
        "H6",
        "INBOX",
        at(9, 21, 15, 0),
        _NORA,
        USER,
        "Offer - Senior Data Engineer at Halcyon Games",
        "Hi Alex,\n\n"
        "I'm delighted to let you know that we would like to offer you the position of Senior "
        "Data Engineer at Halcyon Games! Your offer letter, with the base salary of $158,000, "
        "equity and benefits, is attached. Please review it and let me know if you have any "
        "questions.\n\nCongratulations!\nNora Kim\nPeople Team, Halcyon Games",
        reply_to="H5",
    ),
    Mail(
        "H7",
        "Sent",
        at(9, 24, 10, 0),
        USER,
        _NORA,
        "Re: Offer - Senior Data Engineer at Halcyon Games",
        "Hi Nora,\n\n"
        "Thank you so much. I'm thrilled to accept the offer; the signed letter is attached.\n\n"
        "Best,\nAlex",
        reply_to="H6",
    ),
]

# -- Evergreen Systems: an interview still ahead at the end of the scenario -----------------------

_SOFIA = "Sofia Alvarez <sofia.alvarez@evergreensys.com>"

EVERGREEN = [
    Mail(
        "E1",
        "INBOX",
        at(10, 5, 10, 0),
        _SOFIA,
        USER,
        "Technical interview - Staff Data Engineer, Evergreen Systems",
        "Hi Alex,\n\n"
        "Thank you for your interest in the Staff Data Engineer role at Evergreen Systems. "
        "We'd like to invite you to a 60-minute technical interview with two engineers from "
        "our data platform team. Could you share your availability for next week?\n\n"
        "Best,\nSofia Alvarez\nRecruiting Coordinator, Evergreen Systems",
    ),
    Mail(
        "E2",
        "Sent",
        at(10, 5, 16, 0),
        USER,
        _SOFIA,
        "Re: Technical interview - Staff Data Engineer, Evergreen Systems",
        "Hi Sofia,\n\n"
        "Thank you! I'm available on Wednesday, October 14 any time after 1:00 PM ET, or on "
        "Thursday, October 15 in the morning.\n\nBest,\nAlex",
        reply_to="E1",
    ),
    Mail(
        "E3",
        "INBOX",
        at(10, 6, 11, 0),
        _SOFIA,
        USER,
        "Re: Technical interview - Staff Data Engineer, Evergreen Systems",
        "Hi Alex,\n\n"
        "Thanks! Your technical interview is confirmed for Wednesday, October 14 at 3:00 PM ET. "
        "The Zoom link is in the calendar invitation.\n\n"
        "Best,\nSofia Alvarez\nRecruiting Coordinator, Evergreen Systems",
        reply_to="E2",
    ),
]

# -- Granite Peak Software: an invitation nobody answered -----------------------------------------

GRANITE = [
    Mail(
        "G1",
        "INBOX",
        at(10, 8, 14, 0),
        "Tom Becker <tom.becker@granitepeak.dev>",
        USER,
        "Granite Peak Software - phone interview",
        "Hi Alex,\n\n"
        "I'm a recruiter at Granite Peak Software, and I came across your application for our "
        "Backend Engineer position. We'd like to invite you to a 30-minute phone interview "
        "with me as a first step. Could you reply with two or three times that work for you "
        "next week?\n\n"
        "Best,\nTom Becker\nTalent Acquisition, Granite Peak Software",
    ),
]

# -- Not job mail: a job-alert digest, a newsletter, a note to a friend ----------------------------

NOT_JOB = [
    Mail(
        "J1",
        "INBOX",
        at(9, 22, 7, 0),
        "LinkedIn Job Alerts <jobalerts-noreply@linkedin.com>",
        USER_ADDRESS,
        '30+ new jobs for "data engineer" in New York, NY',
        "Your job alert for data engineer in New York, NY\n"
        "30+ new jobs match your preferences.\n\n"
        "Senior Data Engineer\nMeridian Capital Partners - New York, NY (Hybrid)\n"
        "Actively recruiting\nView job: https://www.linkedin.com/comm/jobs/view/4012345678\n\n"
        "Data Engineer II\nLarkspur Health - New York, NY (Remote)\n"
        "Easy Apply\nView job: https://www.linkedin.com/comm/jobs/view/4012345679\n\n"
        "Analytics Engineer\nQuillon Media - Brooklyn, NY\n"
        "Be an early applicant\nView job: https://www.linkedin.com/comm/jobs/view/4012345680\n\n"
        "See all jobs: https://www.linkedin.com/comm/jobs/search?keywords=data%20engineer\n\n"
        "You are receiving Job Alert emails. Unsubscribe: "
        "https://www.linkedin.com/comm/jobs/alerts/unsubscribe\n"
        "LinkedIn Corporation, 1000 West Maude Avenue, Sunnyvale, CA 94085",
        headers=(("List-Unsubscribe", "<https://www.linkedin.com/comm/jobs/alerts/unsubscribe>"),),
    ),
    Mail(
        "J2",
        "INBOX",
        at(9, 26, 8, 0),
        "Data Engineering Weekly <hello@dataengineeringweekly.com>",
        USER_ADDRESS,
        "Data Engineering Weekly #212: streaming joins, dbt at scale, and lakehouse costs",
        "Welcome to Data Engineering Weekly #212.\n\n"
        "This week: how a payments team rebuilt streaming joins on Flink, lessons from running "
        "dbt with 4,000 models, and a careful look at what a lakehouse really costs per "
        "terabyte.\n\n"
        "1. Streaming joins without tears - a case study\n"
        "2. dbt at scale: what broke at 4,000 models\n"
        "3. The real cost of a lakehouse\n\n"
        "Thanks for reading! Forward this issue to a friend who builds data pipelines.\n\n"
        "Unsubscribe: https://dataengineeringweekly.com/unsubscribe",
        headers=(("List-Unsubscribe", "<https://dataengineeringweekly.com/unsubscribe>"),),
    ),
]

NOT_JOB.append(
    Mail(
        "J3",
        "Sent",
        at(9, 24, 19, 0),
        USER,
        "Sam Patel <sam.patel@gmail.com>",
        "Saturday",
        "Hi Sam,\n\n"
        "Is dinner on Saturday still on? 7:30 at Lucia's works for me.\n\n"
        "Also, I had my interview with Bluefin Analytics on Tuesday and I think it went well. "
        "They said they'd get back to me by Friday, so fingers crossed!\n\nAlex",
    )
)

MAILS: tuple[Mail, ...] = tuple(
    sorted(
        [*NORTHWIND, *BLUEFIN, *COBALT, *DRIFTWOOD, *HALCYON, *EVERGREEN, *GRANITE, *NOT_JOB],
        key=lambda mail: mail.at,
    )
)
BY_KEY = {mail.key: mail for mail in MAILS}
assert len(BY_KEY) == len(MAILS), "scenario keys must be unique"


def _ancestors(mail: Mail, by_key: Mapping[str, Mail]) -> list[Mail]:
    chain: list[Mail] = []
    parent = mail.reply_to
    while parent is not None:
        chain.insert(0, by_key[parent])
        parent = by_key[parent].reply_to
    return chain


def _quoted(parent: Mail) -> str:
    # The way Gmail and Thunderbird quote: an attribution line, then "> " on every line.
    name, address = parseaddr(parent.sender)
    stamp = parent.at.strftime("%a, %b %-d, %Y at %-I:%M %p")
    lines = "\n".join(f"> {line}" if line else ">" for line in parent.body.splitlines())
    return f"\n\nOn {stamp} {name} <{address}> wrote:\n{lines}\n"


def build(mail: Mail, by_key: Mapping[str, Mail] | None = None) -> bytes:
    """The raw RFC 5322 bytes of ``mail``: threaded, quoting its parent, CRLF line ends.

    ``by_key`` holds the mail ``reply_to`` names (this module's by default)."""
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.at)
    message["Message-ID"] = mail.message_id
    ancestors = _ancestors(mail, BY_KEY if by_key is None else by_key)
    if ancestors:
        message["In-Reply-To"] = ancestors[-1].message_id
        message["References"] = " ".join(a.message_id for a in ancestors)
    for name, value in mail.headers:
        message[name] = value
    body = mail.body + (_quoted(ancestors[-1]) if ancestors and mail.quote else "\n")
    message.set_content(body)
    if mail.html:
        paragraphs = "".join(
            f"<p>{escape(part).replace(chr(10), '<br>')}</p>" for part in body.split("\n\n")
        )
        message.add_alternative(
            f'<html><body style="font-family: Arial">{paragraphs}</body></html>', subtype="html"
        )
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def write_eml(directory: Path) -> list[Path]:
    """Write every message as ``KEY.eml`` into ``directory`` (for `followup detect`)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{mail.key}.eml" for mail in MAILS]
    for mail, path in zip(MAILS, paths, strict=True):
        path.write_bytes(build(mail))
    return paths
