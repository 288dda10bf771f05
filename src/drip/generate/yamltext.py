"""The words and the YAML text of a proposal: safe scalars, subjects, preheaders, fixed blocks."""

from __future__ import annotations

import json
import re
import textwrap

from drip import content, sequences

PREHEADER_MAX = 100
SUBJECT_MAX = 78  # drip check warns past 78 (a header line; phones show about 40)
ELLIPSIS = "…"

_PLAIN = re.compile(r"[a-z][a-z0-9._/-]*")
# Words a YAML 1.1 reader would turn into booleans or null if left unquoted.
_RESERVED = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])
# Characters YAML forbids raw in a stream, or reads as line breaks; JSON leaves them raw.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def quote(text: str) -> str:
    """A double-quoted YAML scalar for any text (a JSON string, with YAML's few extras escaped)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def scalar(text: str) -> str:
    """`text` unquoted when YAML reads it back as the same string (slugs, paths), else quoted."""
    if _PLAIN.fullmatch(text) and text not in _RESERVED:
        return text
    return quote(text)


def unique(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… if already taken; the result is added to `taken`."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


# One rule for titles and their first letters, shared with the emails' headings.
sentence_case = content.sentence_case
upper_first = content.upper_first
lower_first = content.lower_first


def truncate(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary with "…" so that it fits in `limit` chars."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1].rsplit(" ", 1)[0]
    if len(cut) > limit - len(ELLIPSIS):  # a single word longer than the limit
        cut = cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


def subject(text: str) -> str:
    return truncate(text, SUBJECT_MAX)


def first_sentence(body: str) -> str:
    """The first sentence of a body's first paragraph, list markers removed."""
    paragraph = next((p for p in body.split("\n\n") if p.strip()), "")
    lines = [line.strip().removeprefix("- ") for line in paragraph.splitlines()]
    return _SENTENCE_END.split(" ".join(" ".join(lines).split()), maxsplit=1)[0]


def sentences(body: str) -> list[str]:
    """Every sentence of a body, in order, list markers removed."""
    found = []
    for paragraph in body.split("\n\n"):
        lines = [line.strip().removeprefix("- ") for line in paragraph.splitlines()]
        found += [s for s in _SENTENCE_END.split(" ".join(" ".join(lines).split())) if s]
    return found


def preheader(body: str, *, fallback: str) -> str:
    """The inbox preview: the body's first whole sentence of at most 100 characters; when the
    first is longer, the first that fits among the next two; else the first cut at a word
    boundary, with "…" (or `fallback`)."""
    said = sentences(body)
    whole = next((s for s in said[:3] if len(s) <= PREHEADER_MAX), None)
    return whole or truncate((said[0] if said else "") or fallback, PREHEADER_MAX)


COMMENT_WIDTH = 90


def wrap_comment(text: str) -> list[str]:
    """A step's comment as lines of at most COMMENT_WIDTH characters (none for no comment)."""
    return textwrap.wrap(text, width=COMMENT_WIDTH, break_long_words=False) if text else []


def header(article_path: str, topic_: str, *, single: bool = False) -> list[str]:
    """The comment block that opens the file and makes it its own documentation."""
    scope = [
        "#",
        "# One general sequence for every patient (drip generate --single). Add causes and",
        "# their sequences by hand to tailor the tips to what each patient says.",
    ]
    lines = _header_text(article_path, topic_)
    return [lines[0], *(scope if single else []), *lines[1:]]


def _header_text(article_path: str, topic_: str) -> list[str]:
    return (
        f"""\
# sequences.yaml: which emails each patient gets, in which order, and when.
#
# Proposed by `drip generate` from {" ".join(article_path.split())}. It is yours to edit:
# reorder, remove or add steps, rewrite subjects and preheaders. After every edit run
#     drip check
# It names any mistake as sequences.yaml:LINE:COLUMN before anything reaches a patient.
#
#   version          the format of this file; leave it at 1
#   article          the article the emails quote, relative to this file
#   topic            what the emails call the condition ("tips about {topic_}")
#   clinic           who the emails come from; the postal address is in every footer
#   send_window      days and hours emails may go out, in each patient's own time zone
#   on_cause_change  when a patient changes their answer: switch (to the new cause's
#                    sequence, skipping what they already had), restart, or ignore
#   confirmation     the double opt-in email, sent right after sign-up
#   causes           the answers to "what do you think causes your {lower_first(topic_)}?",
#                    in the order of the sign-up form
#   sequences        for each cause, its steps in order. Each step has:
#     id             the step's name for good: patients part-way through a sequence are
#                    tracked by id, so moving a step keeps it, and an id must never be
#                    reused for different content (a new email gets a new id)
#     after          the delay after the previous step (the first: after confirming),
#                    like 90m, 36h, 3d, 2w or 1d12h
#     template       the email layout, a file in templates/emails/
#     subject        the subject line (one line, at most 150 characters)
#     preheader      the preview text inboxes show after the subject; neither names a
#                    cause: both show on lock screens, and a patient's cause is health data
#     content        the parts of the article the email carries, by slug
#     lead           optional: a sentence or two after the greeting, in your own words
#     body           optional: Markdown that replaces the article's text of the content
#     cta            optional: the button's label and url (default: Book a visit)
#
# Proposed delays: the welcome right after confirming (0m), a tip every 2 days (2d), the
# closing 3 days after the last tip (3d).
# Tips are ordered by relevance to each cause first, then conservative care before invasive
# care: self-care and activity, manual and physical therapy, medication, then injections and
# procedures, and surgery last, never first. Relevance is measured from the article's own
# words (0 = no word in common, 1 = same text); the kind of care too. The comment above each
# tip gives both, the words behind them, and why the tip is where it is.
"""
    ).splitlines()


