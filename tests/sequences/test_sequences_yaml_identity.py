"""The clinic's identity and a step's own words in sequences.yaml; broken quotes and unknown
slugs reported where a person would fix them. Each case edits `valid.yaml` once."""

from __future__ import annotations

from pathlib import Path

import pytest

import seed_data
from drip import errors, sequences, sequences_yaml
from drip.sequences_yaml import _identity

VALID = (Path(__file__).parent / "valid.yaml").read_text(encoding="utf-8")
IDENTITY = """\
  logo:
    url: https://winternheimer-chiro.example/logo.png
    alt: Winternheimer Chiropractic
    width: 180
  phone: "+1 217 555 0100"
  website: https://winternheimer-chiro.example
  signature:
    name: Dr. Jeff Winternheimer
    role: Chiropractor
  accent: "#1F5F7A"
"""
STEP_WORDS = """\
        lead: >
          A strained muscle calms down
          faster when you cool it early.
        body: |
          Cool it **early**: 15 minutes.

          - a towel
        cta:
          label: Ask us about it
          url: https://winternheimer-chiro.example/ask
"""
HEAT_STEP = '        preheader: "Ice first, heat later"\n'
TIMEZONE = "  timezone: America/Chicago\n"


def edit(old: str, new: str, text: str = VALID) -> str:
    assert text.count(old) == 1, f"the edit must match exactly once: {old!r}"
    return text.replace(old, new)


def load(text: str) -> sequences.Plan:
    return sequences_yaml.load(text, file="sequences.yaml", article=seed_data.seed_article())


def problems(text: str) -> list[str]:
    with pytest.raises(errors.ContentError) as caught:
        load(text)
    return [str(p) for p in caught.value.problems]


def test_the_clinic_identity_and_a_steps_own_words_are_read() -> None:
    text = edit(TIMEZONE, TIMEZONE + IDENTITY)
    plan = load(edit(HEAT_STEP, HEAT_STEP + STEP_WORDS, text))
    clinic = plan.clinic
    assert clinic.logo == sequences.Logo(
        url="https://winternheimer-chiro.example/logo.png",
        alt="Winternheimer Chiropractic",
        width=180,
    )
    assert (clinic.phone, clinic.website, clinic.accent) == (
        "+1 217 555 0100",
        "https://winternheimer-chiro.example",
        "#1f5f7a",
    )
    assert clinic.signature == sequences.Signature(
        name="Dr. Jeff Winternheimer", role="Chiropractor"
    )
    step = plan.sequences["muscle-injury"].steps[1]
    assert step.lead == "A strained muscle calms down faster when you cool it early."
    assert step.body == "Cool it **early**: 15 minutes.\n\n- a towel"
    assert step.cta == sequences.Cta(
        label="Ask us about it", url="https://winternheimer-chiro.example/ask"
    )


