"""Template failures become RenderErrors naming the template file and line; steps render once."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import jinja2
import mjml
import pytest
import rendering_seed as seed

from drip import content, errors, rendering, sequences
from drip.rendering import compiler

# The "heat-and-ice" step of the seed plan uses tip.mjml.j2; these break that template.
GOOD_TIP = (seed.TEMPLATES / "tip.mjml.j2").read_text(encoding="utf-8")


@pytest.fixture
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the real templates, outside the working directory (so that messages
    show its absolute path)."""
    return Path(shutil.copytree(seed.TEMPLATES, tmp_path_factory.mktemp("t") / "emails"))


def _tip_error(
    templates: Path, plan: sequences.Plan, article: content.Article, tip: str
) -> rendering.TemplateError:
    (templates / "tip.mjml.j2").write_text(tip, encoding="utf-8")
    renderer = rendering.Renderer(plan=plan, article=article, templates=templates)
    with pytest.raises(rendering.TemplateError) as caught:
        renderer.step("muscle-injury", "heat-and-ice")
    assert isinstance(caught.value, errors.RenderError)
    return caught.value


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_undefined_variable_names_file_and_line(
    templates: Path, plan: sequences.Plan, article: content.Article
) -> None:
    tip = GOOD_TIP.replace("{% block after %}\n", "{% block after %}\n<p>{{ steps }}</p>\n")
    error = _tip_error(templates, plan, article, tip)
    line = _line_of(tip, "{{ steps }}")
    assert (error.file, error.line) == (str(templates / "tip.mjml.j2"), line)
    assert str(error) == (
        f"{templates / 'tip.mjml.j2'}:{line}: {{{{ steps }}}} is not a value drip provides: "
        "did you mean step?"
    )


def test_undefined_in_the_base_layout_names_the_base(
    templates: Path, plan: sequences.Plan, article: content.Article
) -> None:
    base = (templates / "base.mjml.j2").read_text(encoding="utf-8")
    base = base.replace("{{ clinic.postal_address }}", "{{ clinic.postal }}")
    (templates / "base.mjml.j2").write_text(base, encoding="utf-8")
    error = _tip_error(templates, plan, article, GOOD_TIP)
    assert error.file == str(templates / "base.mjml.j2")
    assert error.line == _line_of(base, "{{ clinic.postal }}")
    assert error.reason == (
        "{{ clinic.postal }} is not a value drip provides: did you mean clinic.postal_address?"
    )


def test_syntax_error_names_file_and_line(
    templates: Path, plan: sequences.Plan, article: content.Article
) -> None:
    tip = GOOD_TIP.replace("{% block after %}\n", "{% block after %}\n{% if %}\n")
    error = _tip_error(templates, plan, article, tip)
    assert (error.file, error.line) == (str(templates / "tip.mjml.j2"), _line_of(tip, "{% if %}"))
    assert "Expected an expression" in str(error)


def test_unknown_template_is_named(
    templates: Path, plan: sequences.Plan, article: content.Article
) -> None:
    tip = GOOD_TIP.replace('{% extends "base.mjml.j2" %}', '{% extends "bsae.mjml.j2" %}')
    error = _tip_error(templates, plan, article, tip)
    assert (error.file, error.line) == (str(templates / "tip.mjml.j2"), 1)
    assert "template 'bsae.mjml.j2' not found" in error.reason


def test_missing_step_template_is_named(
    templates: Path, plan: sequences.Plan, article: content.Article
) -> None:
    (templates / "tip.mjml.j2").unlink()
    renderer = rendering.Renderer(plan=plan, article=article, templates=templates)
    with pytest.raises(rendering.TemplateError) as caught:
        renderer.step("muscle-injury", "heat-and-ice")
    assert caught.value.file == str(templates / "tip.mjml.j2")
    assert caught.value.line is None
    assert str(caught.value).startswith(f"{templates / 'tip.mjml.j2'}: template 'tip.mjml.j2'")


@pytest.mark.parametrize(
    ("inserted", "culprit"),
    [
        # a stray closing tag, on a line with a value filled in
        ('<mj-button href="{{ booking_url }}">Book</mj-button></mj-text>', "</mj-text>"),
        # never closed
        ("<mj-section>", "<mj-section>"),
    ],
)
def test_invalid_mjml_names_file_and_line(
    templates: Path,
    plan: sequences.Plan,
    article: content.Article,
    inserted: str,
    culprit: str,
) -> None:
    # A cta block of the tip's own, with the mistake in it.
    tip = GOOD_TIP + "{% block cta %}\n" + inserted + "\n{{ super() }}\n{% endblock %}\n"
    error = _tip_error(templates, plan, article, tip)
    assert error.file == str(templates / "tip.mjml.j2")
    assert error.line == _line_of(tip, culprit)
    assert error.reason.startswith("invalid MJML: ")


