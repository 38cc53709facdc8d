"""What a message added: quoted history and signatures removed, content kept."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from watcher.mail import extract_new_text, parse_message

SAMPLES = Path(__file__).parent / "mail_samples"

CASES = [
    (
        "sentence-starting-with-thanks-is-content",
        "Hi Alex,\n\nThanks, we'd like to invite you to an interview on Monday at 10am.\n\n"
        "Best,\nJane",
        "Hi Alex,\n\nThanks, we'd like to invite you to an interview on Monday at 10am.",
    ),
    (
        "thank-you-with-name-is-content",
        "Hi Alex,\nThank you, Alex, for your time today.\n"
        "We will get back to you within two weeks.\n\nRegards,\nJane Doe\nAcme",
        "Hi Alex,\nThank you, Alex, for your time today.\n"
        "We will get back to you within two weeks.",
    ),
    (
        "hyphen-list-is-content",
        "Hi Alex,\n\nNext steps:\n- a phone screen on Monday\n- an onsite on Friday\n\n"
        "Thanks,\nJane",
        "Hi Alex,\n\nNext steps:\n- a phone screen on Monday\n- an onsite on Friday",
    ),
    (
        "sent-from-my-phone",
        "We'll be in touch by Friday.\n\nSent from my iPhone",
        "We'll be in touch by Friday.",
    ),
    (
        "original-message-separator",
        "Hi Alex,\nSee below.\n\n-----Original Message-----\nFrom: Alex\nSent: Monday\n"
        "To: Jane\nSubject: hi\n\nold stuff",
        "Hi Alex,\nSee below.",
    ),
    (
        "interleaved-answers-keep-answers",
        "Hi,\n\n> Are you free Monday?\nYes, Monday 3pm works.\n> And Tuesday?\nNo.\n",
        "Hi,\n\nYes, Monday 3pm works.\nNo.",
    ),
    (
        "sign-off-then-disclaimer",
        "Hi Alex\n\nWe will decide next week.\n\nBest regards\n\nJane Doe | Recruiter\n"
        "CONFIDENTIALITY: This email is for the intended recipient only. If you got this "
        "mail by error, delete it.",
        "Hi Alex\n\nWe will decide next week.",
    ),
    (
        "on-wrote-header-wrapped-over-two-lines",
        "Sounds good, see you then.\n\nOn Thu, Mar 6, 2025 at 5:12 PM Alex Smith <\n"
        "alex@example.org> wrote:\n> Does 3pm work?\n",
        "Sounds good, see you then.",
    ),
    ("only-a-sign-off-is-kept", "Thanks,\nJane", "Thanks,\nJane"),
    (
        "gmail-on-wrote",
        "Friday works.\n\nOn Mon, Mar 9, 2026 at 11:20 AM Dana Reyes <dana@acme.com> wrote:\n"
        "> Could you do Friday?\n> Dana\n",
        "Friday works.",
    ),
    (
        "gmail-on-wrote-wrapped-after-name",
        "Friday works.\n\nOn Mon, Mar 9, 2026 at 11:20 AM Dana Reyes\n<dana@acme.com> wrote:\n"
        "\n> Could you do Friday?\n",
        "Friday works.",
    ),
    (
        "apple-mail-on-at-wrote",
        "Friday works.\n\nSent from my iPhone\n\n"
        "On 9 Mar 2026, at 11:20, Dana <dana@acme.com> wrote:\n\n> Could you do Friday?\n",
        "Friday works.",
    ),
    (
        "outlook-header-block",
        "We will decide next week.\n\nFrom: Alex Smith <alex@example.org>\n"
        "Sent: Monday, March 9, 2026 10:00 AM\nTo: Dana Reyes <dana@acme.com>\n"
        "Subject: Status\n\nAny news?",
        "We will decide next week.",
    ),
    (
        "outlook-header-block-under-rule",
        "We will decide next week.\n\n________________________________\n"
        "From: Alex Smith <alex@example.org>\nSent: Monday, March 9, 2026 10:00 AM\n"
        "To: Dana Reyes <dana@acme.com>\nSubject: Status\n\nAny news?",
        "We will decide next week.",
    ),
    (
        "outlook-german-header-block",
        "Wir melden uns bis Freitag.\n\nVon: Alex Smith <alex@example.org>\n"
        "Gesendet: Montag, 9. März 2026 10:00\nAn: Dana <dana@acme.de>\nBetreff: Status\n\nalt",
        "Wir melden uns bis Freitag.",
    ),
    (
        "outlook-french-header-block",
        "Nous revenons vers vous vendredi.\n\nDe : Alex Smith <alex@example.org>\n"
        "Envoyé : lundi 9 mars 2026 10:00\nÀ : Dana <dana@acme.fr>\nObjet : Statut\n\nalt",
        "Nous revenons vers vous vendredi.",
    ),
    (
        "outlook-spanish-header-block",
        "Le respondemos el viernes.\n\n-----Mensaje original-----\nDe: Alex\n"
        "Enviado el: lunes\nPara: Dana\nAsunto: Estado\n\nviejo",
        "Le respondemos el viernes.",
    ),
    (
        "german-am-schrieb",
        "Wir melden uns bis Freitag.\n\nAm 09.03.2026 um 11:20 schrieb Dana Reyes "
        "<dana@acme.de>:\n> Gibt es Neuigkeiten?\n",
        "Wir melden uns bis Freitag.",
    ),
    (
        "french-le-a-ecrit",
        "Nous revenons vers vous vendredi.\n\nLe lun. 9 mars 2026 à 11:20, Dana "
        "<dana@acme.fr> a écrit :\n> Des nouvelles ?\n",
        "Nous revenons vers vous vendredi.",
    ),
    (
        "spanish-el-escribio",
        "Le respondemos el viernes.\n\nEl lun, 9 mar 2026 a las 11:20, Dana "
        "(<dana@acme.es>) escribió:\n> ¿Novedades?\n",
        "Le respondemos el viernes.",
    ),
    (
        "sentence-starting-with-on-is-content",
        "On Monday we will call you.\nThe team wrote the brief.",
        "On Monday we will call you.\nThe team wrote the brief.",
    ),
    (
        "dash-dash-signature",
        "See you Friday.\n-- \nDana Reyes\nRecruiter, Acme",
        "See you Friday.",
    ),
    (
        "german-device-line",
        "Bis Freitag.\n\nVon meinem iPhone gesendet",
        "Bis Freitag.",
    ),
    ("empty", "  \n", ""),
    (
        "thunderbird-bottom-post-keeps-the-text-under-the-quote",
        "On 09/03/2026 11:20, Dana Reyes wrote:\n> Could you do Friday at 3pm?\n> Dana\n\n"
        "Friday at 10am suits me better.\n\nBest,\nSam",
        "Friday at 10am suits me better.",
    ),
    (
        "apple-bottom-post-under-a-greeting",
        "Hi Dana,\n\nOn 9 Mar 2026, at 11:20, Dana <dana@acme.com> wrote:\n\n"
        "> We will decide by Friday.\n\nThanks, I look forward to it.\n\nSent from my iPhone",
        "Hi Dana,\n\nThanks, I look forward to it.",
    ),
    (
        "inline-answers-under-an-attribution",
        "See my answers below.\n\nOn Mon, Mar 9, 2026 at 11:20 AM Dana <dana@acme.com> wrote:\n"
        "> Are you free Monday?\nYes, Monday 3pm works.\n> And Tuesday?\nNo.\n\nCheers,\nSam",
        "See my answers below.\n\nYes, Monday 3pm works.\nNo.",
    ),
    (
        "footer-under-a-top-posted-reply-is-not-an-answer",
        "We will decide next week.\n\nOn Mon, Mar 9, 2026 at 11:20 AM Sam <sam@x.org> wrote:\n"
        "> Any news?\n\nThis message was scanned for viruses on Friday 13 March.",
        "We will decide next week.",
    ),
    (
        "bottom-post-stops-at-an-older-unquoted-history",
        "On Tue, Mar 10, 2026 at 9:00 AM Dana <dana@acme.com> wrote:\n> Does Thursday work?\n\n"
        "Thursday works.\n\nFrom: Sam <sam@x.org>\nSent: Monday, March 9, 2026\n"
        "To: Dana <dana@acme.com>\nSubject: Interview\n\nI can do any day but Friday.",
        "Thursday works.",
    ),
    (
        "unquoted-history-under-an-attribution-is-all-old",
        "On Mon, Mar 9, 2026 at 11:20 AM Dana <dana@acme.com> wrote:\nCould you do Friday at 3pm?",
        "On Mon, Mar 9, 2026 at 11:20 AM Dana <dana@acme.com> wrote:\nCould you do Friday at 3pm?",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_extract_new_text(text: str, expected: str) -> None:
    assert extract_new_text(text) == expected


@pytest.mark.parametrize(
    ("name", "kept", "dropped"),
    [
        ("gmail_html_reply.eml", "onsite is confirmed for Wednesday, March 19", "does Wednesday"),
        ("outlook_html_reply.eml", "hear from us by the end of next week", "any news"),
    ],
    ids=["gmail-html", "outlook-html-under-blank-plain-part"],
)
def test_html_replies_drop_quoted_history(name: str, kept: str, dropped: str) -> None:
    message = parse_message((SAMPLES / name).read_bytes(), frozenset(), None)
    assert kept in message.new_text
    assert dropped not in message.new_text
    assert dropped in message.text
    assert "Priya" not in message.new_text


@pytest.mark.parametrize(
    "marker",
    [
        "---------- Forwarded message ---------",
        "Begin forwarded message:",
        "-------- Weitergeleitete Nachricht --------",
    ],
)
def test_forward_with_short_note_keeps_the_forwarded_words(marker: str) -> None:
    text = (
        f"FYI\n\n{marker}\nFrom: Dana <dana@acme.com>\nDate: Mon, 9 Mar 2026\n"
        "Subject: Offer\nTo: Sam <sam@example.org>\n\nWe are glad to offer you the role.\n"
        "\nBest,\nDana"
    )
    assert extract_new_text(text) == "FYI\n\nWe are glad to offer you the role."


def test_forward_with_long_note_keeps_only_the_note() -> None:
    note = "Dear Sam, " + "this is what I was telling you about over lunch. " * 6
    text = f"{note}\n\n---------- Forwarded message ---------\nFrom: Dana\nDate: Mon\n\nOffer."
    assert extract_new_text(text) == note.strip()


@pytest.mark.parametrize(
    "text",
    [
        "Hi\n\nOn "
        + "a b " * 50_000,  # backtracks quadratically in the reply parser's header regex
        "Hi\n" + "Thanks, we would like to talk with you about it.\n" * 4000,
        ("On " + "a b " * 124 + "\n") * 2000,
        "Hallo\n\n" + ("Am " + "schrieb " * 124 + "\n") * 128,
        "Hi\n" + ("Thanks,\n" + "x " * 300 + "\n") * 2000,
        "Hi\n" + ("From: a\n" * 3 + "\n") * 5000,
        "On Mon, Dana wrote:\n" + "> a question\nan answer\n" * 20_000,
    ],
    ids=[
        "one-long-on-line",
        "many-false-sign-offs",
        "many-on-lines",
        "am-schrieb-lines",
        "sign-offs-over-long-lines",
        "many-from-lines",
        "many-inline-answers",
    ],
)
def test_hostile_text_is_handled_quickly(text: str) -> None:
    started = time.perf_counter()
    extract_new_text(text)
    assert time.perf_counter() - started < 5  # unbounded, these take minutes


def _html_mail(body: str) -> bytes:
    return (
        "From: Dana <dana@acme.com>\r\nTo: sam@example.org\r\nSubject: Re: Status\r\n"
        "Date: Mon, 9 Mar 2026 11:20:00 +0000\r\nMessage-ID: <h@acme.com>\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        f"<html><body>{body}</body></html>\r\n"
    ).encode()


@pytest.mark.parametrize(
    "quote",
    [
        '<div class="gmail_quote"><div class="gmail_attr">On Mon, Dana wrote:</div>'
        "<blockquote>Any news on the OLD QUOTE?</blockquote></div>",
        '<div>On 9 Mar 2026, at 11:20, Sam wrote:</div><blockquote type="cite">'
        "OLD QUOTE</blockquote>",
        '<div id="appendonsend"></div><hr><div>From: Sam</div><div>OLD QUOTE</div>',
        '<hr><div id="divRplyFwdMsg"><b>From:</b> Sam<br><b>Sent:</b> Monday</div>'
        "<div>OLD QUOTE</div>",
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>From:</b> Sam<br>'
        "<b>Sent:</b> Monday<br><b>To:</b> Dana</p></div><p>OLD QUOTE</p>",
    ],
    ids=[
        "gmail-quote",
        "apple-blockquote-cite",
        "outlook-appendonsend",
        "outlook-divrplyfwdmsg",
        "outlook-border-top",
    ],
)
def test_html_only_reply_drops_the_clients_quote(quote: str) -> None:
    raw = _html_mail(f"<div>We will decide by Friday.</div>{quote}")
    message = parse_message(raw, frozenset(), None)
    assert "We will decide by Friday." in message.new_text
    assert "OLD QUOTE" not in message.new_text
    assert "OLD QUOTE" in message.text


@pytest.mark.parametrize(
    "body",
    [
        '<div class="moz-cite-prefix">On 09/03/2026 11:20, Dana wrote:<br></div>'
        '<blockquote type="cite">Could we do the OLD QUOTE slot?</blockquote>'
        "<p>We will decide by Friday.</p>",
        "<div>On 9 Mar 2026, at 11:20, Dana wrote:</div>"
        '<blockquote type="cite">OLD QUOTE one</blockquote><div>We will decide</div>'
        '<blockquote type="cite">OLD QUOTE two</blockquote><div>by Friday.</div>',
        '<div>On Mon, Dana wrote:<br><blockquote type="cite">OLD QUOTE</blockquote>'
        "We will decide by Friday.</div>",
    ],
    ids=["thunderbird-bottom-post", "apple-inline-answers", "attribution-as-bare-text"],
)
def test_html_reply_under_the_quote_keeps_the_new_text(body: str) -> None:
    message = parse_message(_html_mail(body), frozenset(), None)
    assert "We will decide" in message.new_text
    assert "by Friday." in message.new_text
    assert "OLD QUOTE" not in message.new_text
    assert "wrote:" not in message.new_text
