"""Each template renders the seed content into HTML and a plain-text twin with the same content."""

from __future__ import annotations

import dataclasses

import pytest
import rendering_seed as seed
from bs4 import BeautifulSoup

from drip import content, errors, rendering, sequences

PLAN = seed.seed_plan()
STEPS = seed.all_steps(PLAN)
ADDRESS = "1200 Main Street, Suite 4, Springfield, IL 62701, USA"
NOT_ADVICE = (
    "This email is general health information, not medical advice, and does not replace an "
    "examination."
)


def _every(renderer: rendering.Renderer) -> list[rendering.RenderedStep]:
    return [renderer.step(cause, step) for cause, step in STEPS] + [renderer.confirmation()]


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_every_step_renders_html_with_the_shared_layout(renderer: rendering.Renderer) -> None:
    for rendered in _every(renderer):
        html = rendered.html
        assert html.lower().startswith("<!doctype html>")
        assert f"<title>{rendered.subject}</title>" in html
        hidden = _soup(html).select_one("div.drip-preheader")
        assert hidden is not None and hidden.get_text() == rendered.preheader
        assert "display:none" in str(hidden["style"]) and "color" not in str(hidden["style"])
        assert ">Winternheimer Chiropractic</div>" in html  # the header, without a logo
        assert ADDRESS in html
        assert NOT_ADVICE in html
        assert 'class="drip-cta"' in html
        assert "fonts.googleapis.com" not in html  # no remote fonts: system fonts only


def test_every_step_but_the_opt_in_has_unsubscribe_and_preferences_links(
    renderer: rendering.Renderer,
) -> None:
    for cause, step in STEPS:
        links = {a.get_text(): a["href"] for a in _soup(renderer.step(cause, step).html)("a")}
        assert links["Unsubscribe"] == "%%drip:unsubscribe%%"
        assert links["Change your preferences"] == "%%drip:preferences%%"
    confirm = renderer.confirmation()
    assert "%%drip:unsubscribe%%" not in confirm.html + confirm.text
    assert "%%drip:preferences%%" not in confirm.html + confirm.text


def test_every_text_part_has_the_footer_after_a_signature_separator(
    renderer: rendering.Renderer,
) -> None:
    for rendered in _every(renderer):
        text = rendered.text
        letter, _, signature = text.partition("\n-- \n")
        assert "%%drip:greeting%%\n\n" in letter
        assert "\nLinks:\n[1] " in letter
        assert f"\n{ADDRESS}\n" in signature
        assert NOT_ADVICE.rsplit(" ", 2)[0] in " ".join(signature.split())
        assert all(len(line) <= 72 for line in text.splitlines() if "://" not in line)
    for cause, step in STEPS:
        assert "\nUnsubscribe: %%drip:unsubscribe%%\n" in renderer.step(cause, step).text


def test_no_heading_or_paragraph_is_empty(renderer: rendering.Renderer) -> None:
    for rendered in _every(renderer):
        for element in _soup(rendered.html)(["h1", "h2", "h3", "p", "li"]):
            assert element.get_text(strip=True), f"an empty <{element.name}>"


def test_the_html_has_a_language_and_presentation_tables(renderer: rendering.Renderer) -> None:
    for rendered in _every(renderer):
        soup = _soup(rendered.html)
        assert soup.html is not None and soup.html["lang"] == "en"
        assert all(t.get("role") == "presentation" for t in soup("table"))


def test_welcome_text_has_a_headline_sentence_case_headings_and_the_booking_link(
    renderer: rendering.Renderer,
) -> None:
    text = renderer.step("muscle-injury", "welcome").text
    assert text.startswith("Your tips on back spasms start here\n=======")
    assert "\n\nBack spasms\n===========\n\nThe structure of your lower back is extremely" in text
    assert "\n\nMuscle injury\n=============\n\nLumbar muscle spasms may result from" in text
    assert "\nBook a visit: [1]\n" in text
    assert "\nLinks:\n[1] https://winternheimer-chiro.example/book\n" in text
    # The cause's label, in the body only, as words of a sentence.
    assert "may come from a muscle injury (strain from sport or work), so" in " ".join(text.split())


def test_the_not_sure_patient_is_told_what_they_said(
    plan: sequences.Plan, article: content.Article
) -> None:
    unsure = sequences.Cause(slug=sequences.NOT_SURE, label="I'm not sure")
    steps = plan.sequences["muscle-injury"].steps
    changed = dataclasses.replace(
        plan,
        causes=(*plan.causes, unsure),
        sequences={sequences.NOT_SURE: sequences.Sequence(cause=sequences.NOT_SURE, steps=steps)},
    )
    renderer = rendering.Renderer(plan=changed, article=article, templates=seed.TEMPLATES)
    rendered = renderer.step(sequences.NOT_SURE, "welcome")
    words = " ".join(rendered.text.split())
    assert "You told us you are not sure what is behind your back spasms, so we start" in words
    assert "I'm not sure" not in words and "not sure”" not in rendered.html


def test_a_section_brings_its_items_as_subheadings(renderer: rendering.Renderer) -> None:
    rendered = renderer.step("lumbar-disc-disease", "treatments")
    assert "\n\nHeat and ice\n------------\n\nThe use of hot" in rendered.text
    soup = _soup(rendered.html)
    assert [h.get_text() for h in soup("h1")] == ["Treatments for back spasms"]
    assert [h.get_text() for h in soup("h3")] == [
        "Heat and ice",
        "Medications",
        "Rest",
        "Vertebroplasty/kyphoplasty",
        "Functional disc rehydration",
    ]


