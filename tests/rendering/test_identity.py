"""Who the email is from and what the marketer wrote: logo or name, signature, reply line,
phone and website, accent, and a step's own lead, body and call to action, in both parts."""

from __future__ import annotations

import dataclasses

import rendering_seed as seed
from bs4 import BeautifulSoup

from drip import content, rendering, sequences

LOGO = sequences.Logo(url="https://winternheimer-chiro.example/logo.png", alt="W. Chiro", width=120)


def _render(
    plan: sequences.Plan, article: content.Article, **step: object
) -> rendering.RenderedStep:
    steps = list(plan.sequences["muscle-injury"].steps)
    steps[1] = dataclasses.replace(steps[1], **step)  # type: ignore[arg-type]
    changed = dataclasses.replace(
        plan,
        sequences={"muscle-injury": sequences.Sequence(cause="muscle-injury", steps=tuple(steps))},
    )
    renderer = rendering.Renderer(plan=changed, article=article, templates=seed.TEMPLATES)
    return renderer.step("muscle-injury", steps[1].id)


def _with_clinic(plan: sequences.Plan, **values: object) -> sequences.Plan:
    return dataclasses.replace(plan, clinic=dataclasses.replace(plan.clinic, **values))  # type: ignore[arg-type]


def test_without_identity_the_name_heads_and_the_author_signs(
    plan: sequences.Plan, article: content.Article
) -> None:
    rendered = _render(plan, article)
    soup = BeautifulSoup(rendered.html, "html.parser")
    assert soup.select_one(".drip-header") is not None and not soup("img")
    assert "Warm regards,\nDr. Jeff Winternheimer D.C.\n\n-- \n" in rendered.text
    assert "Just reply to this email if you have a question" in rendered.text  # reply_to is set
    assert not soup.select(".drip-contact")


def test_logo_signature_phone_website_and_accent_are_shown(
    plan: sequences.Plan, article: content.Article
) -> None:
    clinic = _with_clinic(
        plan,
        logo=LOGO,
        signature=sequences.Signature(name="Dr. Ana Lima", role="Physiotherapist"),
        phone="+1 (217) 555-0142",
        website="https://www.winternheimer-chiro.example/",
        accent="#7a1f3d",
        reply_to=None,
    )
    rendered = _render(clinic, article)
    soup = BeautifulSoup(rendered.html, "html.parser")
    [img] = soup("img")
    assert (img["src"], img["alt"], img["width"]) == (LOGO.url, "W. Chiro", "120")
    assert soup.select_one(".drip-header") is None
    links = {a.get_text(): a["href"] for a in soup.select(".drip-contact a")}
    assert links == {
        "+1 (217) 555-0142": "tel:+12175550142",
        "winternheimer-chiro.example": "https://www.winternheimer-chiro.example/",
    }
    assert "background:#7a1f3d" in str(
        soup.select_one(".drip-cta td") or soup.select_one(".drip-cta")
    )
    words = " ".join(rendered.text.split())
    assert "Warm regards, Dr. Ana Lima Physiotherapist -- " in words
    assert "Just reply" not in rendered.text  # no Reply-To: no promise that a reply is read


def test_a_steps_lead_body_and_cta_replace_the_templates(
    plan: sequences.Plan, article: content.Article
) -> None:
    rendered = _render(
        plan,
        article,
        lead="Cool it early, warm it later.",
        body="Ice for **15 minutes**, then [see how to wrap it](https://x.example/wrap).\n\n"
        "- a towel\n- a timer",
        cta=sequences.Cta(label="Ask us", url="https://winternheimer-chiro.example/ask"),
    )
    soup = BeautifulSoup(rendered.html, "html.parser")
    assert [h.get_text() for h in soup("h1")] == ["Heat and ice"]  # the content's title stays
    assert "Cool it early, warm it later." in soup.get_text()
    assert "Here is your next tip" not in soup.get_text()
    prose = soup.select(".drip-prose")
    assert str(prose[0].strong) == "<strong>15 minutes</strong>"
    link = prose[0].a
    assert link is not None and link["href"] == "https://x.example/wrap"
    assert [li.get_text() for li in prose[1]("li")] == ["a towel", "a timer"]
    assert "compresses" not in soup.get_text()  # the article's text is replaced
    cta = soup.select_one(".drip-cta a")
    assert cta is not None and (cta.get_text(strip=True), cta["href"]) == (
        "Ask us",
        "https://winternheimer-chiro.example/ask",
    )
    text = rendered.text
    assert "Ask us: [1]\n" in text and "\n[1] https://winternheimer-chiro.example/ask\n" in text
    assert "Ice for 15 minutes, then see how to wrap it [2].\n\n- a towel\n- a timer" in text
