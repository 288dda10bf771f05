"""Each of `drip check`'s rules about a whole email, on a real project folder broken one way at
a time: the exact message, at the exact line, as a problem or as a warning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drip.cli import main
from drip.service import checking

ROOT = Path(__file__).resolve().parents[2]
SEQUENCES = Path("sequences.yaml")
TEMPLATES = Path("templates/emails")
# The committed file: four sequences of the same tips, so no subject tells a cause.
COMMITTED = (ROOT / "sequences.yaml").read_text(encoding="utf-8")
TIP = "templates/emails/tip.mjml.j2"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "articles").mkdir()
    shutil.copy(ROOT / "articles" / "back-spasms.txt", tmp_path / "articles")
    shutil.copytree(ROOT / "templates" / "emails", tmp_path / TEMPLATES)
    (tmp_path / SEQUENCES).write_text(COMMITTED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str, *, count: int = 1) -> int:
    """Replace `old` (found `count` times) by `new`; the 1-based line of the first."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} must occur {count} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def found() -> tuple[list[str], list[str]]:
    report = checking.check(sequences_path=SEQUENCES, templates_dir=TEMPLATES)
    warnings = [checking.format_human(report).splitlines()[len(report.problems) + i]
                for i in range(len(report.warnings))]  # fmt: skip
    return [str(p) for p in report.problems], warnings


def test_the_committed_project_is_clean(project: Path) -> None:
    assert found() == ([], [])


# -- the templates as written ------------------------------------------------------------------


def test_an_unknown_mjml_tag_is_a_problem_at_its_line(project: Path) -> None:
    line = edit(project / TIP, "{% block after %}", '{% block cta %}\n<mj-buton href="{{ cta.url }}">Book</mj-buton>\n{% endblock %}\n{% block after %}')  # noqa: E501
    problems, _ = found()
    assert problems == [
        f"{TIP}:{line + 1}:1: <mj-buton> is not an MJML component, and would be copied into the "
        "email as it is (its content lost in every mail client): did you mean <mj-button>?"
    ]


def test_an_unknown_mjml_attribute_is_a_problem_at_its_column(project: Path) -> None:
    line = edit(
        project / TEMPLATES / "base.mjml.j2",
        '<mj-section padding="20px 0 28px">',
        '<mj-section paddin="20px 0 28px">',
    )
    problems, _ = found()
    assert problems == [
        f"templates/emails/base.mjml.j2:{line}:17: <mj-section> has no attribute 'paddin', so "
        "MJML ignores it: did you mean padding?"
    ]


def test_an_image_without_alt_is_a_problem(project: Path) -> None:
    line = edit(project / TIP, "{% block after %}", '{% block cta %}\n<mj-image src="https://x.example/a.png" />\n{{ super() }}\n{% endblock %}\n{% block after %}')  # noqa: E501
    problems, _ = found()
    assert problems == [
        f"{TIP}:{line + 1}:1: <mj-image> has no alt text: add alt=\"…\" saying what the image "
        "shows (mail clients that block images, and screen readers, show only that)"
    ]


def test_a_plain_http_link_in_a_template_is_a_problem(project: Path) -> None:
    line = edit(
        project / TEMPLATES / "closing.mjml.j2",
        "If you still have",
        '<a href="http://winternheimer-chiro.example/faq">FAQ</a> If you still have',
    )
    problems, _ = found()
    assert problems == [
        f"templates/emails/closing.mjml.j2:{line}:10: the link 'http://winternheimer-chiro."
        "example/faq' is not https: write https://… (mail clients and spam filters distrust "
        "plain http links)"
    ]


# -- what every email carries -----------------------------------------------------------------


def test_an_email_without_the_unsubscribe_link_is_a_problem_of_its_template(project: Path) -> None:
    (project / TEMPLATES / "tip.mjml.j2").write_text(
        (project / TEMPLATES / "tip.mjml.j2").read_text(encoding="utf-8")
        + "{% block footer_links %}{% endblock %}\n",
        encoding="utf-8",
    )
    problems, _ = found()
    assert problems == [
        f"{TIP}:1:1: the email's HTML part has no unsubscribe link ({{{{ links.unsubscribe }}}}): "
        "extend base.mjml.j2 (and base.txt.j2), whose footer has it, or write it into this "
        "template (rendering sequences.muscle-injury.steps[1] (heat-and-ice), "
        "sequences.muscle-injury.steps[2] (rest), sequences.muscle-injury.steps[3] "
        "(medications) and 17 more)"
    ]


