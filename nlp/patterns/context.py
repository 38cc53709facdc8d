"""Cue families that set the scene: not job mail, don't-contact-us, out of office, context words."""

from __future__ import annotations

from nlp.patterns.base import (
    HIRING,
    HIRING_SIDE,
    JOB,
    MEETING,
    NO_FOLLOWUP,
    NOT_JOB,
    OOO,
    OOO_WEAK,
    OTHER,
    SALES,
    TITLE,
    Pattern,
    seq,
)


def pattern_not_job() -> list[Pattern]:
    return seq(
        NOT_JOB,
        "unsubscribe|unsubscribing",
        "manage|update|change *3 email|notification|subscription|alert *2 preferences|settings",
        "view *3 in *2 browser",
        "newsletter|digest|webinar|promo|promotion|coupon|discount|sale|deal|deals",
        "job|jobs|career *2 alert|alerts|recommendations|matches|digest",
        "jobs *4 you *3 interested|like|match|matching",
        "new|recommended|top|similar *3 jobs|roles|positions|openings *4 for|matching|near|based",
        "based on your *3 profile|search|searches|preferences|activity",
        "people *3 viewed|looking|searched",
        "profile *2 views|viewed|appeared",
        "apply now|today",
        "easy apply",
        "% off",
        "receipt|invoice|order|shipped|shipment|delivery|tracking|refund|payment",
        "password *2 reset",
        "verify *3 email|account",
        "security alert",
        "sign *2 in *2 attempt",
        "your account",
        "free *2 trial",
    )


# How employers say "don't chase us" (issue 11, family 1): who asks, the ways to get
# in touch, what the asking would be about, and the answers they say they cannot give.
_CONTACT = (
    "contact|contacting|call|calling|phone|phoning|telephone|telephoning|email|emailing|"
    "e-mail|e-mailing|mail|ring|ringing|ping|pinging|message|messaging|dm|reach|reaching|"
    "write|writing|chase|chasing|nudge|stop|visit|approach|inquire|enquire|text|tag"
)
_ASKERS = (
    "please|kindly|ask|asking|asked|request|requesting|requested|grateful|appreciate|"
    "appreciated|advised"
)
# Whom a candidate is asked not to ring or visit: "do not call the field office".
_TARGETS = (
    "office|offices|supervisor|supervisors|manager|managers|store|stores|branch|branches|"
    "clinic|clinics|department|departments|hr|team|recruiter|recruiters|school|schools|unit|"
    "units|site|sites|shop|restaurant|hotel|location|locations|interviewer|interviewers|panel|"
    "client|hiring|staff|desk|garage|dispatch|warehouse|plant|ward"
)
_ABOUT = (
    "status|progress|update|updates|application|applications|candidacy|position|role|"
    "vacancy|vacancies|recruitment|decision|decisions|outcome|interview|interviews|hiring|"
    "search|process|timing|submission|result|results|job|post|opening"
)
_ANSWERS = "respond|reply|answer|provide|give|offer|accept|return|handle|acknowledge|share"
_ASKED_FOR = "status|inquiries|enquiries|queries|questions|requests|update|updates|progress"


