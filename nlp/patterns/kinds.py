"""Cue families that speak for a kind: acknowledgement, invitation, promise, rejection, offer..."""

from __future__ import annotations

from nlp.patterns.base import (
    _ANSWERED,
    _OUTCOME,
    _YOU,
    ACK,
    CANDIDATE,
    CONDITIONAL,
    CONFIRM,
    INVITE,
    OFFER,
    OUTREACH,
    POST_INTERVIEW,
    PROCESS,
    PROMISE,
    REJECT,
    REPLY,
    REQUEST,
    SUBSET,
    Pattern,
    seq,
)


def pattern_application_ack() -> list[Pattern]:
    return seq(
        ACK,
        "thank|thanks|grateful ?you *2 for applying|application|applications",
        "thank|thanks ?you *2 for *3 submitting|submission",
        "thank|thanks ?you for *2 interest in *6 role|position|job|opening|vacancy|opportunity",
        "have|has received|got *2 your|the application|cv|resume|documents|submission",
        "received your application|cv|resume|submission|documents",
        "got your application|cv|resume",
        "application|cv|resume|documents *8 has|have|was|were|is been|now|successfully "
        "received|submitted|arrived|landed",
        "application received|confirmation|acknowledgement|acknowledgment|submitted",
        "acknowledge|acknowledging|confirm|confirming *2 receipt",
        "receipt of your *3 application|cv|resume|documents",
        "your application *4 is in",
        "successfully applied|submitted",
        "will|'ll *3 review|reviewing|consider|assess *3 your application|cv|resume|"
        "profile|background|qualifications|experience|skills",
        "are|is *3 reviewing|reviews|review|checking|screening *2 applications",
        "if|should|once *5 qualifications|experience|skills|profile|background|cv|resume *4 "
        "match|matches|meet|meets|align|aligns|fit|fits",
        "if *3 good|strong ?potential fit|match",
        "applied for|to *6 position|role|job",
    )


def pattern_invitation() -> list[Pattern]:
    return seq(
        INVITE,
        "like|love|pleased|happy|delighted|glad|excited to invite|schedule|arrange|book|set",
        "invite|inviting you *4 interview|call|chat|conversation|meeting|screen|onsite|"
        "assessment|session|round|visit",
        "invitation to *4 interview|call|chat|conversation|screen|onsite",
        "schedule|arrange|book|set|organise|organize|find|line ?up *4 interview|call|chat|"
        "conversation|screen|time|meeting|session|slot",
        "your|their availability",
        "what|which times|time|days|day|slots|slot *4 work|works|suit|suits|best|convenient",
        "when *2 you *2 available|free",
        "are|would|will you be available|free",
        "you|u 're|are *2 free|available|around *3 for|on|at|monday|tuesday|wednesday|"
        "thursday|friday|tomorrow|today|this|next|early|late|later",
        "are|'re you *2 free|available|around",
        "chance *3 you *2 free|available|around",
        "please|kindly select|choose|pick|book|grab *3 time|slot|times|slots",
        "scheduling|booking|calendly|calendar link",
        "^calendly|goodtime|ashbyhq.com/schedule|calendar.app",
        "self *2 schedule",
        "link below to *3 schedule|book|pick|choose",
        "move|moving|progress|progressing|advance|advancing you *4 next|interview|round|stage",
        "next step|steps *4 is|are|would|will *4 interview|call|chat|conversation|screen",
        "would|does|could|will *8 work for you",
        "does|would|could|will *6 work|suit ?for ?you ?",
        "like|love|want you to *2 meet|speak|talk|chat|interview",
        "like|love|want to *3 speak|talk|chat|meet *2 with you",
        "like|love|want to *3 learn more about you",
        "opportunity to speak|talk|chat|meet",
        "invite you",
        "confirm *4 attend|attendance|availability|whether|able to attend|suits|works",
        "accept|decline *3 your *2 place|invitation|slot|spot",
        "let *2 know *4 whether|if *4 attend|suits|works|able",
    )