def test_an_email_without_the_address_or_the_note_is_a_problem(project: Path) -> None:
    base = project / TEMPLATES / "base.txt.j2"
    edit(base, "{{ clinic.postal_address | wrap }}\n", "")
    edit(base, 'not medical advice, and does not replace an examination. ', "")
    problems, _ = found()
    lacking = [
        "postal address ({{ clinic.postal_address }})",
        '"not medical advice" note',
    ]
    assert [p.split(" (rendering")[0] for p in problems] == [
        f"templates/emails/{name}.txt.j2:1:1: the email's text part has no {what}: extend "
        "base.mjml.j2 (and base.txt.j2), whose footer has it, or write it into this template"
        for name in ("closing", "confirm", "tip", "welcome")
        for what in lacking
    ]


# -- sequences.yaml, once loaded --------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "reads"),
    [
        ("{{ subscriber.first_name }}, tip 2: rest", 'reads ", tip 2: rest"'),
        ("{{ subscriber.first_name }}", "is empty"),
    ],
)
def test_a_subject_that_reads_badly_without_a_first_name_is_a_problem(
    project: Path, written: str, reads: str
) -> None:
    line = edit(project / SEQUENCES, '"Back spasms: rest"', f'"{written}"', count=4)
    problems, _ = found()
    assert problems[0] == (
        f"sequences.yaml:{line}:18: sequences.muscle-injury.steps[2].subject: for a patient "
        f"with no first name the subject {reads}: write it so that it reads well without the "
        "name (the greeting in the email uses it), e.g. put {{ subscriber.first_name }} after "
        "the words, not before them (rendering sequences.muscle-injury.steps[2] (rest))"
    )
    assert len(problems) == 4  # one per sequence that sends it


def test_a_preheader_that_reads_badly_without_a_first_name_is_a_problem(project: Path) -> None:
    old = '"Rest may be helpful for some who suffer from back spasms, but not for others."'
    line = edit(project / SEQUENCES, old, '"{{ subscriber.first_name }}: rest, or not?"', count=4)
    problems, _ = found()
    assert problems[0].startswith(
        f"sequences.yaml:{line}:20: sequences.muscle-injury.steps[2].preheader: for a patient "
        'with no first name the preheader reads ": rest, or not?": '
    )


def test_the_placeholders_of_drip_generate_are_problems(project: Path) -> None:
    line = edit(project / SEQUENCES, '"1200 Main Street, Suite 4, Springfield, IL 62701, USA"',
                '"Street, City, Postcode, Country"')  # fmt: skip
    edit(project / SEQUENCES, '  name: "Winternheimer Chiropractic"', '  name: "Your Clinic"')
    problems, _ = found()
    assert problems == [
        f'sequences.yaml:{line - 3}:9: clinic.name: "Your Clinic" is the placeholder drip '
        "generate writes: put your clinic's name here before any email goes out",
        f'sequences.yaml:{line}:19: clinic.postal_address: "Street, City, Postcode, Country" is '
        "the placeholder drip generate writes: put your clinic's street address (the law "
        "requires a real one) here before any email goes out",
    ]


def test_a_step_with_no_content_is_a_problem(project: Path) -> None:
    line = edit(project / SEQUENCES, "        content: [back-spasms/treatments/rest]\n", "",
                count=4)  # fmt: skip
    problems, _ = found()
    assert problems[0] == (
        f"sequences.yaml:{line - 6}:9: sequences.muscle-injury.steps[2]: the step shows no "
        "content: list the parts of the article it carries under content: (drip ingest lists "
        "the slugs), or write its text under body:"
    )


def test_an_http_link_in_a_steps_body_is_a_problem_at_the_body(project: Path) -> None:
    line = edit(
        project / SEQUENCES,
        "        content: [back-spasms/treatments/rest]\n",
        "        content: [back-spasms/treatments/rest]\n"
        "        body: Rest a day, then [walk](http://clinic.example/walk).\n",
        count=4,
    )
    problems, _ = found()
    assert problems[0] == (
        f"sequences.yaml:{line + 1}:15: sequences.muscle-injury.steps[2].body: the link "
        "'http://clinic.example/walk' is not https: write https://… (mail clients and spam "
        "filters distrust plain http links) (rendering sequences.muscle-injury.steps[2] (rest))"
    )


