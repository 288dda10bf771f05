"""The limits hold with the web app in several processes: two `drip serve` on one database
count one client's posts together (the counters are rows, not process memory)."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa
from drip_process import Served, ServedSite
from site_harness import SIGN_UP, form_token
from web_server import free_port

from drip.service import patients
from drip.store import models

pytestmark = pytest.mark.slow


def test_the_client_limit_holds_across_two_web_processes(served: ServedSite, tmp_path) -> None:
    port = free_port()
    with Served(served.env, port, tmp_path / "serve-second.log") as second:
        answers = []
        for n in range(patients.CLIENT_LIMIT + 1):  # one client, alternating between them
            url = (served.url, second.url)[n % 2]
            with httpx.Client(base_url=url, headers={"origin": url}, timeout=10) as browser:
                token = form_token(browser.get("/").text)
                fields = {**SIGN_UP, "email": f"p{n}@example.com", "form_token": token}
                answers.append(browser.post("/subscribe", data=fields))
    assert [a.status_code for a in answers] == [303] * patients.CLIENT_LIMIT + [429]
    assert 0 < int(answers[-1].headers["retry-after"]) <= 600
    assert "Too many requests" in answers[-1].text
    with served.db.engine.connect() as conn:
        counted = conn.execute(
            sa.select(models.RateLimitRow.hits).where(
                models.RateLimitRow.key == served.db.client_key("127.0.0.1")
            )
        ).scalar_one()
        people = conn.execute(sa.select(sa.func.count()).select_from(models.SubscriberRow))
        assert people.scalar_one() == patients.CLIENT_LIMIT
    assert counted == patients.CLIENT_LIMIT + 1
