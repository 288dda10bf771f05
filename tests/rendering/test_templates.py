"""Each template renders the seed content into HTML and a plain-text twin with the same content."""

from __future__ import annotations

import dataclasses
import re

import pytest
import rendering_seed as seed

from drip import content, errors, rendering, sequences

PLAN = seed.seed_plan()
STEPS = seed.all_steps(PLAN)
ADDRESS = "1200 Main Street, Suite 4, Springfield, IL 62701, USA"
NOT_ADVICE = "This email is general health information, not medical advice."


def _every(renderer: rendering.Renderer) -> list[rendering.RenderedStep]:
    return [renderer.step(cause, step) for cause, step in STEPS] + [renderer.confirmation()]


def test_every_step_renders_html_with_the_shared_layout(renderer: rendering.Renderer) -> None:
    for rendered in _every(renderer):
        html = rendered.html
        assert html.startswith("<!doctype html>")
        assert f"<title>{rendered.subject}</title>" in html
        hidden = re.search(r'<div style="display:none;[^"]*">([^<]*)</div>', html)
        assert hidden is not None and hidden.group(1) == rendered.preheader
        assert ">Winternheimer Chiropractic</div>" in html  # the header
        assert ADDRESS in html
        assert NOT_ADVICE in html
        assert '<a href="%%drip:unsubscribe%%">Unsubscribe</a>' in html
        assert '<a href="%%drip:preferences%%">Change your preferences</a>' in html
        assert 'class="drip-cta"' in html
        assert "fonts.googleapis.com" not in html  # no remote fonts: system fonts only


def test_every_text_part_has_the_footer_and_lists_its_links(
    renderer: rendering.Renderer,
) -> None:
    for rendered in _every(renderer):
        text = rendered.text
        assert text.startswith("%%drip:greeting%%\n\n")
        assert f"\n{ADDRESS}\n" in text
        assert NOT_ADVICE.rsplit(" ", 2)[0] in text
        assert "\nUnsubscribe: %%drip:unsubscribe%%\n" in text
        assert "\nLinks:\n[1] " in text
        assert all(len(line) <= 72 for line in text.splitlines() if "://" not in line)


def test_welcome_text_has_headings_paragraphs_and_the_booking_reference(
    renderer: rendering.Renderer,
) -> None:
    text = renderer.step("muscle-injury", "welcome").text
    assert "\n\nBack spasms\n===========\n\nThe structure of your lower back is extremely" in text
    assert "\n\nMuscle Injury\n=============\n\nLumbar muscle spasms may result from" in text
    assert "\nBook a visit: [1]\n\nLinks:\n[1] https://winternheimer-chiro.example/book\n" in text
    assert "“A muscle injury (strain from sport or work)”" in text  # the label, body only


def test_a_section_brings_its_items_as_subheadings(renderer: rendering.Renderer) -> None:
    rendered = renderer.step("lumbar-disc-disease", "treatments")
    assert "\n\nTreatments for Back Spasms\n==========================\n\nHeat and Ice\n---" in (
        rendered.text
    )
    assert "<h2>Treatments for Back Spasms</h2>" in rendered.html
    titles = re.findall(r"<h3>([^<]+)</h3>", rendered.html)
    assert titles == [
        "Heat and Ice",
        "Medications",
        "Rest",
        "Vertebroplasty/Kyphoplasty",
        "Functional Disc Rehydration",
    ]


def test_list_entries_become_ul_and_dashes(renderer: rendering.Renderer) -> None:
    rendered = renderer.step("muscle-injury", "closing")
    assert "<ul><li>a correct diagnosis</li><li>a plan made for you</li></ul>" in rendered.html
    assert "What helps most:\n\n- a correct diagnosis\n- a plan made for you\n" in rendered.text


def test_the_article_text_is_html_escaped(renderer: rendering.Renderer) -> None:
    html = renderer.step("lumbar-disc-disease", "welcome").html
    assert "(&quot;herniation&quot;)" in html or "(&#34;herniation&#34;)" in html


def test_confirmation_asks_to_confirm_and_says_why(renderer: rendering.Renderer) -> None:
    rendered = renderer.confirmation()
    assert rendered.subject == PLAN.confirmation_subject
    assert 'href="%%drip:confirm%%"' in rendered.html
    assert "Confirm my subscription</a>" in rendered.html
    assert "entered this address on our sign-up form" in rendered.html
    assert "Confirm my subscription: [1]" in rendered.text
    assert "\n[1] %%drip:confirm%%\n" in rendered.text
    assert "<h2>" not in rendered.html  # no article content before confirmation


def test_tip_counts_its_place_in_the_sequence(renderer: rendering.Renderer) -> None:
    text = renderer.step("muscle-injury", "rest").text
    assert "Here is your next tip on back spasms (3 of 4)." in text


def test_the_templates_name_the_plans_topic_and_never_back_spasms_otherwise(
    plan: sequences.Plan, article: content.Article
) -> None:
    knee = dataclasses.replace(plan, topic="knee pain")
    renderer = rendering.Renderer(plan=knee, article=article, templates=seed.TEMPLATES)
    confirm = renderer.confirmation()
    welcome = renderer.step("muscle-injury", "welcome")
    tip = renderer.step("muscle-injury", "rest")
    assert "receive tips on knee pain by email" in confirm.text
    assert confirm.preheader == "One click to confirm your tips on knee pain from " + (
        "Winternheimer Chiropractic."
    )
    assert "tips about knee pain, chosen for what you told us about your knee pain" in " ".join(
        welcome.text.split()
    )
    assert "Here is your next tip on knee pain (3 of 4)." in tip.text
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
