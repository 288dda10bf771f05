"""`drip check` end to end on a real project folder: sequences.yaml, the seed article and the
real email templates, copied to a temporary directory and then broken one way at a time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drip import errors, generate, ingest
from drip.service import checking

ROOT = Path(__file__).resolve().parents[2]
VALID = (
    (Path(__file__).parent / "valid.yaml")
    .read_text(encoding="utf-8")
    # One welcome for every cause: a subject or preheader of one cause's only is a warning.
    .replace('"Back spasms: the usual causes"', '"Your back spasms: what is going on"')
    .replace('"Start here"', '"Why a strained muscle spasms, and what helps first"')
)
HEAT_ONLY = (
    'only the "muscle-injury" sequence sends this {field}, so it tells everyone who sees it '
    "(mail servers, a lock screen) the patient's cause: use the same {field} wherever this "
    "content is sent, or one that does not depend on the cause"
)
SEQUENCES = Path("sequences.yaml")
TEMPLATES = Path("templates/emails")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clinic's folder, as the CLI sees it: paths relative to the working directory."""
    (tmp_path / "articles").mkdir()
    shutil.copy(ROOT / "articles" / "back-spasms.txt", tmp_path / "articles")
    shutil.copytree(ROOT / "templates" / "emails", tmp_path / TEMPLATES)
    (tmp_path / SEQUENCES).write_text(VALID, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run() -> checking.CheckReport:
    return checking.check(sequences_path=SEQUENCES, templates_dir=TEMPLATES)


def replace_in(path: Path, old: str, new: str) -> int:
    """Edit a file in place; the 1-based line where `new` starts."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_a_clean_project_renders_every_step(project: Path) -> None:
    report = run()
    assert report.problems == []
    assert report.ok and not report.passed(strict=True)
    assert (report.sequences, report.steps, report.steps_rendered) == (2, 5, 5)
    # Heat and ice is sent to muscle-injury patients only: its subject and preheader say so.
    assert checking.format_human(report).splitlines() == [
        "sequences.yaml:37:18: warning: sequences.muscle-injury.steps[1].subject: "
        + HEAT_ONLY.format(field="subject"),
        "sequences.yaml:38:20: warning: sequences.muscle-injury.steps[1].preheader: "
        + HEAT_ONLY.format(field="preheader"),
        "checked 2 sequences, 5 steps and the opt-in email, all rendered: 0 problems, 2 warnings",
    ]
    data = json.loads(checking.format_json(report))
    assert data["ok"] is True and data["problems"] == []
    assert [(w["line"], w["where"]) for w in data["warnings"]] == [
        (37, "sequences.muscle-injury.steps[1].subject"),
        (38, "sequences.muscle-injury.steps[1].preheader"),
    ]
    assert (data["sequences"], data["steps"], data["steps_rendered"]) == (2, 5, 5)
    assert data["checked"] == {"sequences_yaml": True, "templates": True, "emails": True}


def test_sequences_yaml_problems_are_reported_and_nothing_is_rendered(project: Path) -> None:
    replace_in(project / SEQUENCES, "after: 2d", "after: 3 dayz")
    replace_in(project / SEQUENCES, "template: tip.mjml.j2", "template: tips.mjml.j2")
    report = run()
    assert [str(p) for p in report.problems] == [
        "sequences.yaml:35:16: sequences.muscle-injury.steps[1].after: "
        '"3 dayz" is not a duration (use e.g. 3d, 36h, 90m)',
        "sequences.yaml:36:19: sequences.muscle-injury.steps[1].template: "
        'template "tips.mjml.j2" is not in templates/emails/: did you mean "tip.mjml.j2"? '
        "(available: base.mjml.j2, base.txt.j2, closing.mjml.j2, closing.txt.j2, "
        "confirm.mjml.j2, confirm.txt.j2, tip.mjml.j2, tip.txt.j2, welcome.mjml.j2, "
        "welcome.txt.j2)",
    ]
    assert (report.sequences, report.steps, report.steps_rendered) == (0, 0, 0)
    assert checking.format_human(report).splitlines()[-1] == (
        "checked sequences.yaml only: 2 problems, 0 warnings; the templates and the emails were "
        "not checked (they are once sequences.yaml loads)"
    )
    data = json.loads(checking.format_json(report))
    assert data["ok"] is False
    assert data["checked"] == {"sequences_yaml": True, "templates": False, "emails": False}
    assert data["problems"][0] == {
        "file": "sequences.yaml",
        "line": 35,
        "column": 16,
        "where": "sequences.muscle-injury.steps[1].after",
        "message": '"3 dayz" is not a duration (use e.g. 3d, 36h, 90m)',
    }


def test_content_slugs_are_checked_against_the_article_read_from_disk(project: Path) -> None:
    replace_in(project / SEQUENCES, "[back-spasms/treatments/heat-and-ice]", "[back-spasms/rest]")
    assert [str(p) for p in run().problems] == [
        "sequences.yaml:39:19: sequences.muscle-injury.steps[1].content[0]: no section or item "
        '"back-spasms/rest" in the article (did you mean "back-spasms/treatments/rest"?)'
    ]


def test_an_undefined_variable_names_the_template_line_and_the_step(project: Path) -> None:
    line = replace_in(
        project / TEMPLATES / "tip.mjml.j2",
        "{% block after %}\n",
        "{% block after %}\n<p>{{ patient_name }}</p>\n",
    )
    report = run()
    assert [str(p) for p in report.problems] == [
        f"templates/emails/tip.mjml.j2:{line + 1}:1: {{{{ patient_name }}}} is not a value drip "
        "provides: check the "
        "spelling, or guard it with {% if … is defined %} "
        "(rendering sequences.muscle-injury.steps[1] (heat-and-ice))"
    ]
    assert (report.steps, report.steps_rendered) == (5, 4)
    assert checking.format_human(report).splitlines()[-1] == (
        "checked 2 sequences, 5 steps and the opt-in email, 4 of 5 steps rendered: 1 problem, "
        "2 warnings"
    )


def test_a_jinja_syntax_error_is_one_problem_naming_every_step_it_breaks(project: Path) -> None:
    line = replace_in(
        project / TEMPLATES / "closing.mjml.j2",
        "{% block after %}\n",
        "{% block after %}\n{% if booking_url %}<p>Book</p>\n",
    )
    report = run()
    assert len(report.problems) == 1
    problem = report.problems[0]
    # Jinja notices the missing {% endif %} at the {% endblock %} two lines below the {% if %}.
    assert (problem.file, problem.line, problem.column) == (
        "templates/emails/closing.mjml.j2",
        line + 3,
        1,
    )
    assert problem.message.endswith(
        ": fix the Jinja syntax on this line ({{ value }}, {% tag %} … {% endtag %}) "
        "(rendering sequences.muscle-injury.steps[2] (closing), "
        "sequences.not-sure.steps[1] (closing))"
    )
    assert "endif" in problem.message
    assert report.steps_rendered == 3


def test_invalid_mjml_names_the_template_line_and_the_step(project: Path) -> None:
    line = replace_in(
        project / TEMPLATES / "tip.mjml.j2",
        "{% block after %}\n",
        "{% block cta %}\n<mj-section>\n{{ super() }}\n{% endblock %}\n{% block after %}\n",
    )
    report = run()
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.file, problem.line) == ("templates/emails/tip.mjml.j2", line + 1)
    assert problem.message.startswith("invalid MJML: ")
    assert problem.message.endswith(
        ": fix the MJML markup (every <mj-…> tag closed, inside <mj-body>) "
        "(rendering sequences.muscle-injury.steps[1] (heat-and-ice))"
    )


def test_a_broken_confirmation_template_is_reported(project: Path) -> None:
    line = replace_in(
        project / TEMPLATES / "confirm.mjml.j2", "{% block lead %}\n", "{% block lead %}\n{{ x }}\n"
    )
    [problem] = run().problems
    assert str(problem) == (
        f"templates/emails/confirm.mjml.j2:{line + 1}:1: {{{{ x }}}} is not a value drip provides: "
        "check the spelling, "
        "or guard it with {% if … is defined %} (rendering confirmation)"
    )


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "Heat or ice, {{ subscriber.nickname }}?",
            "{{ subscriber.nickname }} is not a value drip provides: did you mean "
            "subscriber.first_name?",
        ),
        (
            "Heat or ice, {{ first_nam }}?",
            "{{ first_nam }} is not a value drip provides: did you mean subscriber.first_name?",
        ),
        (
            "Heat or ice for your {{ cause.label }}?",
            "{{ cause.label }} is not available in a subject or preheader: both show on lock "
            "screens and the subject is an email header, so they never name the patient's cause "
            "or the content; say it in the email's body",
        ),
    ],
    ids=["unknown-attribute", "unknown-name", "the-cause"],
)
def test_an_undefined_variable_in_a_subject_is_reported_at_the_subject_with_a_suggestion(
    project: Path, written: str, message: str
) -> None:
    line = replace_in(project / SEQUENCES, '"Heat or ice? What to use, and when"', f'"{written}"')
    assert [str(p) for p in run().problems] == [
        f"sequences.yaml:{line}:18: sequences.muscle-injury.steps[1].subject: {message} "
        "(rendering sequences.muscle-injury.steps[1] (heat-and-ice))"
    ]


def test_an_unreadable_article_is_reported_at_the_article_key(project: Path) -> None:
    replace_in(project / SEQUENCES, "articles/back-spasms.txt", "articles/back-spasm.txt")
    report = run()
    assert [str(p) for p in report.problems] == [
        "sequences.yaml:3:10: article: articles/back-spasm.txt: cannot read the article: "
        "No such file or directory (the path is relative to sequences.yaml)"
    ]


def test_the_article_path_can_be_given(project: Path) -> None:
    shutil.move(project / "articles" / "back-spasms.txt", project / "back-spasms.txt")
    report = checking.check(
        sequences_path=SEQUENCES, templates_dir=TEMPLATES, article_path=Path("back-spasms.txt")
    )
    assert report.problems == []
    assert report.steps_rendered == 5


def test_a_missing_templates_folder_is_one_problem(project: Path) -> None:
    shutil.rmtree(project / TEMPLATES)
    assert [str(p) for p in run().problems] == [
        "templates/emails:1:1: the templates folder does not exist: create it, or point "
        "DRIP_TEMPLATES at the folder that holds the email templates"
    ]


def test_a_missing_sequences_file_is_a_problem_not_a_traceback(project: Path) -> None:
    (project / SEQUENCES).unlink()
    report = run()
    assert report.problems == [
        errors.Problem(
            file="sequences.yaml",
            line=1,
            column=1,
            where="",
            message="cannot read it (No such file or directory): give the right path, "
            "or write one with drip generate",
        )
    ]
    assert not report.ok


def test_the_proposal_for_the_seed_article_checks_clean_but_for_its_placeholders(
    project: Path,
) -> None:
    article = ingest.read_article(Path("articles/back-spasms.txt"))
    text = generate.propose(article, article_path="articles/back-spasms.txt", clinic=None)
    (project / SEQUENCES).write_text(text, encoding="utf-8")
    report = run()
    placeholder = "is the placeholder drip generate writes: put"
    assert [str(p).split(placeholder)[0] for p in report.problems] == [
        'sequences.yaml:45:9: clinic.name: "Your Clinic" ',
        'sequences.yaml:46:9: clinic.from: "Your Clinic <tips@clinic.example>" ',
        'sequences.yaml:48:19: clinic.postal_address: "Street, City, Postcode, Country" ',
        'sequences.yaml:49:16: clinic.booking_url: "https://clinic.example/book" ',
        'sequences.yaml:50:13: clinic.base_url: "https://tips.clinic.example" ',
    ]
    assert report.problems[2].message == (
        '"Street, City, Postcode, Country" is the placeholder drip generate writes: put your '
        "clinic's street address (the law requires a real one) here before any email goes out"
    )
    assert report.warnings == []  # no subject or preheader tells the cause
    assert report.sequences == 4
    assert report.steps_rendered == report.steps > 4