def pattern_no_followup() -> list[Pattern]:
    """Explicit asks not to chase, as employers write them.

    Not these: "do not reply to this automated e-mail" (a footer), "only shortlisted
    candidates will be contacted" (no ask), "don't hesitate to reach out" (the opposite).
    """
    status = (
        "status|progress|update|updates|outcome|decision|where|whether|news|result|results|stage"
    )
    return seq(
        NO_FOLLOWUP,
        "not|never|refrain ~2 follow|following ~2 up",
        "not|never|refrain ~2 chase|chasing|nudge|nudging|pester|pestering",
        "not|never|refrain ~2 from ~2 " + _CONTACT + " ~12 " + status,
        "not ~2 " + _CONTACT + " ~12 " + status,
        # "please do not call the clinic", "we ask that you not reach out to the panel"
        _ASKERS + " ~3 not|never ?directly|personally " + _CONTACT,
        _ASKERS + " ~3 not|never ~6 or|nor " + _CONTACT,
        # "DO NOT REPLY TO THIS E-MAIL OR CALL HR TO ASK ABOUT YOUR APPLICATION STATUS"
        "not|never ~6 or|nor " + _CONTACT + " ~8 " + status,
        # "Do NOT apply on their site or call them", "don't apply directly or contact their HR"
        "not|never ~6 or|nor " + _CONTACT + " them|us|me|their|the|our|any",
        # "please stop e-mailing and calling every day", "please stop calling the site office"
        "please|kindly|pls|you ~2 stop|quit " + _CONTACT,
        # "WE DO NOT ACCEPT PHONE CALLS OR WALK-INS ABOUT APPLICATIONS"
        "not ~2 accept|take|return|answer ~2 phone_calls|calls|e-mails|emails|inquiries|"
        "enquiries|walk-ins|visits",
        # "do not contact the imaging center about this position"
        "not|never ?to " + _CONTACT + " ~8 about|regarding|re|concerning|on ~3 " + _ABOUT,
        "not|never ?to " + _CONTACT + " the|our|their|any|individual|your ~2 " + _TARGETS,
        # "PLEASE DON'T drop by the shop to ask about it"
        "not|never ~2 drop_by|drop_in|pop_in|pop_by|come_by|stop_by|walk_in|come_in ~8 ask|"
        "asking|about|regarding|status|application|applications",
        # "we are unable to discuss your application during the assessment period"
        "unable|not ~3 discuss|comment_on ~4 application|applications|candidacy|status|progress",
        # "we are unable to respond to status inquiries", "we can't give updates"
        "unable|not ~3 " + _ANSWERS + " ~6 " + _ASKED_FOR,
        # "please don't send further status requests", "do not reply to ask for feedback"
        "not ~2 send|submit ~3 status|further|additional ~2 " + _ASKED_FOR + "|emails|messages",
        "not reply|respond ~3 to ~2 ask|asking|request|chase ~3 feedback|" + _ASKED_FOR,
        "hold off ~2 on|from ~2 " + _CONTACT + "|following|follow",
        "instead_of|rather_than " + _CONTACT,
        "no need to ~3 follow|chase|chasing|nudge|check|ping ~2 in|up|us|me|back",
        "no need ~2 to ~2 " + _CONTACT,
        "refrain from ~3 " + _CONTACT,
        "refrain|abstain from ~3 enquiries|inquiries|queries|calls|emails|questions|contact|"
        "contacting|chasing",
        "calls|inquiries|enquiries|queries|follow-ups|emails|messages|requests ~6 "
        "not|cannot|unable ~3 be ~2 returned|answered|responded|accepted|acknowledged",
        # "no phone calls, please", "NO WALK-INS OR PHONE CALLS ABOUT APPLICATION STATUS"
        "no ~2 phone_calls|calls|agencies",
        "no ~5 calls|emails|e-mails|inquiries|enquiries|walk-ins|ins ~4 please|about|regarding",
        "ask|asking|request|requesting ~2 that ~2 you ~2 do_not|not|refrain|stop",
        "ask|asking|request|requesting you ~2 not to",
        "please ~2 be ~2 patient ~6 not|refrain",
    )


