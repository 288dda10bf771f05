"""A step whose template runs away (time, memory, output), broken after `drip check`: the
dispatcher renders it as the daemon does (`letters.Letters` over a `Renderer`), retries that
delivery later with the template's line as its reason, and sends the rest of the batch."""

from __future__ import annotations

import shutil
from pathlib import Path

import memory_world
import pytest
from memory_world import KEY, committed

import runaways
from drip import rendering, store
from drip.service import dispatch, letters

V, DS = dispatch.Verdict, store.DeliveryState
# the first four of the issue, then one of each bound (tests/sequences takes them all)
RUNAWAYS = {
    name: runaways.RUNAWAYS[name]
    for name in ("range", "repeat", "power", "recursion", "str.center", "join", "indent",
                 "loops over a string")
}  # fmt: skip


@pytest.mark.parametrize("name", RUNAWAYS)
def test_a_runaway_step_is_retried_with_its_line_and_the_batch_goes_on(
    name: str, tmp_path: Path
) -> None:
    payload, message = RUNAWAYS[name]
    templates = Path(shutil.copytree(memory_world.ROOT / "templates" / "emails", tmp_path / "t"))
    line = runaways.with_payload(templates, payload)
    plan, committed_renderer = committed()
    renderer = rendering.Renderer(
        plan=plan, article=committed_renderer.article, templates=templates
    )
    world = memory_world.make()
    composer = letters.Letters(
        plan=plan, renderer=renderer, keys=(KEY,), base_url="https://tips.clinic.example"
    )
    world.patient("ana@example.com")
    assert world.batch().sent == 1  # her welcome, with the committed templates
    [_, due] = world.outbox.deliveries()
    assert due.step_id == "heat-and-ice"  # tip.mjml.j2: the broken one
    world.patient("ben@example.com")  # his welcome is due too
    now = due.due_at
    world.sender.sent.clear()
    result = world.batch(letters=composer, clock=lambda: now)
    assert (result.claimed, result.sent, result.count(V.RETRIED), result.halt) == (2, 1, 1, None)
    [message_sent] = world.sender.sent
    assert "ben@example.com" in message_sent["To"]
    [broken] = [d for d in world.outbox.deliveries() if d.last_error]
    assert (broken.state, broken.attempts, broken.due_at > now) == (DS.PENDING, 1, True)
    assert broken.last_error is not None
    assert f"tip.mjml.j2:{line}:" in broken.last_error and message in broken.last_error