def pattern_confirmation() -> list[Pattern]:
    return seq(
        CONFIRM,
        "interview|call|chat|meeting|conversation|screen|onsite|session|appointment *6 "
        "is|has|been|now confirmed|scheduled|booked|set|rescheduled|moved",
        "confirm|confirming|confirmation|confirmed *4 interview|call|chat|meeting|"
        "conversation|appointment|screen|onsite|session|time|slot|booking",
        "interview|call|meeting|appointment confirmation|confirmed|reminder|details",
        "this is *2 reminder",
        "friendly|quick|just *2 reminder",
        "reminder :",
        "look|looking forward to *4 speaking|meeting|talking|seeing|chatting *4 "
        "on|tomorrow|today|at|monday|tuesday|wednesday|thursday|friday|saturday|sunday",
        "see you *2 on|tomorrow|then|monday|tuesday|wednesday|thursday|friday",
        "calendar invite|invitation|event|hold",
        "invitation :",
        "updated invitation",
        "you are *2 scheduled|booked|confirmed|all_set",
        "you have *2 booked|scheduled|confirmed",
        "will take_place|be_held",
        "meeting|zoom|teams|video|dial|join link|links|details|id",
        "join *3 meeting|call|zoom|teams|meet",
        "thank|thanks *2 for confirming",
        "that|it|this|'s|is|are *2 confirmed *2 for|on",
        "booked *3 interview|following *2 slot|time",
        "has|have been *2 rescheduled|moved",
        "rescheduled *2 to|for",
        "please arrive|bring|ask_for|check_in",
        "your interviewer|interviewers *2 will be",
        "you will|'ll be meeting|speaking|interviewing with",
    )


def pattern_post_interview() -> list[Pattern]:
    return seq(
        POST_INTERVIEW,
        "thank|thanks|appreciate *6 time|interview|interviewing|meeting|speaking|talking|"
        "coming|chatting|visit|attending|panel|onsite|conversation",
        "great|nice|lovely|pleasure|good *2 to *2 meet|meeting|speak|speaking|chat|"
        "chatting|talk|talking",
        "enjoyed|enjoy *4 speaking|meeting|talking|conversation|chat|learning|discussion",
        "after|following|since *2 your|the|our interview|interviews|conversation|call|"
        "onsite|panel|meeting|visit",
        "feedback from *4 interviewers|panel|team|interviewer",
    )


def pattern_process() -> list[Pattern]:
    """Where the hiring process stands: a date here belongs to the process, not a promise."""
    return seq(
        PROCESS,
        "debrief|debriefing|debriefed",
        "interviewing|seeing|meeting|speaking|interview|see|meet|speak *4 other|remaining|"
        "more|last|few|two|three candidates|people|applicants|interviewees|finalists",
        "finishing|finish|wrapping|completing|complete|concluding|conclude|finalising|"
        "finalizing *4 interviews|process|round|slate|things",
        "other|remaining|more|final candidates|applicants|interviewees",
        "final round|decision|decisions",
        "first|second|third|final|next|technical|managerial|hr|last|1st|2nd|3rd round|stage",
        "hiring|interview *2 committee|panel *3 meets|meet|meeting|reviewing|review",
    )


_NUMBER_WORDS = "^1|^2|^3|^4|^5|^6|^7|^8|^9|one|two|three|four|five|six|seven|eight|nine|ten"