def test_sandbox_refuses_unsafe_attributes(
    templates: Path, plan: sequences.Plan, article: content.Article
) -> None:
    tip = GOOD_TIP.replace("{% block after %}\n", "{% block after %}\n{{ clinic.__class__ }}\n")
    error = _tip_error(templates, plan, article, tip)
    assert error.line == _line_of(tip, "__class__")
    assert isinstance(error.__cause__, jinja2.exceptions.SecurityError)


def test_error_converts_to_a_check_problem(
    templates: Path, plan: sequences.Plan, article: content.Article
) -> None:
    tip = GOOD_TIP.replace("{% block after %}\n", "{% block after %}\n<p>{{ steps }}</p>\n")
    problem = _tip_error(templates, plan, article, tip).problem()
    assert str(problem) == f"{templates / 'tip.mjml.j2'}:{_line_of(tip, 'steps')}:1: " + (
        "{{ steps }} is not a value drip provides: did you mean step?"
    )


def test_bad_subject_names_the_step(plan: sequences.Plan, article: content.Article) -> None:
    step = plan.sequences["muscle-injury"].steps[0]
    bad = sequences.Step(**{**step.__dict__, "subject": "Hi {{ subscriber.last_name }}"})
    seq = sequences.Sequence(cause="muscle-injury", steps=(bad,))
    changed = sequences.Plan(**{**plan.__dict__, "sequences": {"muscle-injury": seq}})
    renderer = rendering.Renderer(plan=changed, article=article, templates=seed.TEMPLATES)
    with pytest.raises(rendering.TemplateError, match=r"^sequences.yaml: step 'welcome', subject"):
        renderer.step("muscle-injury", "welcome")


@pytest.mark.parametrize("field", ["subject", "preheader"])
def test_the_cause_is_not_available_to_subjects_and_preheaders(
    plan: sequences.Plan, article: content.Article, field: str
) -> None:
    step = plan.sequences["muscle-injury"].steps[0]
    bad = sequences.Step(**{**step.__dict__, field: "About your {{ cause.label }}"})
    seq = sequences.Sequence(cause="muscle-injury", steps=(bad,))
    changed = sequences.Plan(**{**plan.__dict__, "sequences": {"muscle-injury": seq}})
    renderer = rendering.Renderer(plan=changed, article=article, templates=seed.TEMPLATES)
    expected = rf"step 'welcome', {field}: {{{{ cause.label }}}} is not available in a subject"
    with pytest.raises(rendering.TemplateError, match=expected):
        renderer.step("muscle-injury", "welcome")


def test_unknown_content_slug_is_a_render_error(
    plan: sequences.Plan, article: content.Article
) -> None:
    step = plan.sequences["muscle-injury"].steps[0]
    bad = sequences.Step(**{**step.__dict__, "content": ("back-spasms/treatments/yoga",)})
    seq = sequences.Sequence(cause="muscle-injury", steps=(bad,))
    changed = sequences.Plan(**{**plan.__dict__, "sequences": {"muscle-injury": seq}})
    renderer = rendering.Renderer(plan=changed, article=article, templates=seed.TEMPLATES)
    with pytest.raises(errors.RenderError, match="'back-spasms/treatments/yoga' is not in"):
        renderer.step("muscle-injury", "welcome")


def test_a_step_renders_once(renderer: rendering.Renderer, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[int] = []
    rendered_templates: list[str] = []
    real_compile, real_render = mjml.mjml2html, compiler.Templates.render

    def counting_compile(source: str, **kwargs: Any) -> str:
        compiled.append(len(source))
        return real_compile(source, **kwargs)

    def counting_render(self: compiler.Templates, name: str, context: dict[str, object]) -> str:
        rendered_templates.append(name)
        return real_render(self, name, context)

    monkeypatch.setattr(mjml, "mjml2html", counting_compile)
    monkeypatch.setattr(compiler.Templates, "render", counting_render)
    first = renderer.step("muscle-injury", "heat-and-ice")
    second = renderer.step("muscle-injury", "heat-and-ice")
    assert second is first
    assert len(compiled) == 1
    assert rendered_templates == ["tip.mjml.j2", "tip.txt.j2"]
    assert renderer.confirmation() is renderer.confirmation()
    assert len(compiled) == 2
    renderer.step("lumbar-disc-disease", "welcome")  # another (cause, step): rendered anew
    assert len(compiled) == 3