def test_list_entries_become_ul_and_dashes(renderer: rendering.Renderer) -> None:
    rendered = renderer.step("muscle-injury", "closing")
    lists = _soup(rendered.html)("ul")
    assert [li.get_text() for li in lists[0]("li")] == [
        "a correct diagnosis",
        "a plan made for you",
    ]
    assert "What helps most:\n\n- a correct diagnosis\n- a plan made for you\n" in rendered.text


def test_the_article_text_is_html_escaped(plan: sequences.Plan, article: content.Article) -> None:
    intro = dataclasses.replace(article.sections[0], body='Ice <b onclick="x()">now</b> & rest')
    changed = dataclasses.replace(article, sections=(intro, *article.sections[1:]), _index={})
    renderer = rendering.Renderer(plan=plan, article=changed, templates=seed.TEMPLATES)
    html = renderer.step("lumbar-disc-disease", "welcome").html
    assert 'Ice &lt;b onclick="x()"&gt;now&lt;/b&gt; &amp; rest' in html
    assert "<b " not in html


def test_confirmation_asks_to_confirm_says_what_and_how_often_and_why(
    renderer: rendering.Renderer,
) -> None:
    rendered = renderer.confirmation()
    assert rendered.subject == PLAN.confirmation_subject
    soup = _soup(rendered.html)
    button, fallback = soup("a", href="%%drip:confirm%%")
    assert button.get_text(strip=True) == "Confirm my subscription"
    assert fallback.get_text() == "%%drip:confirm%%"  # the link itself, under the button
    assert fallback.parent is not None
    assert "Copy this link into your browser" in fallback.parent.get_text()
    words = " ".join(rendered.text.split())
    # The seed's sequences: 4 and 3 emails, over 8 and 5 days, mostly 3 days apart.
    assert "by email from Winternheimer Chiropractic: 3 to 4 short emails over about 8 days, " + (
        "one every 3 days or so."
    ) in words
    assert "entered this address on our sign-up form" in words
    assert "Confirm my subscription: [1]" in rendered.text
    assert "\n[1] %%drip:confirm%%\n" in rendered.text
    assert not soup("h2")  # no article content before confirmation


def test_a_tip_counts_the_tips_only(renderer: rendering.Renderer) -> None:
    # muscle-injury: welcome, heat-and-ice, rest, closing: two tips.
    assert renderer.step("muscle-injury", "heat-and-ice").text.startswith("Tip 1 of 2\n")
    rest = renderer.step("muscle-injury", "rest")
    assert rest.text.startswith("Tip 2 of 2\n\nRest\n====\n")
    eyebrow = _soup(rest.html).select_one(".drip-eyebrow")
    assert eyebrow is not None and eyebrow.get_text() == "Tip 2 of 2"
    # lumbar-disc-disease has one tip: no count at all.
    assert "Tip 1 of 1" not in renderer.step("lumbar-disc-disease", "treatments").text


def test_the_templates_name_the_plans_topic_and_never_back_spasms_otherwise(
    plan: sequences.Plan, article: content.Article
) -> None:
    knee = dataclasses.replace(plan, topic="knee pain")
    renderer = rendering.Renderer(plan=knee, article=article, templates=seed.TEMPLATES)
    confirm = renderer.confirmation()
    welcome = renderer.step("muscle-injury", "welcome")
    tip = renderer.step("muscle-injury", "rest")
    assert "you would like tips on knee pain by email" in " ".join(confirm.text.split())
    assert confirm.preheader == "One click to confirm your tips on knee pain from " + (
        "Winternheimer Chiropractic."
    )
    assert "You told us your knee pain may come from a muscle injury" in " ".join(
        welcome.text.split()
    )
    assert "Here is your next tip on knee pain." in tip.text
    assert "signed up for tips on knee pain from" in " ".join(tip.text.split())
    for rendered in (confirm, welcome, tip):
        template_words = rendered.text.replace(article.title, "")
        for part in ("back-care", "your back?", "your back,", "your back:"):
            assert part not in template_words
    assert "back spasms" not in confirm.text and "back spasms" not in confirm.html


def test_without_a_topic_the_emails_name_the_articles(renderer: rendering.Renderer) -> None:
    assert renderer.plan.topic == ""
    assert renderer.topic == "back spasms"


def test_subject_and_preheader_are_sandboxed_jinja(
    plan: sequences.Plan, article: content.Article
) -> None:
    step = dataclasses.replace(
        plan.sequences["muscle-injury"].steps[0],
        subject="{{ subscriber.first_name }}, your back: what is going on",
        preheader="From {{ clinic.name }}",
    )
    seq = sequences.Sequence(cause="muscle-injury", steps=(step,))
    changed = dataclasses.replace(plan, sequences={"muscle-injury": seq})
    renderer = rendering.Renderer(plan=changed, article=article, templates=seed.TEMPLATES)
    rendered = renderer.step("muscle-injury", "welcome")
    assert rendered.subject == "%%drip:first_name%%, your back: what is going on"
    assert rendered.preheader == "From Winternheimer Chiropractic"


def test_unknown_cause_or_step_is_not_found(renderer: rendering.Renderer) -> None:
    with pytest.raises(errors.NotFound, match="no step 'nope' in the 'muscle-injury'"):
        renderer.step("muscle-injury", "nope")
    with pytest.raises(errors.NotFound, match="no sequence for cause 'gout'"):
        renderer.step("gout", "welcome")
