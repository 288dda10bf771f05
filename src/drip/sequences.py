"""The sequences model: what `sequences.yaml` says, as frozen, validated values.

The file is parsed and checked by `drip.sequences_yaml` (line-marked errors); this module holds
the values the rest of drip uses. Steps are identified by `id`, never by position.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum

from drip import contacts

NOT_SURE = "not-sure"  # the cause slug for "I'm not sure"
# The double opt-in email, queued in the outbox like a step: sequence and step id. The sequence
# name cannot be a cause slug (slugs start with a letter or digit).
CONFIRM_SEQUENCE = "_confirm"
CONFIRM_STEP = "confirm"


class CauseChange(StrEnum):
    """What happens to an enrollment when a patient changes their stated cause."""

    SWITCH = "switch"  # move to the new cause's sequence, skipping content already received
    RESTART = "restart"  # start the new cause's sequence from its first step
    IGNORE = "ignore"  # keep the current sequence; only the recorded cause changes


DEFAULT_ACCENT = "#1f5f7a"  # the colour of the header and the buttons when none is given


@dataclass(frozen=True, kw_only=True)
class Logo:
    """The clinic's logo in the header: an https image, shown `width` px wide."""

    url: str
    alt: str  # what the logo says, for screen readers and for clients that block images
    width: int = 160


@dataclass(frozen=True, kw_only=True)
class Signature:
    """Who signs the emails: a person and their role ("Chiropractor")."""

    name: str
    role: str = ""


@dataclass(frozen=True, kw_only=True)
class Clinic:
    name: str
    from_address: str  # "Winternheimer Chiropractic <tips@example-clinic.com>" or a bare address
    reply_to: str | None
    postal_address: str
    booking_url: str
    base_url: str  # where the web app answers: unsubscribe and preference links start here
    timezone: str  # IANA name, the default for subscribers who give none
    logo: Logo | None = None  # without one, the header shows the clinic's name
    phone: str = ""  # as patients dial it, shown under the sign-off
    website: str = ""  # https URL, shown under the sign-off
    signature: Signature | None = None  # None: the article's author signs
    accent: str = DEFAULT_ACCENT  # "#rrggbb": the header and the buttons

    @functools.cached_property
    def sender_domain(self) -> str:
        """The domain of the From address: Message-IDs are minted under it (parsed once per
        clinic: every message asks for it)."""
        return contacts.domain(self.from_address) or "drip.invalid"


@dataclass(frozen=True, kw_only=True)
class Cause:
    slug: str
    label: str  # as shown on the sign-up form


@dataclass(frozen=True, kw_only=True)
class SendWindow:
    """When emails may go out, in the subscriber's local time: days 0=Monday … 6=Sunday."""

    days: frozenset[int]
    start: time
    end: time  # exclusive; start < end
    # The first step after confirmation: False waits for the window like every step; True
    # sends it at once (after its own delay), whatever the hour: the patient just asked for it.
    first_step_at_once: bool = False


@dataclass(frozen=True, kw_only=True)
class Cta:
    """A step's call to action: the button's label and where it leads (https)."""

    label: str
    url: str


@dataclass(frozen=True, kw_only=True)
class Step:
    id: str
    after: timedelta  # delay after the previous step was sent (or after confirmation)
    template: str  # file name under templates/emails/, e.g. "tip.mjml.j2"
    subject: str
    preheader: str
    content: tuple[str, ...]  # content slugs from the article
    lead: str = ""  # a sentence before the content, instead of the template's own
    body: str = ""  # Markdown that replaces the article's text of the content
    cta: Cta | None = None  # the call to action, instead of the template's "Book a visit"


@dataclass(frozen=True, kw_only=True)
class Sequence:
    cause: str  # cause slug
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def index(self, step_id: str) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), None)


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The whole of sequences.yaml."""

    article: str  # path of the article, relative to sequences.yaml
    clinic: Clinic
    causes: tuple[Cause, ...]
    window: SendWindow
    on_cause_change: CauseChange
    confirmation_template: str  # the double opt-in email's template
    confirmation_subject: str
    sequences: dict[str, Sequence]  # by cause slug
    # What the emails call the condition ("back spasms"); "" when the file has no `topic:`,
    # and then the renderer names it from the article as `drip generate` would.
    topic: str = ""

    def cause(self, slug: str) -> Cause | None:
        return next((c for c in self.causes if c.slug == slug), None)

    def sequence(self, cause_slug: str) -> Sequence | None:
        return self.sequences.get(cause_slug)


def named_cause(line: str, causes: list[Cause]) -> Cause | None:
    """The first cause whose slug or label `line` says, ignoring case, hyphens and spacing: the
    rule that keeps a patient's cause out of subjects and preheaders (`drip check` and the
    generator both apply it)."""
    said = " ".join(line.lower().replace("-", " ").split())
    for cause in causes:
        names = {cause.slug.replace("-", " "), " ".join(cause.label.lower().split())}
        if any(name and name in said for name in names):
            return cause
    return None
