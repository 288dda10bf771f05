"""`<mj-style inline="inline">` rules end up in each element's own `style` attribute, in every
template's output, because some mail clients strip `<style>` blocks."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

import committed
from drip.rendering import styles

BASE = (committed.TEMPLATES / "base.mjml.j2").read_text(encoding="utf-8")
_RULE = re.compile(r"([^{}]+)\{([^}]*)\}")


def inline_rules() -> list[tuple[str, list[str]]]:
    """(selector, ["prop: value", …]) of base.mjml.j2's inline block, with the accent filled."""
    _, css = styles.split(BASE)
    css = css.replace("{{ clinic.accent }}", committed.plan()[0].clinic.accent)
    return [
        (selector.strip(), [d.strip() for d in body.split(";") if d.strip()])
        for selector, body in _RULE.findall(css)
    ]


RULES = inline_rules()
EMAILS = committed.emails()


def test_the_critical_rules_are_the_inline_ones() -> None:
    selectors = [selector for selector, _ in RULES]
    for critical in (".drip-body h1", ".drip-body p", ".drip-footer a", ".drip-body a"):
        assert critical in selectors


def _declared(style: str) -> dict[str, str]:
    pairs = (d.split(":", 1) for d in style.split(";") if ":" in d)
    return {name.strip(): " ".join(value.split()) for name, value in pairs}


@pytest.mark.parametrize("email", EMAILS, ids=[e.name for e in EMAILS])
def test_every_inline_rule_is_in_the_style_of_what_it_matches(email: committed.Email) -> None:
    """Each property of each rule matching an element is in its style, with that rule's value
    or the value of another matching rule (a more specific one wins: `.drip-eyebrow`)."""
    soup = BeautifulSoup(email.html, "html.parser")
    wanted: dict[int, dict[str, set[str]]] = {}
    elements = {}
    for selector, declarations in RULES:
        for element in soup.select(selector):
            elements[id(element)] = element
            for name, value in _declared(";".join(declarations)).items():
                wanted.setdefault(id(element), {}).setdefault(name, set()).add(value)
    assert len(elements) > 10
    for key, properties in wanted.items():
        written = _declared(str(elements[key].get("style", "")))
        for name, values in properties.items():
            assert written.get(name) in values, (elements[key].name, name, written)
    head = " ".join(str(style) for style in soup("style"))
    assert ".drip-body" not in head and ".drip-footer" not in head  # no longer in a <style>


def test_split_keeps_every_line_number() -> None:
    source = 'a\n<mj-style inline="inline">\n.x { color: red; }\n</mj-style>\nb\n'
    rest, css = styles.split(source)
    assert rest.splitlines()[4] == "b" and rest.count("\n") == source.count("\n")
    assert css.strip() == ".x { color: red; }"
