"""Writes the demo's sample Maildir (watcher/demo/mailbox) from the scenario below.

Run once after editing the scenario: `.venv/bin/python scripts/make-demo-mailbox.py`
(or `... make-demo-mailbox.py DIR` to write it elsewhere).
The mail is invented: five weeks of Sam Rivera's job search in spring 2026.
"""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent / "watcher" / "demo" / "mailbox"
NY = ZoneInfo("America/New_York")
SAM = "Sam Rivera <sam.rivera@example.net>"

# (folder, local time, from, to, subject, body, reply-to key, own key, extra headers)
SCENARIO: list[dict[str, object]] = [
    # --- Northwind Analytics: a human recruiter, a promised date, a nudge, then an offer
    dict(
        key="nw1",
        at="2026-03-02 09:40",
        frm="Priya Shah <priya.shah@northwind-analytics.com>",
        subject="Data Analyst role at Northwind - quick chat?",
        body="Hi Sam,\n\nThanks for applying to the Data Analyst position at Northwind Analytics. "
        "I'd love to set up a 30-minute call with our analytics lead. Could you send me a few "
        "times that work for you later this week?\n\nBest,\nPriya Shah\nTalent Partner, Northwind Analytics",
    ),
    dict(
        key="nw2",
        at="2026-03-02 12:15",
        folder="Sent",
        frm=SAM,
        to="Priya Shah <priya.shah@northwind-analytics.com>",
        reply="nw1",
        subject="Re: Data Analyst role at Northwind - quick chat?",
        body="Hi Priya,\n\nThank you! Thursday afternoon or Friday morning both work for me.\n\nBest,\nSam",
    ),
    dict(
        key="nw3",
        at="2026-03-03 10:05",
        frm="Priya Shah <priya.shah@northwind-analytics.com>",
        reply="nw2",
        subject="Re: Data Analyst role at Northwind - quick chat?",
        body="Hi Sam,\n\nGreat - your interview with Dana Okafor is confirmed for Thursday, March 5 at "
        "2:00 PM ET. You'll get a video link by calendar invite.\n\nPriya",
    ),
    dict(
        key="nw4",
        at="2026-03-05 17:50",
        folder="Sent",
        frm=SAM,
        to="Priya Shah <priya.shah@northwind-analytics.com>",
        reply="nw3",
        subject="Thank you - Data Analyst interview",
        body="Hi Priya,\n\nThank you for arranging today's conversation with Dana. I enjoyed hearing about "
        "the forecasting work and am excited about the role.\n\nBest regards,\nSam",
    ),
    dict(
        key="nw5",
        at="2026-03-06 11:20",
        frm="Priya Shah <priya.shah@northwind-analytics.com>",
        reply="nw4",
        subject="Re: Thank you - Data Analyst interview",
        body="Hi Sam,\n\nThanks for the note! Dana enjoyed the conversation too. The team is meeting the "
        "other candidates this week and we'll get back to you by Friday, March 13.\n\nPriya",
    ),
    dict(
        key="nw6",
        at="2026-03-17 09:10",
        folder="Sent",
        frm=SAM,
        to="Priya Shah <priya.shah@northwind-analytics.com>",
        reply="nw5",
        subject="Re: Thank you - Data Analyst interview",
        body="Hi Priya,\n\nI hope your week is off to a good start. I wanted to check in on the Data Analyst "
        "role - I'm still very interested and happy to share anything else that helps.\n\nBest,\nSam",
    ),
    dict(
        key="nw7",
        at="2026-03-18 14:30",
        frm="Priya Shah <priya.shah@northwind-analytics.com>",
        reply="nw6",
        subject="Re: Thank you - Data Analyst interview",
        body="Hi Sam,\n\nSorry for the delay, and thanks for your patience. Good news: we'd like to invite you "
        "to a final round with the team. Are you free next Tuesday or Wednesday afternoon?\n\nPriya",
    ),
    dict(
        key="nw8",
        at="2026-03-18 16:00",
        folder="Sent",
        frm=SAM,
        to="Priya Shah <priya.shah@northwind-analytics.com>",
        reply="nw7",
        subject="Re: Thank you - Data Analyst interview",
        body="Hi Priya,\n\nWonderful news, thank you! Tuesday afternoon works best for me.\n\nSam",
    ),
    dict(
        key="nw9",
        at="2026-03-19 09:00",
        frm="Priya Shah <priya.shah@northwind-analytics.com>",
        reply="nw8",
        subject="Final round confirmed: Tuesday, March 24",
        body="Hi Sam,\n\nYour final round is scheduled for Tuesday, March 24 at 1:00 PM ET at our office, "
        "45 Harbor Street, 6th floor. Please bring a photo ID.\n\nPriya",
    ),
    dict(
        key="nw10",
        at="2026-03-30 15:45",
        frm="Priya Shah <priya.shah@northwind-analytics.com>",
        reply="nw9",
        subject="Offer - Data Analyst, Northwind Analytics",
        body="Hi Sam,\n\nI'm delighted to share that we'd like to extend you an offer for the Data Analyst "
        "position. The offer letter is attached; please let us know your decision by April 6.\n\n"
        "Congratulations!\nPriya",
    ),
    # --- Bluefin Robotics via an ATS: acknowledgement, scheduling, interview, rejection
    dict(
        key="bf1",
        at="2026-03-03 08:02",
        frm="Bluefin Robotics Recruiting <no-reply@greenhouse.io>",
        subject="Thank you for applying to Bluefin Robotics",
        body="Hi Sam,\n\nThank you for your interest in Bluefin Robotics! We have received your application "
        "for Operations Analyst. Our team will review it and reach out if there is a match.\n\n"
        "Bluefin Robotics Talent Team\n\nThis mailbox is not monitored.",
    ),
    dict(
        key="bf2",
        at="2026-03-09 13:30",
        frm="Bluefin Robotics Recruiting <no-reply@greenhouse.io>",
        subject="Schedule your interview with Bluefin Robotics",
        body="Hi Sam,\n\nWe'd like to invite you to a 45-minute interview for the Operations Analyst role. "
        "Please pick a time that suits you using the link below:\n\n"
        "https://app.greenhouse.io/schedule/bluefin-ops-analyst\n\nBluefin Robotics Talent Team",
    ),
    dict(
        key="bf3",
        at="2026-03-11 09:12",
        frm="Bluefin Robotics Recruiting <no-reply@greenhouse.io>",
        subject="Interview confirmed: Bluefin Robotics",
        body="Hi Sam,\n\nYour interview for Operations Analyst is confirmed for Tuesday, March 17, 2026 at "
        "11:00 AM (Eastern Time) with Marco Lindqvist.\n\nBluefin Robotics Talent Team",
    ),
    dict(
        key="bf4",
        at="2026-03-23 10:40",
        frm="Bluefin Robotics Recruiting <no-reply@greenhouse.io>",
        subject="Your application to Bluefin Robotics",
        body="Hi Sam,\n\nThank you for taking the time to interview for the Operations Analyst role. After "
        "careful consideration, we have decided to move forward with other candidates whose experience "
        "more closely matches our needs.\n\nWe wish you the best in your search.\n\nBluefin Robotics Talent Team",
    ),
    # --- Kestrel Health: asks not to be chased
    dict(
        key="kh1",
        at="2026-03-04 15:25",
        frm="Tom Beaumont <tom.beaumont@kestrelhealth.org>",
        subject="Interview confirmation - Business Analyst",
        body="Dear Sam,\n\nThis is to confirm your video interview for the Business Analyst position on "
        "Tuesday, March 10 at 10:00 AM ET. The panel will be Tom Beaumont and Alia Haddad.\n\n"
        "Kind regards,\nTom Beaumont\nHR Coordinator, Kestrel Health",
    ),
    dict(
        key="kh2",
        at="2026-03-10 16:05",
        frm="Tom Beaumont <tom.beaumont@kestrelhealth.org>",
        reply="kh1",
        subject="Re: Interview confirmation - Business Analyst",
        body="Dear Sam,\n\nThank you for interviewing with us today. We are still meeting candidates and will "
        "be in touch within two weeks. Please do not follow up for status updates in the meantime; "
        "we will contact every candidate.\n\nKind regards,\nTom Beaumont",
    ),
    # --- Orchard Labs: no thank-you, a nudge, an out-of-office, then an answer with a new date
    dict(
        key="or1",
        at="2026-03-05 11:00",
        frm="Lena Fischer <lena@orchardlabs.io>",
        subject="Your interview with Orchard Labs",
        body="Hi Sam,\n\nLooking forward to speaking with you on Monday, March 9 at 3:00 PM ET about the "
        "Product Analyst role. I'll call you on the number from your CV.\n\nLena Fischer\nOrchard Labs",
    ),
    dict(
        key="or2",
        at="2026-03-16 08:30",
        folder="Sent",
        frm=SAM,
        to="Lena Fischer <lena@orchardlabs.io>",
        reply="or1",
        subject="Re: Your interview with Orchard Labs",
        body="Hi Lena,\n\nThank you again for last Monday's conversation about the Product Analyst role. "
        "I wanted to follow up on next steps - I remain very interested.\n\nBest,\nSam",
    ),
    dict(
        key="or3",
        at="2026-03-16 08:31",
        frm="Lena Fischer <lena@orchardlabs.io>",
        reply="or2",
        subject="Automatic reply: Re: Your interview with Orchard Labs",
        headers={"Auto-Submitted": "auto-replied"},
        body="Thank you for your email. I am out of the office with limited access to email and will be "
        "back on Monday, March 23. For urgent matters please contact jobs@orchardlabs.io.",
    ),
    dict(
        key="or4",
        at="2026-03-24 12:10",
        frm="Lena Fischer <lena@orchardlabs.io>",
        reply="or2",
        subject="Re: Your interview with Orchard Labs",
        body="Hi Sam,\n\nThanks for your patience while I was away. We're still reviewing the final "
        "candidates and expect to make a decision by the end of next week.\n\nLena",
    ),
    # --- Ferris & Co: an application that goes quiet
    dict(
        key="fc1",
        at="2026-03-02 19:45",
        frm="Ferris & Co Careers <careers@ferrisandco.com>",
        subject="Application received: Junior Data Scientist",
        body="Dear Sam Rivera,\n\nWe confirm receipt of your application for Junior Data Scientist "
        "(ref. FC-2231). Due to the number of applications we can only contact shortlisted "
        "candidates.\n\nFerris & Co Recruitment",
    ),
    # --- Not job mail
    dict(
        key="nj1",
        at="2026-03-09 07:00",
        frm="JobFinder Alerts <alerts@jobfinder.example>",
        subject="14 new jobs for 'data analyst' near New York",
        headers={"List-Unsubscribe": "<https://jobfinder.example/unsubscribe>"},
        body="Your daily job alert\n\nData Analyst - Acme Retail - New York, NY\nAnalytics Associate - "
        "Brightline - Remote\nBI Analyst - Harbor Bank - Jersey City, NJ\n...and 11 more.\n\n"
        "Manage your alerts at jobfinder.example",
    ),
    dict(
        key="nj2",
        at="2026-03-12 18:20",
        frm="Jordan Lee <jordan.lee@example.com>",
        subject="dinner saturday?",
        body="hey! are we still on for dinner on saturday at 7? how did the interviews go this week?\n\nJ",
    ),
]