# The last lines of every proposal: the article's items it was made from. `drip generate
# --merge` proposes only items not listed here (nor shown by a step), so that a step or a
# cause the marketer removes is not proposed again.
KNOWN = (
    "# The article's items when drip generate last read it; --merge proposes only new ones"
    " (leave this):"
)
KNOWN_BEFORE = (
    "# drip generate --merge knew these items of the article (steps you remove stay removed):"
)


def known_block(items: list[str]) -> list[str]:
    """The comment that lists the article's `items`, last in the file."""
    wrapped = textwrap.wrap(" ".join(items), width=94, break_on_hyphens=False)
    return ["", KNOWN, *(f"#   {line}" for line in wrapped)]


def known_items(text: str) -> set[str]:
    """The items a file's `known_block` lists (also as merges before 2026-12-02 wrote it)."""
    lines = text.splitlines()
    marker = next((m for m in (KNOWN, KNOWN_BEFORE) if m in lines), None)
    if marker is None:
        return set()
    listed: set[str] = set()
    for line in lines[lines.index(marker) + 1 :]:
        if not line.startswith("#   "):
            break
        listed.update(line[1:].split())
    return listed


def without_known_block(lines: list[str]) -> list[str]:
    """`lines` without their `known_block` (and the blank lines it leaves at the end)."""
    for marker in (KNOWN, KNOWN_BEFORE):
        if marker in lines:
            start = lines.index(marker)
            end = start + 1
            while end < len(lines) and lines[end].startswith("#   "):
                end += 1
            lines = lines[:start] + lines[end:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def clinic_block(clinic: sequences.Clinic, *, placeholder: bool) -> list[str]:
    lines = ["clinic:"]
    if placeholder:
        lines.append(
            "  # EDIT: placeholders. Put your clinic's real details here before going live."
        )
    lines += [
        f"  name: {quote(clinic.name)}",
        f"  from: {quote(clinic.from_address)}",
    ]
    if clinic.reply_to:
        lines.append(f"  reply_to: {quote(clinic.reply_to)}")
    else:
        lines.append("  # reply_to: frontdesk@clinic.example     # optional: where replies go")
    return [
        *lines,
        f"  postal_address: {quote(clinic.postal_address)}    # shown in every email's footer",
        f"  booking_url: {quote(clinic.booking_url)}",
        f"  base_url: {quote(clinic.base_url)}    # the web app: unsubscribe and preference links",
        f"  timezone: {quote(clinic.timezone)}    # for patients who give none",
        *_identity_lines(clinic),
    ]


def _identity_lines(clinic: sequences.Clinic) -> list[str]:
    """The optional identity keys: as written when set, else a commented example of each."""
    lines: list[str] = []
    if clinic.logo:
        lines += [
            "  logo:    # shown in the header instead of the name",
            f"    url: {quote(clinic.logo.url)}",
            f"    alt: {quote(clinic.logo.alt)}",
            f"    width: {clinic.logo.width}",
        ]
    else:
        lines.append(
            "  # logo: {url: https://clinic.example/logo.png, alt: Clinic Name, width: 160}"
        )
    lines.append(f"  phone: {quote(clinic.phone)}" if clinic.phone else '  # phone: "+1 555 0100"')
    lines.append(
        f"  website: {quote(clinic.website)}"
        if clinic.website
        else "  # website: https://clinic.example"
    )
    if clinic.signature:
        lines += [
            "  signature:    # who signs the emails (default: the article's author)",
            f"    name: {quote(clinic.signature.name)}",
        ]
        if clinic.signature.role:
            lines.append(f"    role: {quote(clinic.signature.role)}")
    else:
        lines.append(
            "  # signature: {name: Dr. Jane Doe, role: Physiotherapist}    # default: the author"
        )
    if clinic.accent != sequences.DEFAULT_ACCENT:
        lines.append(f"  accent: {quote(clinic.accent)}    # the colour of the header and buttons")
    else:
        default = sequences.DEFAULT_ACCENT
        lines.append(f'  # accent: "{default}"    # the colour of the header and buttons')
    return lines


def settings_block(topic_: str, clinic_name: str, confirm_template: str) -> list[str]:
    confirm = subject(f"Please confirm: tips on {lower_first(topic_)} from {clinic_name}")
    return [
        "send_window:    # in each patient's local time; the default is office days and hours",
        "  days: [mon, tue, wed, thu, fri]",
        '  start: "09:00"',
        '  end: "18:00"',
        "  first_step: in-window    # or at-once: the welcome right after confirmation, any hour",
        "on_cause_change: switch    # switch | restart | ignore",
        "confirmation:    # the double opt-in email",
        f"  template: {confirm_template}",
        f"  subject: {quote(confirm)}",
    ]


def causes_block(causes: list[tuple[str, str]]) -> list[str]:
    lines = ["causes:    # as the sign-up form shows them, in this order"]
    for slug, label in causes:
        lines += cause_lines(slug, label)
    return lines


def cause_lines(slug: str, label: str) -> list[str]:
    return [f"  - slug: {scalar(slug)}", f"    label: {quote(label)}"]
