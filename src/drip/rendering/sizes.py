"""How much text an operation of a template would make, estimated before it runs.

A trace hook can stop a template's loop, but not one call into C: `'ab'.center(10**10)`,
`'%1000000000d' % 1` or `big.replace('a', big)` allocate gigabytes in a single step. So
`limits` asks here, before such a call, how many characters (or items) it would make, and
refuses it when that is more than the render has left. The estimates are upper bounds, cheap
to compute (a count, a parse of a format string), never the operation itself.

`made(value)` is the size of a value once made: what `limits` charges for every value a filter,
a call or an operator returns, and what a list or dict would become as text (memoised, so that
`[x, x]` nested forty times is counted, not walked, 2**40 times).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from typing import Any

_FORMATTER = string.Formatter()
# One %-conversion: %(name)s, %-10.3f, %*d, %%.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")
_NUMBERS = re.compile(r"\d+")


def made(value: Any, *, memo: dict[int, int] | None = None, cap: int = 1 << 62) -> int:
    """The size of `value` as characters (a str), items, or the text it would print as; a
    container is walked once per distinct object, and no further than `cap`."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, bool | float | None):
        return 1
    if isinstance(value, int):
        return max(1, value.bit_length() * 3 // 10)
    if not isinstance(value, list | tuple | dict | set | frozenset):
        return 1
    memo = {} if memo is None else memo
    known = memo.get(id(value))
    if known is not None:
        return known
    memo[id(value)] = len(value)  # a cycle prints as [...]: its own size is what it holds
    items = value.items() if isinstance(value, dict) else value
    total = len(value) + 2
    for item in items:
        if isinstance(value, dict):
            key, item = item
            total += made(key, memo=memo, cap=cap)
        total += made(item, memo=memo, cap=cap)
        if total > cap:
            break
    memo[id(value)] = total
    return total


def _width(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def padded(text: str, width: Any = 0, *_: Any, **__: Any) -> int:
    """center, ljust, rjust, zfill: the text, or the width when wider."""
    return max(len(text), _width(width))


def expandtabs(text: str, tabsize: Any = 8, **_: Any) -> int:
    return len(text) + text.count("\t") * max(0, _width(tabsize))


def replace(text: str, old: Any = "", new: Any = "", count: Any = -1, **_: Any) -> int:
    """str.replace and the replace filter: each occurrence grows by the difference."""
    if not isinstance(old, str) or not isinstance(new, str):
        return len(str(text))
    text = str(text)
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and 0 <= count < times:
        times = count
    return len(text) + times * max(0, len(new) - len(old))


def joined(separator: Any, items: list[Any]) -> int:
    """`separator.join(items)`, or the join filter: each item as text, the separators between."""
    memo: dict[int, int] = {}
    return sum(made(item, memo=memo) for item in items) + len(str(separator)) * max(
        0, len(items) - 1
    )


def indent(text: Any, width: Any = 4, first: bool = False, blank: bool = False) -> int:
    """The indent filter: each line gets `width` spaces (or the string `width`)."""
    lines = str(text)
    prefix = len(width) if isinstance(width, str) else _width(width)
    return len(lines) + (lines.count("\n") + 1) * prefix


def wordwrap(text: Any, width: Any = 79, *_: Any, wrapstring: Any = None, **__: Any) -> int:
    """The wordwrap filter: at most one `wrapstring` every `width` characters."""
    length, every = len(str(text)), max(1, _width(width))
    return length + (length // every + 1) * len(str(wrapstring or "\n"))


def lipsum(n: Any = 5, html: bool = True, min: Any = 20, max: Any = 100) -> int:
    """`lipsum()`: n paragraphs of at most `max` words of at most a dozen characters."""
    return _width(n) * (_width(max) + 1) * 12


def formatted(template: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """`template.format(*args, **kwargs)`: the literal text, each argument, each width."""
    memo: dict[int, int] = {}
    total = 0
    values = [*args, *kwargs.values()]
    nested = False
    for literal, field, spec, _ in _FORMATTER.parse(template):
        total += len(literal)
        if field is None:
            continue
        spec = spec or ""
        nested = nested or "{" in spec
        total += sum(int(n) for n in _NUMBERS.findall(spec))
    total += sum(made(v, memo=memo) for v in values)
    if nested:  # a width given as an argument, `'{:{}}'.format('a', 10**9)`
        total += sum(_width(v) for v in values)
    return total


def percent(template: str, args: Any) -> int:
    """`template % args`, and the format filter: the text, each argument, each width."""
    values = list(args) if isinstance(args, tuple) else [args]
    given = list(args.values()) if isinstance(args, Mapping) else values
    memo: dict[int, int] = {}
    total = len(template) + sum(made(v, memo=memo) for v in given)
    starred = iter(values)
    for width, precision, kind in _PERCENT.findall(template):
        if kind == "%":
            continue
        for number in (width, precision):
            if number == "*":
                total += _width(next(starred, 0))
            elif number:
                total += int(number)
        next(starred, None)
    return total


STR_METHODS: dict[str, Callable[..., int]] = {
    "center": padded,
    "ljust": padded,
    "rjust": padded,
    "zfill": padded,
    "expandtabs": expandtabs,
    "replace": replace,
}
