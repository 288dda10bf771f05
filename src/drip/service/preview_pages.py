"""The pages of `drip preview`: what they show, drawn as plain HTML (every value escaped).

    index.html                      problems, the sequences, what changed since git HEAD
    <patient>/<cause>.html          every step as that sample patient gets it, at both widths
    changes/<cause>/<step>.html     one step at HEAD and now, side by side
    mail/…                          the emails themselves, each framed by the pages above

Served by `drip preview`, a page also loads `live.js`, which reloads it when the files change.
"""

from __future__ import annotations

import difflib
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from html import escape

from drip import errors

PHONE, DESKTOP = 375, 640  # px: a phone's width, and a desktop client's reading pane
FRAME_HEIGHT = 760


@dataclass(frozen=True, kw_only=True)
class Email:
    """One email as one sample patient gets it (or why it cannot be shown)."""

    key: str  # the step id, or "opt-in"
    title: str  # "2. heat-and-ice", "Opt-in email"
    mail: str  # the path of its HTML, relative to the site
    subject: str = ""
    preheader: str = ""
    sender: str = ""
    to: str = ""
    text: str = ""
    after: str = ""  # the step's delay, as written
    template: str = ""
    at: datetime | None = None  # when it goes out (UTC)
    delayed: datetime | None = None  # when its delay ends (UTC), if the window moved it
    zone: str = ""
    error: str = ""  # why it cannot be rendered
    change: str = ""  # "changed" or "new" since git HEAD; the comparison's path if changed
    compare: str = ""


@dataclass(frozen=True, kw_only=True)
class Patient:
    id: str
    name: str
    zone: str
    about: str


@dataclass(frozen=True, kw_only=True)
class Sequence:
    cause: str
    label: str
    emails: tuple[Email, ...]  # as the first sample patient gets them
    patients: tuple[Patient, ...]
    edits: tuple[str, ...] = ()  # what changed since HEAD, in the planner's words


@dataclass(frozen=True, kw_only=True)
class Index:
    clinic: str
    problems: tuple[errors.Problem, ...]
    warnings: tuple[errors.Problem, ...]
    summary: str  # drip check's last line
    sequences: tuple[Sequence, ...]
    samples: str
    window: str
    start: datetime
    head: str  # "compared with git HEAD (abc1234)", or why not


def page(title: str, body: str, *, version: str, live: bool, depth: int = 0) -> str:
    up = "../" * depth
    script = f'<script src="{up}live.js" defer></script>' if live else ""
    return (
        f'<!doctype html><html lang="en" data-version="{escape(version)}"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="{up}preview.css">{script}'
        f"</head><body>{body}</body></html>"
    )


def index(view: Index) -> str:
    parts = [f"<h1>drip preview: {escape(view.clinic)}</h1>", _checked(view)]
    window = f"; send window: {escape(view.window)}" if view.window else ""
    parts.append(
        f"<p>Send times are for sample patients who confirm on "
        f"{view.start:%a %d %b %Y %H:%M} UTC{window}. "
        f"Sample patients: {escape(view.samples)}. {escape(view.head)}.</p>"
    )
    for sequence in view.sequences:
        parts.append(_sequence_row(sequence))
    return "".join(parts)


def _checked(view: Index) -> str:
    found = [("problem", p) for p in view.problems] + [("warning", w) for w in view.warnings]
    items = "".join(
        f'<li class="{kind}"><code>{escape(p.file)}:{p.line}:{p.column}</code> '
        f"{'warning: ' if kind == 'warning' else ''}{escape(_said(p))}</li>"
        for kind, p in found
    )
    listed = f'<ul class="checks">{items}</ul>' if items else ""
    state = "problems" if view.problems else "clean"
    return (
        f'<section class="check {state}"><h2>drip check</h2>{listed}'
        f"<p>{escape(view.summary)}</p></section>"
    )


