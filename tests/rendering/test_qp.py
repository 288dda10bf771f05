"""`drip.rendering.qp`: a body encoded piece by piece, its constant pieces once per column, is
byte for byte what `binascii.b2a_qp` writes for the whole personalised text, for any template
and any values compose can give it (no line break: names are tidied, links refuse blanks)."""

from __future__ import annotations

import binascii
import re
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drip import contacts, rendering
from drip.rendering import model, qp

PLACEHOLDER = re.compile(r"%%drip:([a-z_]+)%%")
NAMES = ("greeting", "first_name", "unsubscribe")
# What a template can hold: long runs (constant pieces), blanks and dots where b2a_qp treats
# them apart (a line's end, its start), '=', non-ASCII, NUL and every line break.
TEMPLATE = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(
            ["=", " ", "\t", ".", ". ", "\n.", " \n", "\r\n", "\r", "\x00", "\u2028", "é" * 30,
             "x" * 70, "a =b\t.c " * 12, "<td>" * 40, *(f"%%drip:{n}%%" for n in NAMES)]
        ),
    ),
    max_size=16,
).map("".join)  # fmt: skip
# A value as compose fills it in: no line break, any length (it moves what follows it).
VALUE = st.text(max_size=90).map(lambda v: "".join(v.splitlines()))


def filler(values: dict[str, str]) -> qp.Fill:
    """Placeholders replaced by `values` (a name it lacks, random text's, by nothing)."""
    return lambda text: PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def whole(template: str, values: dict[str, str]) -> bytes:
    """What compose wrote before: the whole personalised text through b2a_qp."""
    text = filler(values)(template)
    body = "\n".join(text.splitlines()).encode("utf-8") + b"\n"
    return binascii.b2a_qp(body, quotetabs=False, istext=True, header=False)


@pytest.mark.parametrize("long", [1, 5, qp.LONG])  # pieces of every length, and drip's
@settings(max_examples=150, deadline=None)
@given(template=TEMPLATE, values=st.lists(st.fixed_dictionaries(dict.fromkeys(NAMES, VALUE))))
@example(template="a\n%%drip:first_name%%", values=[dict.fromkeys(NAMES, "")])  # dropped
@example(template="\r%%drip:first_name%%\n", values=[dict.fromkeys(NAMES, "")])  # CR LF
def test_a_body_encodes_as_b2a_qp_encodes_the_whole_text(
    long: int, template: str, values: list[dict[str, str]]
) -> None:
    with mock.patch.object(qp, "LONG", long):
        body = qp.Body(template)
    for each in values:  # one body, patient after patient: its pieces at many columns
        assert body.encoded(filler(each)) == whole(template, each)


@pytest.mark.parametrize("name", ["", "Ana", "J.", "Zoë " * 9, "=?utf-8?q?x?=", "a" * 70])
def test_a_real_step_encodes_as_before(renderer: rendering.Renderer, name: str) -> None:
    rendered = renderer.step("muscle-injury", "welcome")
    tidy = contacts.first_name(name)
    values = {
        model.FIRST_NAME: tidy,
        model.GREETING: model.greeting(tidy),
        model.UNSUBSCRIBE: "https://tips.example/u/" + "t" * 80,
        model.PREFERENCES: "https://tips.example/p/" + "t" * 80,
    }
    for template in (rendered.html, rendered.text):
        assert qp.Body(template).encoded(filler(values)) == whole(template, values)