def test_a_long_subject_and_a_missing_preheader_are_warnings(project: Path) -> None:
    long = "Back spasms: rest, and why a day on the sofa helps while a week in bed does not!"
    line = edit(project / SEQUENCES, '"Back spasms: rest"', f'"{long}"', count=4)
    edit(project / SEQUENCES, '        preheader: "These compresses should be applied as soon as '
         'possible after an injury."\n', "", count=4)  # fmt: skip
    problems, warnings = found()
    assert problems == []
    assert warnings[0] == (
        "sequences.yaml:91:9: warning: sequences.muscle-injury.steps[1]: the step has no "
        "preheader: inboxes then show the email's first words (the clinic's name, \"Hi Sam,\") "
        "after the subject; add preheader: with one sentence that says what the email gives"
    )
    assert warnings[1] == (
        f"sequences.yaml:{line - 1}:18: warning: sequences.muscle-injury.steps[2].subject: the "
        "subject is 80 characters long: phones show about the first 40, and a header line over "
        "78 gets folded by mail servers; shorten it to 78 or fewer"
    )
    assert len(warnings) == 8


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (
            "30m",
            "after: 30m sends this step less than an hour after the one before: patients get two "
            "emails at once; wait an hour at least (e.g. 1d)",
        ),
        (
            "13w",
            "after: 13w waits more than 90 days: patients forget they signed up and report the "
            "email as spam; send it sooner",
        ),
    ],
)
def test_a_delay_under_an_hour_or_over_90_days_is_a_warning(
    project: Path, after: str, message: str
) -> None:
    text = (project / SEQUENCES).read_text(encoding="utf-8")
    start = text.index("      - id: rest")
    at = text.index("after: 2d", start)
    (project / SEQUENCES).write_text(text[:at] + f"after: {after}" + text[at + 9 :], "utf-8")
    line = text[:at].count("\n") + 1
    problems, warnings = found()
    assert (problems, warnings) == (
        [],
        [f"sequences.yaml:{line}:16: warning: sequences.muscle-injury.steps[2].after: {message}"],
    )


def test_the_first_step_may_go_at_once(project: Path) -> None:
    assert "after: 0m" in COMMITTED  # the welcome, right after confirming: no warning
    assert found() == ([], [])


def test_a_subject_only_one_causes_sequence_sends_is_a_warning(project: Path) -> None:
    text = (project / SEQUENCES).read_text(encoding="utf-8")
    at = text.index('"Back spasms: rest"')
    (project / SEQUENCES).write_text(
        text[:at] + '"Rest, for a strained muscle"' + text[at + len('"Back spasms: rest"') :],
        "utf-8",
    )
    _, warnings = found()
    assert warnings == [
        f"sequences.yaml:{text[:at].count(chr(10)) + 1}:18: warning: sequences.muscle-injury."
        'steps[2].subject: only the "muscle-injury" sequence sends this subject, so it tells '
        "everyone who sees it (mail servers, a lock screen) the patient's cause: use the same "
        "subject wherever this content is sent, or one that does not depend on the cause"
    ]


# -- the command ------------------------------------------------------------------------------


def test_drip_check_takes_the_file_and_fails_on_warnings_only_when_strict(project: Path) -> None:
    other = project / "other.yaml"
    other.write_text(COMMITTED.replace('"Back spasms: rest"', '"Rest, for a strain"', 1), "utf-8")
    runner = CliRunner()
    lenient = runner.invoke(main, ["check", "other.yaml"])
    assert lenient.exit_code == 0, lenient.output
    assert "other.yaml:" in lenient.output and ": warning: " in lenient.output
    assert lenient.output.splitlines()[-1] == (
        "checked 4 sequences, 28 steps and the opt-in email, all rendered: 0 problems, 1 warning"
    )
    strict = runner.invoke(main, ["check", "other.yaml", "--strict"])
    assert strict.exit_code == 1
    clean = runner.invoke(main, ["check", "--strict"])
    assert clean.exit_code == 0, clean.output


def test_an_image_in_a_steps_body_is_a_problem_at_the_body(project: Path) -> None:
    line = edit(
        project / SEQUENCES,
        "        content: [back-spasms/treatments/rest]\n",
        "        content: [back-spasms/treatments/rest]\n"
        "        body: \"Rest a day. ![A sofa](https://clinic.example/sofa.png)\"\n",
        count=4,
    )
    problems, _ = found()
    assert problems[0] == (
        f"sequences.yaml:{line + 1}:15: sequences.muscle-injury.steps[2].body: a step's body "
        "shows no images (![…](…)): many mail clients block them; describe it in words, or put "
        "the image in a template with its alt text (rendering sequences.muscle-injury.steps[2] "
        "(rest))"
    )