def pattern_promise() -> list[Pattern]:
    """The sender says when the candidate will hear: the governor of a feedback date."""
    return seq(
        PROMISE,
        "get|getting|come|coming|circle|circling|reach|reaching|revert|reverting|write|"
        "writing|be|loop|follow|following *2 back|out|up *2 to|with " + _ANSWERED,
        "revert|reverting",
        "hear|hearing *3 from|back|us|me|someone|something|the|our",
        "be|stay|get|keep|remain|are ?back in touch",
        "will|'ll|shall *2 follow up|back",
        # "we will reach out in a few days": no "to you" needed after it.
        "will|'ll|shall|to|gonna *2 reach|reaching out",
        # "please allow a week or two for the team to review": the wait is the promise.
        "please|kindly allow",
        "will|'ll|shall|to|gonna *2 circle|get|come|be|write|report|revert back",
        "he|she|they|client|manager|team|panel|'s|has|have *3 promised|will|'ll|to *2 come|get|"
        "revert|report *2 back *2 to me|us",
        "will|'ll|shall|to *2 confirm by|within|before",
        "land|landing|arrive|arriving|settle|settling *2 on|at *2 a *2 decision",
        "let|letting|tell " + _ANSWERED + " ?know",
        "inform|notify|update|contact|advise|email|e-mail|call|ring|ping|message|phone|"
        "write|tell|informing|notifying|updating|contacting *2 " + _ANSWERED,
        "keep " + _YOU + " posted|updated|informed",
        "be|are|being *2 notified|informed|contacted|advised|updated|intimated|told",
        "intimate|intimated",
        "turnaround|timeline|timeframe",
        "send|give|get|share|provide|have|communicate|make|reach|confirm|deliver|sending|"
        "giving|sharing|providing|having|making|communicating *4 " + _OUTCOME,
        "expect|expecting|receive|get|anticipate *3 " + _OUTCOME,
        _OUTCOME + " *4 will|shall|should|would|to|is|are *3 be *2 made|communicated|shared|"
        "sent|available|ready|given|known|expected|reached|released|intimated|announced|"
        "declared|published|out",
        "decision|decisions|answer|feedback|outcome|result|results|update|response *3 "
        "by|within|before",
        "reply|respond|answer|decide *3 within|by|before|no",
        "you *2 will|should|shall|can *2 hear",
        "you *2 will|should|shall|can *2 receive|get|expect *3 " + _OUTCOME + "|email|call|"
        "message|letter|notification|invitation|invite|confirmation",
        "answer|feedback|response|decision|update for|to " + _YOU,
        "make|made|making|reach|reaching *2 decision|decisions|call|calls",
        "have *2 something for you",
        "when|once|as *2 there|we *3 update|news|decision|anything",
        # Windows in acknowledgements and ATS notices (issue 11, family 2): "we will review
        # applications over the next 7-10 business days", "invitations will go out within
        # four weeks", "shortlisted candidates will receive a call within 7 working days".
        "will|'ll|shall|be|are|is *3 review|reviewed|reviewing|screen|screened|screening|"
        "assess|assessed|assessing|consider|considered|considering|shortlist|shortlisted|"
        "shortlisting|go|going|look|looking *5 over|within|during|in *2 the *2 next|coming",
        "review|reviews|reviewed|reviewing|screen|screened|screening|assess|assessed *4 "
        "within|in *3 " + _NUMBER_WORDS + "|few|couple",
        "invitation|invitations|invites|offers|calls|emails|notifications *5 go|be|are *2 "
        "out|sent|issued|made *2 within|by|before|in",
        "be|are *2 invited *4 by|within|before",
        "will|'ll|shall *2 receive|get *3 " + _OUTCOME + "|email|e-mail|call|message|letter|"
        "notification|invitation|invite|confirmation *4 within|by|before",
        "inform|notify|contact|advise|email|e-mail|call|update|tell|let *2 shortlisted|selected|"
        "successful|chosen|all *2 " + _ANSWERED,
        "will|'ll|shall|to *2 confirm *5 by|within|before",
    )


def pattern_conditional() -> list[Pattern]:
    """Windows that are not promises: "if you haven't heard from us within six weeks"."""
    return seq(
        CONDITIONAL,
        "if|should|unless|in|where *3 not|n't|no|never *4 hear|heard|hearing|contacted|"
        "receive|received|get|got|response|reply|word",
        "case *3 not|n't|no *4 hear|heard|contacted|receive|received",
        "should you not",
        "if *2 you|your *2 application *2 are|is|be|were|has *2 successful|shortlisted|"
        "selected|progressed",
        "if successful|shortlisted|selected",
        "if *2 you|your|we *3 are|is|be|were|get|gets|'re|do *2 shortlisted|selected|successful|"
        "progressed|chosen|invited|shortlist|select|progress",
        "should *3 you|your *3 be *2 shortlisted|selected|successful|progressed|chosen|invited",
        "assume *4 unsuccessful|not",
        "unless you hear",
    )


def pattern_candidate_voice() -> list[Pattern]:
    """Mail written by an applicant (to a user who hires, or forwarded): not the user's search."""
    return seq(
        CANDIDATE,
        "i|am *2 very|really|still|most *2 interested in the *2 role|position|job|post",
        "my *2 references|referees|cv|resume|portfolio *3 attached|are|is|happy",
        "considering my application|candidacy",
        "i *2 am *2 available to start",
        "thank|thanks *2 you *2 for *3 interviewing|meeting|considering me",
    )


def pattern_subset() -> list[Pattern]:
    """Promises to some candidates only: "shortlisted candidates will be contacted"."""
    return seq(
        SUBSET,
        "successful|shortlisted|selected|chosen|suitable *2 candidates|applicants|applications|"
        "profiles",
        "those *3 shortlisted|selected|successful|progressing",
    )


