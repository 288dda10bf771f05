"""The README's Templates section says what is true: every value a subject, a preheader and a
template may use is listed, and its sequences.yaml examples read as it says."""

from __future__ import annotations

import re

from docs_text import README, readme_blocks

import committed
from drip import sequences, sequences_yaml
from drip.rendering import context

SECTION = README.read_text(encoding="utf-8").split("### Templates\n", 1)[1].split("\n### ", 1)[0]
NAMED = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)*)`", SECTION))


def _names() -> tuple[list[str], list[str]]:
    plan, renderer = committed.plan()
    shared = context.names(renderer.previews_context())
    sequence = plan.sequences["muscle-injury"]
    step = context.for_step(sequence, 1, plan.causes[0], plan.clinic)
    step["step"].update(subject="", preheader="")
    full = context.names({**renderer.previews_context(), **step, "blocks": []})
    return shared, [*sorted(set(full) - set(shared)), "links.confirm"]


def test_every_value_a_subject_or_a_template_may_use_is_listed() -> None:
    shared, template_only = _names()
    subjects = SECTION.split("**What a subject and a preheader may use**", 1)[1].split("**", 1)[0]
    listed = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)*)`", subjects))
    assert sorted(set(shared) - listed) == []
    assert sorted(set(template_only) - NAMED) == []


def test_the_yaml_examples_are_the_keys_drip_reads() -> None:
    clinic, step = [b for b in readme_blocks() if b.language == "yaml"][:2]
    text = committed.SEQUENCES.read_text(encoding="utf-8")
    start = text.index("  # logo:")
    end = text.index("send_window:")
    plan = sequences_yaml.load(text[:start] + "\n".join(clinic.lines[1:]) + "\n" + text[end:],
                               file="README.md")  # fmt: skip
    assert plan.clinic.logo == sequences.Logo(
        url="https://clinic.example/logo.png", alt="Winternheimer Chiropractic", width=160
    )
    assert plan.clinic.signature == sequences.Signature(
        name="Dr. Jeff Winternheimer", role="Chiropractor, D.C."
    )
    keys = {line.split(":")[0].strip(" -") for line in step.lines if ": " in line}
    assert keys >= {"id", "subject", "lead", "body", "cta"}
