"""While one email is in flight, the dispatcher prepares the next (re-check, decisions,
compose) on its own thread; the next is sent only after the first one's record. These tests
hold the send open until the preparation has happened, so that the overlap is certain, not a
matter of timing, and check the promises it must keep: one email in flight at a time, each sent
only after the one before is recorded, and an unsubscribe, a pause or a suppression landing
meanwhile still winning (the re-check just before the send).

On the in-memory outbox; the same promise over real SMTP and both databases:
tests/service/test_unsubscribe_wins.py."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection
from datetime import datetime
from email.message import EmailMessage

import memory_world
import pytest
from memory_world import T0, Fixture

from drip import planning, store
from drip.service import dispatch

V, DS, SS = dispatch.Verdict, store.DeliveryState, store.SubscriberState
WAIT = 10.0  # seconds: only reached when the overlap does not happen, and the test fails


class JournalOutbox(store.MemoryOutbox):
    """The in-memory outbox, keeping the order of reads and records (and of the compositions
    its `JournalLetters` reports)."""

    def __init__(self) -> None:
        super().__init__()
        self.journal: list[tuple[str, int]] = []
        self.changed = threading.Condition()

    def note(self, what: str, who: int) -> None:
        with self.changed:
            self.journal.append((what, who))
            self.changed.notify_all()

    def wait_for(self, what: str, who: int) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: (what, who) in self.journal, timeout=WAIT)

    def recheck(self, subscriber_id: int) -> store.Recheck | None:
        self.note("recheck", subscriber_id)
        return super().recheck(subscriber_id)

    def rechecks(self, subscriber_ids: Collection[int]) -> dict[int, store.Recheck]:
        self.note("rechecks", len(subscriber_ids))
        return super().rechecks(subscriber_ids)

    def standing(self, subscriber_id: int, email: str) -> store.Standing | None:
        self.note("standing", subscriber_id)
        return super().standing(subscriber_id, email)

    def mark_sent(
        self,
        delivery_id: int,
        *,
        owner: str,
        now: datetime,
        message_id: str,
        next: planning.Planned | None,
    ) -> bool:
        kept = super().mark_sent(
            delivery_id, owner=owner, now=now, message_id=message_id, next=next
        )
        self.note("sent", delivery_id)
        return kept


@dataclasses.dataclass
class JournalLetters:
    """The real composer, noting in the journal whose email it built."""

    letters: dispatch.Composer
    outbox: JournalOutbox

    def compose(self, claim: store.Claim, *, now: datetime) -> EmailMessage:
        message = self.letters.compose(claim, now=now)
        self.outbox.note("composed", claim.subscriber_id)
        return message


@dataclasses.dataclass
class HeldSender:
    """Sends into a list; `during(n)` runs inside the n-th send (0-based), on the send's
    thread, before it returns."""

    outbox: JournalOutbox
    during: Callable[[int], None] = lambda n: None
    sent: list[EmailMessage] = dataclasses.field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    unrecorded_at_send: list[int] = dataclasses.field(default_factory=list)

    def send(self, message: EmailMessage) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        sent = [d for d in self.outbox.deliveries() if d.state is DS.SENT]
        self.unrecorded_at_send.append(len(self.sent) - len(sent))
        try:
            self.during(len(self.sent))
            self.sent.append(message)
        finally:
            self.in_flight -= 1

    def recipients(self) -> list[str]:
        return [str(m["To"]).rsplit("<", 1)[1].rstrip(">") for m in self.sent]


@pytest.fixture
def world() -> Fixture:
    return memory_world.make()


def overlapping(world: Fixture, *emails: str) -> tuple[JournalOutbox, HeldSender, list[int]]:
    """A dispatcher on a JournalOutbox with a HeldSender, and one patient per address."""
    outbox = JournalOutbox()
    sender = HeldSender(outbox)
    world.outbox, world.sender = outbox, sender  # type: ignore[assignment]
    letters = JournalLetters(world.dispatcher.letters, outbox)
    world.dispatcher = dataclasses.replace(
        world.dispatcher, outbox=outbox, sender=sender, letters=letters
    )
    return outbox, sender, [world.patient(email) for email in emails]


def test_the_next_is_prepared_during_a_send_and_sent_only_after_its_record(
    world: Fixture,
) -> None:
    outbox, sender, ids = overlapping(world, "a@example.com", "b@example.com", "c@example.com")

    def during(n: int) -> None:  # the send stays open until the next email was built
        if n + 1 < len(ids):
            assert outbox.wait_for("composed", ids[n + 1]), "the next was not prepared meanwhile"

    sender.during = during
    result = world.batch()

    assert result.sent == 3
    assert sender.recipients() == ["a@example.com", "b@example.com", "c@example.com"]
    assert sender.most_in_flight == 1
    assert sender.unrecorded_at_send == [0, 0, 0]  # each earlier email recorded before the next
    reads = [(what, who) for what, who in outbox.journal if what != "composed"]
    assert reads[0] == ("rechecks", 3)  # the batch's read, then each patient's just before
    assert [entry for entry in reads if entry[0] != "sent"][1:] == [("standing", i) for i in ids]


@pytest.mark.parametrize(
    ("change", "verdict", "state"),
    [
        ("unsubscribe", V.SUPPRESSED, DS.SUPPRESSED),
        ("suppress", V.SUPPRESSED, DS.SUPPRESSED),
        ("pause", V.DEFERRED, DS.PENDING),
    ],
)
def test_a_change_landing_after_the_next_was_prepared_still_wins(
    world: Fixture,
    change: str,
    verdict: dispatch.Verdict,
    state: store.DeliveryState,
) -> None:
    outbox, sender, (first, leaving, last) = overlapping(
        world, "a@example.com", "b@example.com", "c@example.com"
    )

    def during(n: int) -> None:  # prepared, ready to go: then the patient changes their mind
        if n == 0:
            assert outbox.wait_for("composed", leaving)
            if change == "unsubscribe":
                outbox.set_state(leaving, SS.UNSUBSCRIBED)
            elif change == "suppress":
                outbox.suppress("B@example.com")
            else:
                outbox.set_state(leaving, SS.PAUSED)

    sender.during = during
    result = world.batch()

    assert (result.sent, result.count(verdict)) == (2, 1)
    assert sender.recipients() == ["a@example.com", "c@example.com"]
    by_patient = {d.subscriber_id: d.state for d in outbox.deliveries() if d.step_id == "welcome"}
    assert by_patient == {first: DS.SENT, leaving: state, last: DS.SENT}


def test_the_same_patients_next_delivery_waits_for_the_record_of_the_one_before(
    world: Fixture,
) -> None:
    outbox, _, [ana] = overlapping(world, "a@example.com")
    outbox.enroll(ana, sequence="not-sure", first=planning.Planned(step_id="welcome", due_at=T0))
    result = world.batch()

    assert result.sent + result.count(V.SKIPPED) == 2
    journal = [what for what, _ in outbox.journal]
    # the second is read again after the first one's record, and decided on that
    assert journal[:5] == ["rechecks", "composed", "standing", "sent", "recheck"]