def pattern_hiring_side() -> list[Pattern]:
    """The user sits on the hiring side at work: an interviewer, an approver, a referrer.

    Interview reminders, scorecards, offer approvals and referrals carry every hiring
    word, but they are about someone else's candidacy, not the user's search.
    """
    return seq(
        HIRING_SIDE,
        "scorecard|scorecards",
        "interview kit|guide|guides|loop|loops",
        "added *2 as *2 an|the *2 interviewer|approver|reviewer",
        "leave|submit|complete|add|share *3 feedback|scorecard|scorecards *2 for|on !you|your",
        "your feedback|scorecard|scorecards *3 for|on|overdue|due|helps",
        "offer|requisition|req *2 approval|approvals",
        "approve|approval *4 offer|requisition",
        "on|are *2 the *2 hiring team|lead|panel *2 for",
        "you are|'re the *2 hiring manager|lead",
        "new applicant|applicants|referral|referrals *2 for|has|have|submitted",
        "thanks|thank *2 for|you *2 your referral",
        "referral bonus|bonuses",
        "candidate withdrew|declined",
        "candidate 's resume|cv|profile|application|scorecard",
        "interviewer training|trainings",
        "cover *3 phone_screen|screen|interview *2 with *2 a *2 candidate",
    )


def pattern_out_of_office() -> list[Pattern]:
    return [
        *seq(
            OOO,
            "out *2 ?- *2 of *2 ?- *2 the|my *2 ?- *2 office",
            "out *2 ?- *2 of *2 ?- *2 office",
            "ooo",
            "automatic|auto *2 ?- *2 reply|response|responder|message|replies",
            "autoreply|autoresponse|autoresponder|auto-reply",
            "am|be|i *3 currently|presently|now *2 away|out|travelling|traveling|off|"
            "on *3 leave|vacation|holiday|holidays|pto|sabbatical|break|annual",
            "i am|will_be *3 away|off|out|on *2 leave|vacation|holiday",
            "limited|no|intermittent|sporadic *2 access to *3 email|e-mail|emails",
            "upon|on|after *2 my return",
            "when|once i *2 return|am_back|get_back|come_back",
            "will *3 respond|reply|get_back|answer *6 when|upon|once|on|after *3 return|back",
            "in my absence",
            "returning|return|back *3 to *2 the *2 office",
            "for *2 urgent",
            "if *2 your *2 matter|message|request|query *2 is urgent",
            "i|am|will *2 be *2 back|returning|return on|in|from|after !touch|contact",
        ),
        *seq(
            OOO_WEAK,
            "vacation|holiday|leave|annual|pto|parental|maternity|paternity|away|travelling",
            "back on|in",
            "return on|in",
        ),
    ]


def pattern_hiring_context() -> list[Pattern]:
    return seq(
        HIRING,
        "interview|interviews|interviewing|interviewed|interviewer|interviewers|application|"
        "applications|applied|apply|applying|applicant|applicants|candidate|candidates|"
        "candidacy|position|role|roles|job|jobs|opening|vacancy|vacancies|hiring|hire|"
        "recruiter|recruiting|recruitment|talent|resume|cv|cvs|onsite|career|careers|"
        "shortlist|shortlisted|shortlisting|offer|employment|salary|compensation|"
        "requisition|req|headcount",
    )


def pattern_job_context() -> list[Pattern]:
    """Words only a hiring process uses ("interview" and "application" have other senses)."""
    return seq(
        JOB,
        "position|positions|role|roles|job|jobs|vacancy|vacancies|candidate|candidates|"
        "candidacy|hiring|hire|hired|recruiter|recruiters|recruiting|recruitment|resume|"
        "résumé|cv|cvs|requisition|headcount|salary|compensation|employment|employer|"
        "career|careers|shortlist|shortlisted|internship|apprenticeship|onboarding|"
        "bewerbung|stelle|candidature|poste",
        "talent acquisition|partner|team",
        "people|hr *2 team|partner|department|operations",
        "hiring|line manager|managers",
        "job|role *2 description|title|offer|opening|posting|spec|advert|ad",
        "graduate|trainee programme|program|scheme",
        "assessment centre|center|day",
    )


def pattern_job_title() -> list[Pattern]:
    """Job titles: mail about a role names it."""
    return seq(
        TITLE,
        "engineer|engineers|developer|developers|manager|analyst|analysts|designer|scientist|"
        "specialist|coordinator|director|consultant|associate|intern|representative|rep|"
        "administrator|architect|officer|assistant|technician|accountant|executive|supervisor|"
        "programmer|researcher|planner|controller|paralegal|nurse|teacher|trainee|apprentice|"
        "adviser|advisor|strategist|editor|producer|operator|partner|counsel|"
        "lead|head|vp|principal|staff|senior|junior|sr|jr|sre|swe|devops|qa|ux|ui",
    )