def pattern_request() -> list[Pattern]:
    """Dates the candidate must meet: they are not promises of feedback."""
    return seq(
        REQUEST,
        "let|tell|give|send|update us|me *2 know|by|before|within",
        "get|come|revert|write back *2 to us|me",
        "please|kindly|could|can|would *3 reply|respond|confirm|complete|submit|return|"
        "send|sign|accept|book|select|choose|pick|share|provide|upload|fill|apply|let|write|"
        "get|decline|finish|email|call",
        "ask|asking|need|needs|require|requires you to",
        "deadline|closing|expires|expire|expiry|valid|validity|due",
        "your *2 reply|response|answer|decision|confirmation|availability *2 by|before|within",
        "you to *3 complete|submit|return|reply|respond|confirm|sign|send",
        "offer *4 open|stands|valid",
    )


def pattern_rejection() -> list[Pattern]:
    return seq(
        REJECT,
        "unfortunately|regrettably|unfortunate|sadly",
        "regret|sorry *3 to *2 inform|let|say|tell|advise|share",
        "not|n't|no *3 moving|move|proceed|proceeding|progress|progressing|advance|"
        "advancing|going|go|taking|take|putting|put *4 forward|further|ahead",
        "not|n't *3 moving|move|progress|progressing|advance|advancing|inviting|invite you",
        "proceed|proceeding|go|going|move|moving|continue|continuing *3 with *3 candidate|"
        "candidates|someone|somebody|applicant|applicants|person|individual|profile|"
        "profiles|internal",
        "offer|offered|offering *3 the *2 role|position|job *2 to *3 someone|another|"
        "candidate|internal",
        "not *3 moving|proceeding *2 with your",
        "decided|decision|chosen|choose|opted|elected *6 other|another|different "
        "candidate|candidates|applicant|applicants|direction|person|individual|finalist",
        "go|going|went|gone|chose|selected|offered *3 with|to *2 the|another|an *2 other|"
        "internal|external *2 candidate|finalist|applicant|person",
        "pursue|pursuing|proceed|proceeding|move|moving|go|going|continue|continuing *4 "
        "other|another|different candidate|candidates|applicants|profiles|direction",
        "unable|not able to *3 offer|progress|proceed|move|take|invite|shortlist",
        "position|role|vacancy|job|opening|post *4 has|have|was|been|is *2 filled",
        "filled *2 the *2 position|role|vacancy|post",
        "on hold",
        "no longer *3 hiring|recruiting|available|open|considering|pursuing|being",
        "cancelled|canceled|closed|eliminated|withdrawn|paused|frozen *3 the|this *2 "
        "position|role|search|requisition|opening|vacancy",
        "position|role|requisition|opening|vacancy *4 cancelled|canceled|closed|eliminated|"
        "paused|frozen",
        "not *2 been *2 selected|shortlisted|successful",
        "not|were|was *2 successful|unsuccessful",
        "not *3 selected|shortlisted|referred",
        "not *2 a *2 fit|match",
        "closer|better|stronger|more *2 match|matched|fit|aligned|closely|suited",
        "whose *6 more|closely|better|closer",
        "wish|wishing you *5 best|luck|success|well",
        "keep|keeping|retain|hold *3 your|the *2 resume|cv|details|profile|application|"
        "information *3 on|in file|record|database|system|mind",
        "keep|keeping|retain|hold *3 your|the *2 resume|cv|details|profile|application|"
        "portfolio *2 for|incase|in_case|if|should|until *3 future|something|when|another|"
        "other|case|opens|open",
        "not|n't|no *3 more|further|any *2 interviews|interviewing",
        "future *2 opportunities|openings|roles|vacancies|positions",
        "decided|decision not to",
        "will_not|cannot be *2 offering|offered|extending",
        "not *3 offer *2 you",
    )