def _said(problem: errors.Problem) -> str:
    return f"{problem.where}: {problem.message}" if problem.where else problem.message


def _sequence_row(sequence: Sequence) -> str:
    links = " · ".join(
        f'<a href="{escape(p.id)}/{escape(sequence.cause)}.html">{escape(p.id)}</a>'
        for p in sequence.patients
    )
    rows = "".join(_overview_row(sequence, email) for email in sequence.emails)
    edits = (
        f'<p class="edits">Since git HEAD: {escape("; ".join(sequence.edits))}.</p>'
        if sequence.edits
        else ""
    )
    return (
        f'<section class="sequence"><h2>{escape(sequence.label)} <code>{escape(sequence.cause)}'
        f"</code></h2><p>As: {links}</p>{edits}<table><tr><th>step</th><th>after</th>"
        f"<th>sent ({escape(sequence.patients[0].id)})</th><th>subject</th><th>preheader</th>"
        f"<th></th></tr>{rows}</table></section>"
    )


def _overview_row(sequence: Sequence, email: Email) -> str:
    first = sequence.patients[0].id
    link = f'<a href="{escape(first)}/{escape(sequence.cause)}.html#{escape(email.key)}">'
    return (
        f"<tr><td>{link}{escape(email.title)}</a></td><td>{escape(email.after)}</td>"
        f"<td>{escape(_when(email, short=True))}</td><td>{escape(email.subject or email.error)}"
        f"</td><td>{escape(email.preheader)}</td><td>{_change(email, depth=0)}</td></tr>"
    )


def sequence_page(sequence: Sequence, patient: Patient, emails: tuple[Email, ...]) -> str:
    others = " · ".join(
        escape(p.id)
        if p.id == patient.id
        else f'<a href="../{escape(p.id)}/{escape(sequence.cause)}.html">{escape(p.id)}</a>'
        for p in sequence.patients
    )
    name = patient.name or "no first name"
    head = (
        f'<p><a href="../index.html">All sequences</a></p><h1>{escape(sequence.label)} '
        f"<code>{escape(sequence.cause)}</code></h1><p>As {escape(patient.id)}: "
        f"{escape(name)}, {escape(patient.zone)} ({escape(patient.about)}). Other sample "
        f"patients: {others}.</p>"
    )
    return head + "".join(_card(email) for email in emails)


def _card(email: Email) -> str:
    heading = (
        f'<h2>{escape(email.title)} <span class="after">{escape(email.after)}</span> '
        f"{_change(email, depth=1)}</h2>"
    )
    if email.error:
        return (
            f'<section class="step" id="{escape(email.key)}">{heading}'
            f'<p class="problem">Cannot be shown: {escape(email.error)}</p></section>'
        )
    meta = "".join(
        f"<dt>{label}</dt><dd>{escape(value)}</dd>"
        for label, value in (
            ("Subject", email.subject),
            ("Preheader", email.preheader),
            ("From", email.sender),
            ("To", email.to),
            ("Sent", _when(email, short=False)),
            ("Template", email.template),
        )
        if value
    )
    return (
        f'<section class="step" id="{escape(email.key)}">{heading}<dl>{meta}</dl>'
        f'<div class="views">{_frame(email, PHONE, "Phone")}{_frame(email, DESKTOP, "Desktop")}'
        f'<figure class="text"><figcaption>Plain-text part</figcaption><pre>{escape(email.text)}'
        "</pre></figure></div></section>"
    )


def _frame(email: Email, width: int, what: str, *, depth: int = 1) -> str:
    return (
        f'<figure class="frame"><figcaption>{what}, {width} px</figcaption>'
        f'<iframe src="{"../" * depth}{escape(email.mail)}" width="{width}" '
        f'height="{FRAME_HEIGHT}" title="{escape(email.title)} at {width} px" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe></figure>'
    )