def _message(item: dict[str, object], ids: dict[str, str]) -> EmailMessage:
    message = EmailMessage()
    sent = str(item.get("folder", "INBOX")) == "Sent"
    message["From"] = str(item["frm"])
    message["To"] = str(item.get("to", SAM))
    message["Subject"] = str(item["subject"])
    when = datetime.strptime(str(item["at"]), "%Y-%m-%d %H:%M").replace(tzinfo=NY)
    message["Date"] = format_datetime(when)
    domain = "example.net" if sent else str(item["frm"]).split("@")[1].rstrip(">")
    ids[str(item["key"])] = f"<{item['key']}.demo@{domain}>"
    message["Message-ID"] = ids[str(item["key"])]
    parent = item.get("reply")
    if parent:
        message["In-Reply-To"] = ids[str(parent)]
        message["References"] = ids[str(parent)]
    for name, value in dict(item.get("headers", {})).items():  # type: ignore[call-overload]
        message[name] = value
    message.set_content(str(item["body"]) + "\n")
    return message


def main(root: Path = ROOT) -> None:
    if root.exists():
        shutil.rmtree(root)
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (root / sub).mkdir(parents=True)
    ids: dict[str, str] = {}
    messages = [(item, _message(item, ids)) for item in SCENARIO]
    # UIDs grow with time in each folder, as a server would assign them on delivery
    uids = {"INBOX": 0, "Sent": 0}
    for item, message in sorted(messages, key=lambda pair: str(pair[0]["at"])):
        folder_name = str(item.get("folder", "INBOX"))
        uids[folder_name] += 1
        folder = root / ".Sent" if folder_name == "Sent" else root
        when = datetime.strptime(str(item["at"]), "%Y-%m-%d %H:%M").replace(tzinfo=NY)
        name = f"{int(when.timestamp())}.{item['key']}.demo,U={uids[folder_name]}:2,S"
        (folder / "cur" / name).write_bytes(bytes(message))
    print(f"wrote {len(SCENARIO)} messages to {root}")


if __name__ == "__main__":
    # an optional directory argument writes there instead (the tests compare the two)
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