def test_without_them_the_defaults_hold() -> None:
    plan = load(VALID)
    assert plan.clinic == seed_data.CLINIC
    assert (plan.clinic.logo, plan.clinic.signature, plan.clinic.accent) == (None, None, "#1f5f7a")
    step = plan.sequences["muscle-injury"].steps[1]
    assert (step.lead, step.body, step.cta) == ("", "", None)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            TIMEZONE,
            TIMEZONE + "  logo:\n    url: https://x.example/logo.png\n",
            '12:3: clinic.logo.alt: missing key "alt": add it (what the logo says, e.g. alt: '
            "Winternheimer Chiropractic)",
        ),
        (
            TIMEZONE,
            TIMEZONE + "  logo:\n    url: http://x.example/l.png\n    alt: X\n",
            '13:10: clinic.logo.url: "http://x.example/l.png" is not an https:// URL: write e.g. '
            "https://clinic.example/book (http:// is allowed only for localhost, while testing)",
        ),
        (
            TIMEZONE,
            TIMEZONE + "  logo:\n    url: https://x.example/l.png\n    alt: X\n    width: 900\n",
            "15:12: clinic.logo.width: the logo's width \"900\" is not a number of pixels from "
            "16 to 600: write e.g. width: 160",
        ),
        (
            TIMEZONE,
            TIMEZONE + "  phone: call us\n",
            '12:10: clinic.phone: "call us" is not a phone number: write it as patients dial '
            'it, e.g. phone: "+1 217 555 0100" (digits, spaces, +, -, brackets)',
        ),
        (
            TIMEZONE,
            TIMEZONE + '  accent: "#f5c518"\n',
            "12:11: clinic.accent: white text on #f5c518 has a contrast of 1.6:1, below 4.5:1: "
            "patients could not read the buttons; choose a darker colour (e.g. #1f5f7a)",
        ),
        (
            TIMEZONE,
            TIMEZONE + "  accent: teal\n",
            '12:11: clinic.accent: "teal" is not a colour: write it as "#rrggbb" in quotes, '
            'e.g. accent: "#1f5f7a"',
        ),
        (
            TIMEZONE,
            TIMEZONE + "  signature:\n    role: Chiropractor\n",
            '12:3: clinic.signature.name: missing key "name": add it (who signs the emails, '
            "e.g. name: Dr. Jeff Winternheimer)",
        ),
        (
            HEAT_STEP,
            HEAT_STEP + "        cta:\n          label: Book\n",
            '39:9: sequences.muscle-injury.steps[1].cta.url: missing key "url": add it (where '
            "the button leads, e.g. url: https://clinic.example/book)",
        ),
        (
            HEAT_STEP,
            HEAT_STEP + "        lead: |\n          One.\n\n          Two.\n",
            "39:15: sequences.muscle-injury.steps[1].lead: the lead is more than one paragraph: "
            "keep it to a sentence or two, and put longer text in the step's body",
        ),
    ],
    ids=[
        "logo-without-alt",
        "logo-over-http",
        "logo-too-wide",
        "phone-without-digits",
        "accent-too-light",
        "accent-not-a-colour",
        "signature-without-name",
        "cta-without-url",
        "lead-of-two-paragraphs",
    ],
)
def test_a_wrong_identity_or_step_value_is_reported_at_its_place(
    old: str, new: str, expected: str
) -> None:
    assert problems(edit(old, new)) == [f"sequences.yaml:{expected}"]


def test_contrast_is_the_wcag_ratio() -> None:
    assert _identity.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert _identity.contrast("#fff", "#ffffff") == pytest.approx(1.0)
    assert _identity.contrast("#1f5f7a", "#ffffff") == pytest.approx(7.06, abs=0.01)


SUBJECT = 'subject: "Heat or ice? What to use, and when"'


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            SUBJECT,
            'subject: "Heat or ice? What to use, and when',
            '37:18: YAML syntax error: the " that opens this value is not closed on this line: '
            'add " at the end of the value',
        ),
        (
            SUBJECT,
            "subject: 'Heat or ice? What to use, and when",
            "37:18: YAML syntax error: the ' that opens this value is not closed on this line: "
            "add ' at the end of the value",
        ),
        (
            'label: "I\'m not sure"',
            'label: "I\'m not sure',
            '24:12: YAML syntax error: the " that opens this value is not closed on this line: '
            'add " at the end of the value',
        ),
        (
            SUBJECT,
            'subject: "Heat or "ice"? What to use"',
            '37:18: YAML syntax error: this value has a " inside it, which ends the value '
            "early: write it as \\\" (or put the value in ' quotes)",
        ),
    ],
    ids=["double-quote-not-closed", "single-quote-not-closed", "last-label", "quote-inside"],
)
def test_a_broken_quote_is_reported_where_it_opens(old: str, new: str, expected: str) -> None:
    assert problems(edit(old, new)) == [f"sequences.yaml:{expected}"]


HEAT = "[back-spasms/treatments/heat-and-ice]"


@pytest.mark.parametrize(
    ("ref", "hint"),
    [
        ("back-spasms/treatments/ice", ' (did you mean "back-spasms/treatments/heat-and-ice"?)'),
        ("back-spasms/treatments/heat", ' (did you mean "back-spasms/treatments/heat-and-ice"?)'),
        ("back-spasms/rest", ' (did you mean "back-spasms/treatments/rest"?)'),
        ("back-spasms/treatment", ' (did you mean "back-spasms/treatments"?)'),
        (
            "back-spasms/treatments/yoga",
            ': the items of "back-spasms/treatments" are heat-and-ice, medications, rest, '
            "vertebroplasty-kyphoplasty, functional-disc-rehydration",
        ),
    ],
)
def test_an_unknown_slug_suggests_an_item_before_a_section(ref: str, hint: str) -> None:
    assert problems(edit(HEAT, f"[{ref}]")) == [
        f"sequences.yaml:39:19: sequences.muscle-injury.steps[1].content[0]: no section or "
        f'item "{ref}" in the article{hint}'
    ]