def _when(email: Email, *, short: bool) -> str:
    if email.at is None:
        return "at sign-up" if email.key == "opt-in" else ""
    local = email.at.astimezone(zoneinfo.ZoneInfo(email.zone))
    shown = f"{local:%a %d %b %H:%M} {local.tzname()}"
    if short:
        return shown
    said = (
        f"{local:%a %d %b %Y %H:%M} {local.tzname()} (UTC{_offset(local)}) · "
        f"{email.at:%Y-%m-%d %H:%M} UTC"
    )
    if email.delayed is not None:
        ends = email.delayed.astimezone(zoneinfo.ZoneInfo(email.zone))
        said += f"; its delay ends {ends:%a %d %b %H:%M}, outside the send window"
    return said


def _offset(local: datetime) -> str:
    said = local.strftime("%z")
    return f"{said[:3]}:{said[3:]}"


def _change(email: Email, *, depth: int) -> str:
    if email.compare:
        href = "../" * depth + escape(email.compare)
        return f'<a class="change" href="{href}">changed since HEAD: compare</a>'
    if email.change:
        return f'<span class="change">{escape(email.change)} since HEAD</span>'
    return ""


def change_page(before: Email, after: Email, *, commit: str) -> str:
    columns = "".join(
        f'<div class="side"><h2>{escape(label)}</h2><dl><dt>Subject</dt>'
        f"<dd>{escape(email.subject)}</dd><dt>Preheader</dt><dd>{escape(email.preheader)}</dd>"
        f"<dt>After</dt><dd>{escape(email.after)}</dd></dl>"
        f"{_frame(email, PHONE, 'Phone', depth=2)}</div>"
        for label, email in ((f"At HEAD ({commit})", before), ("Now", after))
    )
    diff = "".join(
        f'<span class="{_kind(line)}">{escape(line)}</span>'
        for line in difflib.unified_diff(
            before.text.splitlines(keepends=True),
            after.text.splitlines(keepends=True),
            fromfile="at HEAD",
            tofile="now",
        )
    )
    return (
        f'<p><a href="../../index.html">All sequences</a></p><h1>{escape(after.title)}: '
        f'before and after</h1><div class="sides">{columns}</div><h2>Plain-text part</h2>'
        f'<pre class="diff">{diff or "the same"}</pre>'
    )


def _kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    return {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")


CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
code { font-size: .9em; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
td, th { padding: .25rem .6rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid #ddd; }
.check { border-left: 4px solid #2e7d32; padding: .25rem 1rem; margin-bottom: 1.5rem; }
.check.problems { border-color: #b3261e; }
.checks li.problem { color: #b3261e; }
.checks li.warning { color: #8a5a00; }
.problem { color: #b3261e; }
.step { border-top: 2px solid #ccc; margin-top: 1.5rem; }
.after { font-weight: normal; color: #555; font-size: .8em; }
.change { font-size: .75em; font-weight: normal; background: #fff4ce; padding: .1rem .4rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
.views, .sides { display: flex; flex-wrap: wrap; gap: 1.25rem; align-items: flex-start; }
figure { margin: 0; }
figcaption { font-size: .85em; color: #555; }
iframe { border: 1px solid #bbb; background: #fff; display: block; }
.text pre { width: 36rem; max-width: 100%; height: 760px; overflow: auto; white-space: pre;
  background: #f6f6f6; padding: .5rem; margin: 0; font-size: 12px; }
.diff .added { background: #e6ffec; } .diff .removed { background: #ffebe9; }
.diff .hunk, .diff .file { color: #555; }
.diff span { display: block; white-space: pre-wrap; }
"""

LIVE_JS = """// drip preview: reload when sequences.yaml, a template or the article changes.
(function () {
  var shown = document.documentElement.dataset.version;
  function poll() {
    fetch("/_version", { cache: "no-store" })
      .then(function (answer) { return answer.text(); })
      .then(function (now) {
        if (now.trim() !== shown) { window.location.reload(); } else { setTimeout(poll, 400); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 400);
})();
"""