def pattern_other_sense() -> list[Pattern]:
    """The other senses of "interview", "application" and "offer".

    Study and admissions, housing, cars and loans, user research, the press, community
    and family life, newsletters and courses, the user's own workplace, purchases.
    """
    return seq(
        OTHER,
        "admission|admissions|admitted|mba|undergraduate|postgraduate|enrol|enroll|enrolment|"
        "enrollment|tuition|scholarship|scholarships|semester|coursework|student|students|"
        "course|courses|classes|alumni|faculty|campus|dissertation|thesis|phd|school|pupil|"
        "pupils|parent|parents|intake|entrance|nursery|kindergarten|tutor|tutoring|exam|exams",
        "tenant|tenants|tenancy|landlord|lease|leasing|rental|rent|renting|apartment|flat|"
        "viewing|viewings|lettings|property|deposit|mortgage|bedroom",
        "vehicle|car|cars|dealership|dealer|financing|loan",
        "test drive",
        "trade ?- in",
        "user|customer *2 interview|interviews|research|study|testing|feedback",
        "usability|participant|participants|participation|voucher|incentive|survey|"
        "questionnaire|panelists",
        "gift card|voucher",
        "podcast|episode|listeners|journalist|press|article|magazine|publication|"
        "documentary|broadcast",
        "volunteer|volunteers|volunteering|membership|club|church|charity|donation|donate|"
        "fundraiser|grant|grants",
        "mum|mom|dad|darling|honey|sweetie|lol|xx|xoxo|birthday|wedding|dinner|kids|"
        "children|grandma|auntie",
        "newsletter|subscribers|subscriber|readers|reader|edition|webinar|masterclass|"
        "bootcamp|workshop|ebook|tips|template|templates",
        "offsite|standup|okr|okrs|poll|vote",
        "all ?- hands",
        "purchase|delivery|reservation|dentist|gym|ticket|tickets",
        # Applications to a bank, a consulate or a permit office; an app store's review;
        # a conference's program committee; the hours worked on an assignment.
        "credit_card|credit_union|credit_limit|credit_report|apr|underwriting|prescreened|"
        "pre-approved|payout|payouts|claim|adjuster|insurance|policyholder|consulate|embassy|"
        "consular|biometrics|immigration|building_permit|plan_review",
        "ios|android|binary|dyno|dynos|repository|sdk|changelog|deployment",
        "app store|review",
        "speaker|speakers|cfp|keynote|talk_proposal|abstracts|fellowship|fellowships|jury|"
        "shortlisted_project",
        "program|programme|agenda *2 committee",
        "timesheet|timesheets|paystub|pay_stub",
    )


def pattern_sales_context() -> list[Pattern]:
    return seq(
        SALES,
        "quote|quotation|pricing|invoice|invoices|demo|trial|subscription|purchase|order|"
        "orders|renewal|discount|shipment|shipped|refund|upgrade|seats|vendor|procurement|"
        "billing|sow|rfp|webinar|tenancy|lease|rent|mortgage|dentist|doctor|reservation|"
        "pilot|provider|providers|solution|solutions|roi|onboard|integration|"
        "rsvp|checkout|cart|warranty",
    )


def pattern_meeting() -> list[Pattern]:
    """Words that make a sentence about the interview slot itself."""
    return seq(
        MEETING,
        "interview|interviews|call|chat|meeting|conversation|screen|screening|onsite|"
        "session|zoom|teams|meet|video|phone|speak|talk|scheduled|confirmed|booked|slot|"
        "invite|invitation|round|panel|visit|see|join|calendar|reminder|rescheduled|"
        "available|availability|work|suit|confirm",
    )
