"""Templates that would run away (time, memory, output, counts), for the tests of the bounds at
every level: the renderer (tests/rendering), `drip check` (tests/sequences) and the dispatcher
(tests/service). Each payload with the words its problem must say."""

from __future__ import annotations

from pathlib import Path

BLOCK = "{% block after %}"

RUNAWAYS = {
    "range": ("{% for i in range(10**9) %}{% endfor %}", "would run more than 100,000 times"),
    "repeat": ("{{ 'a' * 10**10 }}", "repeating 1 items 10,000,000,000 times"),
    "power": ("{{ 9 ** (9 ** 8) }}", "makes a number of more than 4096 bits"),
    "nested ranges": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "would run more than 100,000 times",
    ),
    "recursion": (
        "{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}",
        "calls itself without end",
    ),
    "str.center": ("{{ 'ab'.center(10**10) }}", "str.center() would make"),
    "lipsum": ("{{ lipsum(10**7) }}", "lipsum() would make"),
    "output": (
        '{% for i in range(99999) %}{{ "a"*99999 }}{% endfor %}',
        "a render may make",
    ),
    "written": (
        "{% set s = 'a'*999 %}{% for i in range(9999) %}{{ s }}{% endfor %}",
        "writes more than 2,000,000 characters",
    ),
    "join": ("{% set y = ['a'*99999]*99999 %}{{ y|join }}", "a render may make"),
    "str.format": ("{{ '{:>1000000000}'.format('a') }}", "str.format() would make"),
    "format filter": ("{{ '%1000000000d'|format(1) }}", "the format filter would make"),
    "indent": ("{{ 'x'|indent(10**9) }}", "the indent filter would make"),
    "loops over a string": (
        "{% set s = 'a'*99999 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
        "takes more than 5 s to render",
    ),
    "str.replace": (
        "{% set s = 'a'*99999 %}{{ s.replace('a', s) }}",
        "str.replace() would make",
    ),
    "ljust": ("{{ 'a'.ljust(10**9) }}", "str.ljust() would make"),
    "rjust": ("{{ 'a'.rjust(10**9, 'b') }}", "str.rjust() would make"),
    "zfill": ("{{ '1'.zfill(10**9) }}", "str.zfill() would make"),
    "expandtabs": (
        "{% set s = '\\t'*99999 %}{{ s.expandtabs(99999) }}",
        "str.expandtabs() would make",
    ),
    "format_map": ("{{ '{a:>999999999}'.format_map({'a': 1}) }}", "format_map() would make"),
    "nested width": ("{{ '{:{}}'.format('a', 10**9) }}", "str.format() would make"),
    "wordwrap": (
        "{{ ('a '*50000)|wordwrap(1, wrapstring='x'*99999) }}",
        "the wordwrap filter would make",
    ),
    "str.join": ("{% set y = ['a'*99999]*99999 %}{{ ''.join(y) }}", "a render may make"),
    "concatenation doubling": (
        "{% set ns = namespace(x='a'*99999) %}{% for i in range(40) %}"
        "{% set ns.x = ns.x ~ ns.x %}{% endfor %}",
        "this ~ would make",
    ),
    "center filter": ("{{ 'a'|center(10**9) }}", "the center filter would make"),
    "percent width": ("{{ '%*d' % (10**9, 1) }}", "this % formatting would make"),
    "percent": ("{{ '%1000000000s' % 'a' }}", "this % formatting would make"),
    "big number": ('{{ "{:,}".format(10**4000) }}', "more than 4096 bits"),
    "squaring": (
        "{% set ns = namespace(x=10**1000) %}{% for i in range(40) %}"
        "{% set ns.x = ns.x * ns.x %}{% endfor %}",
        "more than 4096 bits",
    ),
    "repeat a format": ("{{ '%s' * 10**9 }}", "repeating 2 items"),
    "sum of lists": (
        "{% set l = ['a']*999 %}{{ ([l]*5000)|sum(start=[]) }}",
        "the sum filter would make",
    ),
    "batch": ("{{ [1]|batch(10**9, 'x')|list }}", "the batch filter would make"),
    "slice": ("{{ [1]|slice(10**9)|list }}", "the slice filter would make"),
    "list doubling": (
        "{% set ns = namespace(x=['a'*99999]) %}{% for i in range(40) %}"
        "{% set ns.x = ns.x + ns.x %}{% endfor %}",
        "this + would make",
    ),
    "nested lists as text": (
        "{% set ns = namespace(x=['a'*9999]) %}{% for i in range(60) %}"
        "{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x }}",
        "writing this value would make",
    ),
    "nested lists joined": (
        "{% set ns = namespace(x=['a'*9999]) %}{% for i in range(60) %}"
        "{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x|string }}",
        "the string filter would make",
    ),
    "a copy in a loop": (
        "{% set s = 'a'*99999 %}{% set ns = namespace(l=[]) %}{% for i in range(99999) %}"
        "{{ ns.l.append(s|upper) }}{% endfor %}",
        "a render may make",
    ),
    "range with a step": ("{{ range(0, 10**18, 10**8)|list }}", "would run more than"),
    "cycler": ("{{ cycler(*(['a'*99999]*99999)).next() }}", "a render may make"),
    "string of a big number": ("{{ (10**1200)|string * 99999 }}", "repeating"),
}


def with_payload(templates: Path, payload: str) -> int:
    """`templates`' tip.mjml.j2 with `payload` on a line of its own in a block; its line."""
    tip = templates / "tip.mjml.j2"
    source = tip.read_text(encoding="utf-8")
    assert BLOCK in source
    tip.write_text(source.replace(BLOCK, f"{BLOCK}\n{payload}", 1), encoding="utf-8")
    return source[: source.index(BLOCK)].count("\n") + 2  # the line after the block's own