def pattern_offer() -> list[Pattern]:
    return seq(
        OFFER,
        "pleased|delighted|happy|excited|thrilled|glad|honored|honoured *3 to *2 offer|"
        "extend|make|confirm *4 you|offer|position|role",
        "offer letter|package|details|document|documents|pack",
        "^offer *2 of employment",
        "formal|written|verbal|conditional|official|job|employment|contingent offer",
        "extend|extending|extended|make|making *3 an|a|this|our *2 offer",
        "accept|accepting|acceptance|sign|signing|countersign *3 the|this|our|your *2 offer",
        "base|annual|starting salary|compensation|pay",
        "signing|sign-on|relocation bonus",
        "equity|stock options|rsus|rsu",
        "start|starting date",
        "welcome *2 to the|our team",
        "welcome aboard",
        "congratulations|congrats",
        "offer *3 is|will be *2 valid|open|contingent",
        "successful in your application",
        "we are *2 offering you *3 the|this|an|a *3 assignment|position|role|job|contract",
    )


def pattern_recruiter_reply() -> list[Pattern]:
    return seq(
        REPLY,
        "take|home *2 ?- *2 home|assignment|test|exercise|challenge|task",
        "coding|technical|online|skills|case|written|design *2 challenge|assessment|test|"
        "exercise|task|assignment|study",
        "^hackerrank|codility|codesignal|testgorilla|hirevue|coderpad|karat",
        "assessment|assignment|exercise|task|test|challenge *4 link|invitation|attached|below",
        "reference|references|referees|referee *2 check|checks|details|contact|contacts",
        "background|credit|drug|pre *2 ?- *2 employment check|checks|screening",
        "send|share|provide|upload|forward *4 your *4 documents|transcript|transcripts|"
        "portfolio|samples|id|passport|certificates|diploma|payslip|payslips|details",
        "still|currently *3 reviewing|review|considering|discussing|evaluating|waiting|"
        "interviewing|process",
        "no|not *2 update|decision|news *2 yet",
        "not *3 made *2 decision|decisions *2 yet",
        "yet to *3 decide|decision|hear",
        "withdraw|withdrawn|withdrawal|withdrawing",
        "salary|compensation expectations|expectation",
        "notice period",
        "right to work|visa|sponsorship|relocation",
        "questions *2 for you",
        "quick|few|couple *2 questions",
        "ctc",
        # Issue 11, family 4: portal status changes, pauses that are not the end, tasks and
        # checks before the next step, submissions received, hiring events, profile views.
        "status *4 has|have|was|been *2 changed|updated|moved|set",
        "status *2 changed|updated *2 to",
        "moved|progressed|advanced|passed *3 to|into|through *3 next|stage|review|screening|"
        "consideration|shortlisting",
        "temporarily|currently|for_now|until *3 on hold|paused|delayed|postponed",
        "on hold|pause *3 for_now|temporarily|until|while",
        "hiring|recruitment|search|process|interviews *4 paused|delayed|postponed|pushed",
        "delay|delays *3 in *2 search|process|recruitment|hiring",
        "complete|completing|answer|answering|fill|record|recording *4 questionnaire|questions|"
        "assessment|test|tasks|task|form|forms|survey|demo|lesson",
        "one-way|one|asynchronous|recorded *3 video|interview",
        "received|got|receiving *4 submission|test|case|assignment|answers|take-home|exercise|"
        "task|sample|walkthrough",
        "i-9|i-9s|eeo|dvla|licence|license|medical|drug *2 check|checks|verification|exam|"
        "examination|survey|screen",
        "hiring|recruitment|career|careers|job|jobs *2 event|events|fair|fairs|day|days|"
        "drop-in|session|evening|open",
        "open house|day|days|evening",
        "insight|information|info *2 evening|session|day|webinar",
        "meetup|meet-up",
        "viewed|reviewed|opened *2 your *2 profile|application",
        "application|profile *2 was|has_been|had_been|is_being *2 viewed",
        "relocate|relocating",
    )


def pattern_outreach() -> list[Pattern]:
    return seq(
        OUTREACH,
        "came|come|stumbled *2 across *2 your *2 profile|cv|resume|background|work|github",
        "your profile *3 linkedin|github",
        "reaching|reach out *3 about|regarding|because|to_see",
        "opportunity|role|position *3 that|which *3 might|may|could *2 interest|be",
        "would|are|might you *2 be *2 open|interested|keen",
        "open to *4 chat|conversation|call|opportunities|new|role|move|change",
        "exciting|new|great *2 opportunity|role|position",
        "my client|clients",
        "on behalf of *3 client",
        "am|i *2 recruiting|hiring for",
        "fit for *3 role|position|team",
        "hiring for *3 role|position|engineer|developer|manager",
    )
