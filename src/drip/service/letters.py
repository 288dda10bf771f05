"""The email for one claimed delivery: its step rendered once, then personalised per patient
with their first name and signed links (minted at `now`, with the current secret key); with
a tracker (DRIP_TRACKING=on), a step's links go through the web app's redirect and it carries
an open pixel (`tracking`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from drip import rendering, sequences, store, tokens
from drip.service import tracking


@dataclass(frozen=True, kw_only=True)
class Letters:
    plan: sequences.Plan
    renderer: rendering.Renderer
    keys: tokens.Keys
    base_url: str
    tracker: tracking.Tracker | None = None  # DRIP_TRACKING=on

    def compose(self, claim: store.Claim, *, now: datetime) -> EmailMessage:
        """The message of `claim` (a step, or the opt-in email), as it goes out at `now`."""
        if claim.sequence == sequences.CONFIRM_SEQUENCE:
            rendered = self.renderer.confirmation()  # never tracked: nobody agreed to it yet
        else:
            rendered = self.renderer.step(claim.sequence, claim.step_id)
            if self.tracker is not None:
                rendered = self.tracker.track(rendered, delivery_uid=claim.delivery_uid, now=now)
        unsubscribe, preferences, confirm = tokens.links(
            self.keys, self.base_url, claim.subscriber_uid, now=now
        )
        return rendering.compose(
            rendered,
            clinic=self.plan.clinic,
            recipient=rendering.Recipient(email=claim.email, first_name=claim.first_name),
            links=rendering.Links(
                unsubscribe=unsubscribe, preferences=preferences, confirm=confirm
            ),
            message_id=rendering.message_id(
                claim.delivery_uid, domain=self.plan.clinic.sender_domain
            ),
            date=now,
        )
