"""sequences.yaml → Plan, and one located, actionable problem for each kind of mistake.

Every mistake is made by applying one edit to `valid.yaml`, a small but complete document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

import pytest

import seed_data
from drip import content, errors, sequences, sequences_yaml
from drip.sequences_yaml import _scalars as sequences_yaml_fields

VALID = (Path(__file__).parent / "valid.yaml").read_text(encoding="utf-8")
TEMPLATES = frozenset({"confirm.mjml.j2", "welcome.mjml.j2", "tip.mjml.j2", "closing.mjml.j2"})


def make_article() -> content.Article:
    """The article valid.yaml refers to: intro, one cause, one treatment, closing."""

    def section(key: str, role: content.Role, *items: str) -> content.Section:
        slug = f"back-spasms/{key}"
        return content.Section(
            slug=slug,
            title=key.title(),
            role=role,
            body="Some text.",
            items=tuple(
                content.Item(slug=f"{slug}/{content.slugify(t)}", title=t, body="More.")
                for t in items
            ),
        )

    return content.Article(
        slug="back-spasms",
        title="Causes & Treatments for Back Spasms",
        author=None,
        date=None,
        sections=(
            section("intro", content.Role.INTRO),
            section("causes", content.Role.CAUSES, "Muscle injury"),
            section("treatments", content.Role.TREATMENTS, "Heat and ice"),
            section("closing", content.Role.CLOSING),
        ),
    )


def edit(old: str, new: str, text: str = VALID) -> str:
    assert text.count(old) == 1, f"the edit must match exactly once: {old!r}"
    return text.replace(old, new)


def problems(text: str) -> list[str]:
    with pytest.raises(errors.ContentError) as caught:
        sequences_yaml.load(
            text, file="sequences.yaml", article=make_article(), templates=TEMPLATES
        )
    return [str(p) for p in caught.value.problems]


def test_the_valid_document_loads_into_the_plan_it_describes() -> None:
    plan = sequences_yaml.load(
        VALID, file="sequences.yaml", article=make_article(), templates=TEMPLATES
    )
    assert plan.article == "articles/back-spasms.txt"
    assert plan.clinic == seed_data.CLINIC
    assert plan.window == sequences.SendWindow(
        days=frozenset({0, 1, 2, 3, 4, 5}), start=time(8, 0), end=time(20, 0)
    )
    assert plan.on_cause_change is sequences.CauseChange.SWITCH
    assert (plan.confirmation_template, plan.confirmation_subject) == (
        "confirm.mjml.j2",
        "Please confirm: back-care tips from Winternheimer Chiropractic",
    )
    assert [c.slug for c in plan.causes] == ["muscle-injury", "not-sure"]
    assert plan.causes[1].label == "I'm not sure"
    assert list(plan.sequences) == ["muscle-injury", "not-sure"]
    muscle = plan.sequences["muscle-injury"]
    assert [(s.id, s.after) for s in muscle.steps] == [
        ("welcome", timedelta(0)),
        ("heat-and-ice", timedelta(days=2)),
        ("closing", timedelta(days=1, hours=12)),
    ]
    assert muscle.steps[1] == sequences.Step(
        id="heat-and-ice",
        after=timedelta(days=2),
        template="tip.mjml.j2",
        subject="Heat or ice? What to use, and when",
        preheader="Ice first, heat later",
        content=("back-spasms/treatments/heat-and-ice",),
    )
    assert plan.sequences["not-sure"].steps[0].content == (
        "back-spasms/intro",
        "back-spasms/causes",
    )


def test_without_article_and_templates_references_are_not_checked() -> None:
    text = edit("template: tip.mjml.j2", "template: nowhere.mjml.j2")
    text = edit("[back-spasms/closing]\n  not-sure:", "[elsewhere/closing]\n  not-sure:", text)
    plan = sequences_yaml.load(text, file="sequences.yaml")
    assert plan.sequences["muscle-injury"].steps[1].template == "nowhere.mjml.j2"
    assert plan.sequences["muscle-injury"].steps[2].content == ("elsewhere/closing",)


def test_optional_keys_take_their_defaults() -> None:
    text = edit('  days: [mon, tue, wed, thu, fri, sat]\n  start: "08:00"\n  end: "20:00"\n', "")
    text = edit("send_window:\n", "", text)
    text = edit("on_cause_change: switch\n", "", text)
    text = edit("  reply_to: frontdesk@winternheimer-chiro.example\n", "", text)
    text = edit('        preheader: "Start here"\n', "", text)
    plan = sequences_yaml.load(text, file="sequences.yaml")
    assert plan.window == sequences.SendWindow(
        days=frozenset(range(7)), start=time(8, 0), end=time(20, 0)
    )
    assert plan.on_cause_change is sequences.CauseChange.SWITCH
    assert plan.clinic.reply_to is None
    assert plan.sequences["not-sure"].steps[0].preheader == ""


@pytest.mark.parametrize(
    ("old", "new", "check"),
    [
        ("booking_url: https://winternheimer-chiro.example/book",
         "booking_url: http://localhost:8000/book",
         lambda p: p.clinic.booking_url == "http://localhost:8000/book"),
        ("base_url: https://tips.winternheimer-chiro.example",
         "base_url: https://tips.winternheimer-chiro.example/",
         lambda p: p.clinic.base_url == "https://tips.winternheimer-chiro.example"),
        ("from: \"Winternheimer Chiropractic <tips@winternheimer-chiro.example>\"",
         "from: tips@winternheimer-chiro.example",
         lambda p: p.clinic.from_address == "tips@winternheimer-chiro.example"),
        ("days: [mon, tue, wed, thu, fri, sat]", "days: [Monday, SUN]",
         lambda p: p.window.days == frozenset({0, 6})),
        ('start: "08:00"', "start: 7:30", lambda p: p.window.start == time(7, 30)),
        ('end: "20:00"', 'end: "24:00"', lambda p: p.window.end == time.max),
        ("on_cause_change: switch", "on_cause_change: restart",
         lambda p: p.on_cause_change is sequences.CauseChange.RESTART),
        ("after: 2d", "after: 0",
         lambda p: p.sequences["muscle-injury"].steps[1].after == timedelta(0)),
        ("after: 2d", "after: 1w2d3h4m",
         lambda p: p.sequences["muscle-injury"].steps[1].after
         == timedelta(days=9, hours=3, minutes=4)),
    ],
    ids=["http-localhost", "trailing-slash", "bare-from", "full-day-names", "h-mm", "end-of-day",
         "restart", "zero-delay", "combined-delay"],
)  # fmt: skip
def test_accepted_variants(old: str, new: str, check: object) -> None:
    plan = sequences_yaml.load(edit(old, new), file="sequences.yaml", article=make_article())
    assert callable(check) and check(plan)


@dataclass(frozen=True)
class Mistake:
    id: str
    text: str
    expected: list[tuple[int, int, str, str]]  # (line, column, where, message), in file order


MISTAKES = [
    Mistake(
        "preheader-names-the-cause",
        edit('"Why a strained muscle spasms', '"Muscle injury: why a strained muscle spasms'),
        [
            (
                32,
                20,
                "sequences.muscle-injury.steps[0].preheader",
                'the preheader names the cause "muscle-injury": preheaders show on lock screens '
                "and a patient's cause is health data; say it in the email's body instead",
            ),
        ],
    ),
    Mistake(
        "first-step-not-a-choice",
        edit('  end: "20:00"', '  end: "20:00"\n  first_step: now'),
        [
            (
                16,
                15,
                "send_window.first_step",
                '"now" is not in-window or at-once: in-window waits for the send window like '
                "every step, at-once sends the first step right after confirmation",
            ),
        ],
    ),
    Mistake(
        "subject-names-the-cause",
        edit(
            'subject: "Your back spasms: what is going on"', 'subject: "About your Muscle  Injury"'
        ),
        [
            (
                31,
                18,
                "sequences.muscle-injury.steps[0].subject",
                'the subject names the cause "muscle-injury": subjects are email headers and a '
                "patient's cause is health data; say it in the email's body instead",
            ),
        ],
    ),
    Mistake(
        "unknown-top-level-key",
        edit("on_cause_change: switch", "on_cause_chnage: switch"),
        [
            (
                16,
                1,
                "on_cause_chnage",
                'unknown key "on_cause_chnage" (did you mean "on_cause_change"?)',
            ),
        ],
    ),
    Mistake(
        "unknown-top-level-key-no-match",
        edit("version: 1", "version: 1\ncolour: blue"),
        [
            (
                3,
                1,
                "colour",
                'unknown key "colour": remove it (known: version, article, '
                "clinic, confirmation, causes, sequences, topic, send_window, "
                "on_cause_change)",
            ),
        ],
    ),
    Mistake(
        "unknown-clinic-key",
        edit("  reply_to: frontdesk", "  replyto: frontdesk"),
        [
            (7, 3, "clinic.replyto", 'unknown key "replyto" (did you mean "reply_to"?)'),
        ],
    ),
    Mistake(
        "unknown-window-key",
        edit('  end: "20:00"', '  end: "20:00"\n  zone: UTC'),
        [
            (
                16,
                3,
                "send_window.zone",
                'unknown key "zone": remove it (known: days, start, end, first_step)',
            ),
        ],
    ),
    Mistake(
        "unknown-step-key",
        edit('preheader: "Ice first', 'preheder: "Ice first'),
        [
            (
                38,
                9,
                "sequences.muscle-injury.steps[1].preheder",
                'unknown key "preheder" (did you mean "preheader"?)',
            ),
        ],
    ),
    Mistake(
        "missing-clinic-key",
        edit("  timezone: America/Chicago\n", ""),
        [
            (
                4,
                1,
                "clinic.timezone",
                'missing key "timezone": add it (e.g. timezone: America/Chicago)',
            ),
        ],
    ),
    Mistake(
        "missing-step-key",
        edit('        subject: "Heat or ice? What to use, and when"\n', ""),
        [
            (
                34,
                9,
                "sequences.muscle-injury.steps[1].subject",
                'missing key "subject": add it (the line patients see in their inbox)',
            ),
        ],
    ),
    Mistake(
        "missing-top-level-key",
        edit("article: articles/back-spasms.txt\n", ""),
        [
            (
                2,
                1,
                "article",
                'missing key "article": add it (e.g. article: articles/back-spasms.txt)',
            ),
        ],
    ),
    Mistake(
        "list-expected",
        edit(
            "content: [back-spasms/treatments/heat-and-ice]",
            "content: back-spasms/treatments/heat-and-ice",
        ),
        [
            (
                39,
                18,
                "sequences.muscle-injury.steps[1].content",
                "expected a list, got the text "
                '"back-spasms/treatments/heat-and-ice": write a list of slugs, '
                "e.g. [back-spasms/intro]",
            ),
        ],
    ),
    Mistake(
        "mapping-expected",
        VALID[: VALID.index("clinic:")]
        + "clinic:\n- Winternheimer\n"
        + VALID[VALID.index("send_") :],
        [(5, 1, "clinic", "expected a mapping (indented `key: value` lines), got a list")],
    ),
    Mistake(
        "text-expected",
        edit("  name: Winternheimer Chiropractic", "  name: [Winternheimer]"),
        [
            (5, 9, "clinic.name", "expected a text value, got a list: write it after the colon"),
        ],
    ),
    Mistake(
        "bad-version",
        edit("version: 1", "version: 2"),
        [
            (
                2,
                10,
                "version",
                'version "2" is not supported: this drip reads version 1 (write version: 1)',
            ),
        ],
    ),
    Mistake(
        "duplicate-step-id",
        edit("id: heat-and-ice", "id: welcome"),
        [
            (
                34,
                13,
                "sequences.muscle-injury.steps[1].id",
                'step id "welcome" is used twice in this sequence (first at line '
                "28): give each step its own id",
            ),
        ],
    ),
    Mistake(
        "empty-steps",
        VALID[: VALID.index("  not-sure:")] + "  not-sure:\n    steps: []\n",
        [
            (
                47,
                12,
                "sequences.not-sure.steps",
                "a sequence needs at least one step: add one under steps",
            ),
        ],
    ),
    Mistake(
        "step-id-not-slug",
        edit("id: heat-and-ice", "id: Heat and Ice"),
        [
            (
                34,
                13,
                "sequences.muscle-injury.steps[1].id",
                'step id "Heat and Ice" is not a slug: use lowercase letters, '
                'digits and hyphens, e.g. "heat-and-ice"',
            ),
        ],
    ),
    Mistake(
        "duration-typo",
        edit("after: 2d", "after: 3 dayz"),
        [
            (
                35,
                16,
                "sequences.muscle-injury.steps[1].after",
                '"3 dayz" is not a duration (use e.g. 3d, 36h, 90m)',
            ),
        ],
    ),
    Mistake(
        "duration-negative",
        edit("after: 2d", "after: -2d"),
        [
            (
                35,
                16,
                "sequences.muscle-injury.steps[1].after",
                '"-2d" is not a duration (use e.g. 3d, 36h, 90m)',
            ),
        ],
    ),
    Mistake(
        "duration-word",
        edit("after: 2d", "after: tomorrow"),
        [
            (
                35,
                16,
                "sequences.muscle-injury.steps[1].after",
                '"tomorrow" is not a duration (use e.g. 3d, 36h, 90m)',
            ),
        ],
    ),
    Mistake(
        "unknown-content",
        edit("[back-spasms/treatments/heat-and-ice]", "[back-spasms/treatments/heat-ice]"),
        [
            (
                39,
                19,
                "sequences.muscle-injury.steps[1].content[0]",
                'no section or item "back-spasms/treatments/heat-ice" in the '
                'article (did you mean "back-spasms/treatments/heat-and-ice"?)',
            ),
        ],
    ),
    Mistake(
        "unknown-content-no-match",
        edit("[back-spasms/treatments/heat-and-ice]", "[posture]"),
        [
            (
                39,
                19,
                "sequences.muscle-injury.steps[1].content[0]",
                'no section or item "posture" in the article: use a slug of the '
                'article, e.g. "back-spasms/intro"',
            ),
        ],
    ),
    Mistake(
        "unknown-template",
        edit("template: tip.mjml.j2", "template: tips.mjml.j2"),
        [
            (
                36,
                19,
                "sequences.muscle-injury.steps[1].template",
                'template "tips.mjml.j2" is not in templates/emails/: did you '
                'mean "tip.mjml.j2"? (available: closing.mjml.j2, '
                "confirm.mjml.j2, tip.mjml.j2, welcome.mjml.j2)",
            ),
        ],
    ),
    Mistake(
        "template-outside-folder",
        edit("template: tip.mjml.j2", "template: ../secrets.txt"),
        [
            (
                36,
                19,
                "sequences.muscle-injury.steps[1].template",
                '"../secrets.txt" leaves templates/emails/: write a file name such as tip.mjml.j2',
            ),
        ],
    ),
    Mistake(
        "unknown-time-zone",
        edit("timezone: America/Chicago", "timezone: Europe/Lisbn"),
        [
            (
                11,
                13,
                "clinic.timezone",
                'unknown time zone "Europe/Lisbn" (did you mean "Europe/Lisbon"?)',
            ),
        ],
    ),
    Mistake(
        "bad-day",
        edit("thu, fri, sat]", "thu, funday, sat]"),
        [
            (
                13,
                30,
                "send_window.days[4]",
                '"funday" is not a day: use mon, tue, wed, thu, fri, sat or sun',
            ),
        ],
    ),
    Mistake(
        "start-not-hh-mm",
        edit('start: "08:00"', "start: 8am"),
        [
            (
                14,
                10,
                "send_window.start",
                '"8am" is not a time: write 24-hour HH:MM, e.g. "08:00" '
                '("24:00": midnight, as an end)',
            ),
        ],
    ),
    Mistake(
        "end-not-hh-mm",
        edit('end: "20:00"', 'end: "25:00"'),
        [
            (
                15,
                8,
                "send_window.end",
                '"25:00" is not a time: write 24-hour HH:MM, e.g. "08:00" '
                '("24:00": midnight, as an end)',
            ),
        ],
    ),
    Mistake(
        "start-after-end",
        edit('end: "20:00"', 'end: "07:00"'),
        [
            (
                15,
                8,
                "send_window.end",
                "the window ends at 07:00, not after it starts (08:00): make end "
                "later than start (a window cannot cross midnight)",
            ),
        ],
    ),
    Mistake(
        "empty-days",
        edit("days: [mon, tue, wed, thu, fri, sat]", "days: []"),
        [
            (
                13,
                9,
                "send_window.days",
                "no sending days: list at least one, e.g. [mon, tue, wed, thu, fri]",
            ),
        ],
    ),
    Mistake(
        "sequence-for-undeclared-cause",
        edit("  not-sure:\n    steps:", "  not-sur:\n    steps:"),
        [
            (
                23,
                11,
                "causes[1].slug",
                'cause "not-sure" has no sequence: add sequences.not-sure with its steps',
            ),
            (
                46,
                3,
                "sequences.not-sur",
                'sequence for "not-sur", which is not a slug under causes (did '
                'you mean "not-sure"?): declare the cause under causes, or rename '
                "the sequence",
            ),
        ],
    ),
    Mistake(
        "declared-cause-without-sequence",
        edit(
            '    label: "I\'m not sure"',
            '    label: "I\'m not sure"\n  - slug: bone-encroachment\n    label: Bone encroachment',
        ),
        [
            (
                25,
                11,
                "causes[2].slug",
                'cause "bone-encroachment" has no sequence: add '
                "sequences.bone-encroachment with its steps",
            ),
        ],
    ),
    Mistake(
        "duplicate-cause",
        edit("  - slug: not-sure", "  - slug: muscle-injury"),
        [
            (
                23,
                11,
                "causes[1].slug",
                'cause "muscle-injury" is declared twice (first at line 21): keep only one',
            ),
            (
                46,
                3,
                "sequences.not-sure",
                'sequence for "not-sure", which is not a slug under causes: '
                "declare the cause under causes, or rename the sequence",
            ),
        ],
    ),
    Mistake(
        "cause-not-slug",
        edit("  - slug: not-sure\n", "  - slug: Not sure\n"),
        [
            (
                23,
                11,
                "causes[1].slug",
                'cause "Not sure" is not a slug: use lowercase letters, digits '
                'and hyphens, e.g. "not-sure"',
            ),
            (
                46,
                3,
                "sequences.not-sure",
                'sequence for "not-sure", which is not a slug under causes: '
                "declare the cause under causes, or rename the sequence",
            ),
        ],
    ),
    Mistake(
        "bad-from",
        edit("<tips@winternheimer-chiro.example>", "<tips at winternheimer>"),
        [
            (
                6,
                9,
                "clinic.from",
                '"Winternheimer Chiropractic <tips at winternheimer>" is not an '
                "email address (An email address must have an @-sign): write "
                'tips@clinic.example or "Clinic Name <tips@clinic.example>"',
            ),
        ],
    ),
    Mistake(
        "bad-reply-to",
        edit("reply_to: frontdesk@winternheimer-chiro.example", "reply_to: frontdesk"),
        [
            (
                7,
                13,
                "clinic.reply_to",
                '"frontdesk" is not an email address (An email address must have an '
                '@-sign): write tips@clinic.example or "Clinic Name <tips@clinic.example>"',
            ),
        ],
    ),
    Mistake(
        "base-url-http",
        edit("base_url: https://", "base_url: http://"),
        [
            (
                10,
                13,
                "clinic.base_url",
                '"http://tips.winternheimer-chiro.example" is not an https:// '
                "URL: write e.g. https://clinic.example/book (http:// is allowed "
                "only for localhost, while testing)",
            ),
        ],
    ),
    Mistake(
        "booking-url-no-scheme",
        edit("booking_url: https://", "booking_url: "),
        [
            (
                9,
                16,
                "clinic.booking_url",
                '"winternheimer-chiro.example/book" is not an https:// URL: write '
                "e.g. https://clinic.example/book (http:// is allowed only for "
                "localhost, while testing)",
            ),
        ],
    ),
    Mistake(
        "bad-on-cause-change",
        edit("on_cause_change: switch", "on_cause_change: swap"),
        [
            (
                16,
                18,
                "on_cause_change",
                '"swap" is not one of switch, restart, ignore: switch moves the '
                "patient to the new cause's sequence, restart starts it from the "
                "beginning, ignore keeps the current one",
            ),
        ],
    ),
    Mistake(
        "subject-newline",
        edit(
            'subject: "Heat or ice? What to use, and when"',
            'subject: "Heat or ice?\\nBcc: everyone@example.com"',
        ),
        [
            (
                37,
                18,
                "sequences.muscle-injury.steps[1].subject",
                'the subject "Heat or ice?\\nBcc: everyone@example.com" contains a '
                "line break: write it on one line (a line break in an email "
                "header would be refused)",
            ),
        ],
    ),
    Mistake(
        "subject-block-scalar",
        edit(
            'subject: "When to see us about your back"\n        preheader: "A short checklist"\n'
            "        content: [back-spasms/closing]\n  not-sure",
            "subject: |\n          When to see us\n        preheader: x\n"
            "        content: [back-spasms/closing]\n  not-sure",
        ),
        [
            (
                43,
                18,
                "sequences.muscle-injury.steps[2].subject",
                'the subject "When to see us\\n" contains a line break: write it '
                "on one line (a line break in an email header would be refused)",
            ),
        ],
    ),
    Mistake(
        "subject-empty",
        edit('subject: "Heat or ice? What to use, and when"', 'subject: ""'),
        [
            (
                37,
                18,
                "sequences.muscle-injury.steps[1].subject",
                "the subject is empty: write the line patients see in their inbox",
            ),
        ],
    ),
    Mistake(
        "subject-too-long",
        edit(
            'subject: "Heat or ice? What to use, and when"',
            'subject: "' + "x" * (sequences_yaml_fields.MAX_SUBJECT + 1) + '"',
        ),
        [
            (
                37,
                18,
                "sequences.muscle-injury.steps[1].subject",
                "the subject is 151 characters long: shorten it to 150 or fewer "
                "(phones show about the first 40)",
            ),
        ],
    ),
    Mistake(
        "confirmation-subject-missing-value",
        edit(
            '  subject: "Please confirm: back-care tips from Winternheimer Chiropractic"',
            "  subject:",
        ),
        [
            (
                19,
                3,
                "confirmation.subject",
                "expected a text value, got an empty value: write it after the colon",
            ),
        ],
    ),
    Mistake(
        "syntax-indentation",
        edit("  not-sure:\n    steps:", " not-sure:\n    steps:"),
        [
            (
                46,
                2,
                "YAML syntax error",
                "this line is indented differently from the lines above it: line "
                "up keys of the same mapping (and list items) with spaces",
            ),
        ],
    ),
    Mistake(
        "syntax-tab",
        edit('        preheader: "Ice first, heat later"', '\tpreheader: "Ice first, heat later"'),
        [
            (
                38,
                1,
                "YAML syntax error",
                "a tab character: indent with spaces, YAML does not allow tabs",
            ),
        ],
    ),
    Mistake(
        "syntax-colon-in-value",
        edit('subject: "Heat or ice? What to use, and when"', "subject: Heat: ice or not?"),
        [
            (
                37,
                22,
                "YAML syntax error",
                'unexpected ":" here: quote a value that contains ": " (subject: '
                '"Heat: or ice?"), or check the indentation of this line',
            ),
        ],
    ),
    Mistake(
        "syntax-unclosed-list",
        edit("[back-spasms/treatments/heat-and-ice]", "[back-spasms/treatments/heat-and-ice"),
        [
            (
                40,
                11,
                "YAML syntax error",
                'a [list] is not closed: add "]" or separate items with ", "',
            ),
        ],
    ),
    Mistake(
        "duplicate-top-level-key",
        edit("version: 1", "version: 1\nversion: 1"),
        [
            (3, 1, "version", 'duplicate key "version" (first at line 2): keep only one'),
        ],
    ),
    Mistake(
        "duplicate-step-key",
        edit(
            '        preheader: "Ice first, heat later"',
            '        preheader: "Ice first, heat later"\n        preheader: "Heat later"',
        ),
        [
            (
                39,
                9,
                "sequences.muscle-injury.steps[1].preheader",
                'duplicate key "preheader" (first at line 38): keep only one',
            ),
        ],
    ),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.id for m in MISTAKES])
def test_each_mistake_is_reported_at_its_place_with_advice(mistake: Mistake) -> None:
    expected = [
        f"sequences.yaml:{line}:{column}: {where}: {message}"
        for line, column, where, message in mistake.expected
    ]
    assert problems(mistake.text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "1:1: the file is empty: start with `version: 1` (or run drip generate)"),
        (
            "# only a comment\n",
            "1:1: the file is empty: start with `version: 1` (or run drip generate)",
        ),
        (
            "- version: 1\n- article: a.txt\n",
            "1:1: the file must be a mapping of keys (version, article, clinic, …), but it is "
            "a list: start with `version: 1`",
        ),
        (
            "version: 1\n---\nversion: 1\n",
            '2:1: YAML syntax error: a second document ("---"): keep a single document in the file',
        ),
    ],
    ids=["empty", "comments-only", "a-list", "two-documents"],
)
def test_a_file_that_is_not_a_mapping_is_one_problem(text: str, expected: str) -> None:
    assert problems(text) == [f"sequences.yaml:{expected}"]


def test_every_problem_is_listed_in_file_order() -> None:
    text = edit("after: 2d", "after: 3 dayz")
    text = edit("timezone: America/Chicago", "timezone: Europe/Lisbn", text)
    text = edit("template: tip.mjml.j2", "template: tips.mjml.j2", text)
    text = edit("on_cause_change: switch", "on_cause_change: swap", text)
    assert [p.split(": ")[0] for p in problems(text)] == [
        "sequences.yaml:11:13",
        "sequences.yaml:16:18",
        "sequences.yaml:35:16",
        "sequences.yaml:36:19",
    ]


def test_problems_carry_file_line_column_and_where() -> None:
    with pytest.raises(errors.ContentError) as caught:
        sequences_yaml.load(edit("after: 2d", "after: 3 dayz"), file="clinic/sequences.yaml")
    assert caught.value.problems == [
        errors.Problem(
            file="clinic/sequences.yaml",
            line=35,
            column=16,
            where="sequences.muscle-injury.steps[1].after",
            message='"3 dayz" is not a duration (use e.g. 3d, 36h, 90m)',
        )
    ]
    assert str(caught.value) == (
        "clinic/sequences.yaml:35:16: sequences.muscle-injury.steps[1].after: "
        '"3 dayz" is not a duration (use e.g. 3d, 36h, 90m)'
    )


def test_a_subject_of_exactly_the_limit_is_accepted() -> None:
    subject = "x" * sequences_yaml_fields.MAX_SUBJECT
    text = edit('subject: "Heat or ice? What to use, and when"', f'subject: "{subject}"')
    plan = sequences_yaml.load(text, file="sequences.yaml")
    assert plan.sequences["muscle-injury"].steps[1].subject == subject


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("article", sequences_yaml.Located(text="articles/back-spasms.txt", line=3, column=10)),
        ("clinic", sequences_yaml.Located(text=None, line=4, column=1)),
        ("sequences.muscle-injury.steps[1]", sequences_yaml.Located(text=None, line=34, column=9)),
        (
            "sequences.not-sure.steps[0].content[1]",
            sequences_yaml.Located(text="back-spasms/causes", line=55, column=13),
        ),
        ("sequences.muscle-injury.steps[3]", None),
        ("sequences.lumbar", None),
    ],
)
def test_locate_finds_where_a_value_is_written(
    where: str, expected: sequences_yaml.Located | None
) -> None:
    assert sequences_yaml.locate(VALID, where) == expected


def test_locate_in_broken_yaml_is_none() -> None:
    assert sequences_yaml.locate("a: [1\n", "a") is None


def test_merge_keys_share_values_and_explicit_keys_win() -> None:
    text = edit(
        "      - id: closing\n        after: 1d12h",
        "      - &closing\n        id: closing\n        after: 1d12h",
    )
    start = text.index("      - id: closing\n        after: 3d")
    text = text[:start] + "      - <<: *closing\n        after: 3d\n"
    plan = sequences_yaml.load(text, file="sequences.yaml", article=make_article())
    shared = plan.sequences["muscle-injury"].steps[2]
    assert plan.sequences["not-sure"].steps[1] == sequences.Step(
        id="closing",
        after=timedelta(days=3),
        template=shared.template,
        subject=shared.subject,
        preheader=shared.preheader,
        content=shared.content,
    )


def test_a_problem_in_a_merged_value_points_where_the_anchor_wrote_it() -> None:
    text = edit(
        "      - id: closing\n        after: 1d12h",
        "      - &closing\n        id: closing\n        after: 1d12h",
    )
    start = text.index("      - id: closing\n        after: 3d")
    text = (
        text[:start] + "      - <<: *closing\n        after: 3d\n      - <<: [1]\n        id: x\n"
    )
    text = edit('subject: "When to see us about your back"', 'subject: ""', text)
    step = "sequences.yaml:59:9: sequences.not-sure.steps[2]"
    assert problems(text) == [
        "sequences.yaml:44:18: sequences.muscle-injury.steps[2].subject: the subject is empty: "
        "write the line patients see in their inbox",
        "sequences.yaml:44:18: sequences.not-sure.steps[1].subject: the subject is empty: "
        "write the line patients see in their inbox",
        f'{step}.after: missing key "after": add it '
        "(the delay after the previous step, e.g. after: 2d)",
        f'{step}.template: missing key "template": add it '
        "(a file name in templates/emails/, e.g. template: tip.mjml.j2)",
        f'{step}.subject: missing key "subject": add it (the line patients see in their inbox)',
        "sequences.yaml:59:13: sequences.not-sure.steps[2].<<: << merges a mapping: "
        "write `<<: *name` for a mapping `&name`",
    ]


def test_the_topic_key_is_read_and_optional() -> None:
    text = edit("article: articles/back-spasms.txt\n",
                'article: articles/back-spasms.txt\ntopic: "knee pain"\n')  # fmt: skip
    plan = sequences_yaml.load(text, file="sequences.yaml", article=make_article())
    assert plan.topic == "knee pain"
    assert sequences_yaml.load(VALID, file="sequences.yaml").topic == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"' + "very " * 15 + 'long"', "the topic is 79 characters long: name the condition in"),
        ('"{{ cause }}"', "has a brace: write the condition's name as plain words"),
        ('""', "this is empty: write a value"),
        ('"knee\\npain"', "contains a line break: keep it on one line"),
    ],
)
def test_a_bad_topic_is_reported_at_its_place(value: str, message: str) -> None:
    text = edit("article: articles/back-spasms.txt\n",
                f"article: articles/back-spasms.txt\ntopic: {value}\n")  # fmt: skip
    (problem,) = problems(text)
    assert problem.startswith("sequences.yaml:4:8: topic: ")
    assert message in problem
