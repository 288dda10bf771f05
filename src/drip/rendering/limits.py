"""A sandbox that also bounds what a template may make: time and memory, not only access.

Jinja's sandbox stops a template from reaching Python's internals, but not from asking for
`range(10**9)`, `'a' * 10**10`, `9 ** (9 ** 8)`, nested loops that never end in practice, or a
macro that calls itself for ever. Here:

- every `range()` of one render draws on one budget of MAX_ITEMS items (nested loops too);
- `*` of a string or list by a number may not make more than MAX_ITEMS items or characters;
- `**` may not make a number of more than MAX_BITS bits;
- a recursion too deep, an overflow or a memory error becomes a `jinja2.TemplateError`
  (`limit_errors`), so callers report the template and its line like any other mistake.

An email needs none of this: the limits are far above what any real template does.
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jinja2
from jinja2 import sandbox
from jinja2.exceptions import SecurityError

MAX_ITEMS = 100_000
MAX_BITS = 4096
_budget: contextvars.ContextVar[list[int]] = contextvars.ContextVar("drip_template_budget")


class LimitedSandbox(sandbox.SandboxedEnvironment):
    """The sandboxed environment every template of drip is rendered in."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _range

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_repeat(left, right)
        return super().call_binop(context, operator, left, right)


@contextmanager
def budget() -> Iterator[None]:
    """One render's budget of items; renders may nest (a subject inside a step)."""
    token = _budget.set([MAX_ITEMS])
    try:
        yield
    finally:
        _budget.reset(token)


def limit_errors(render: Callable[[], str]) -> str:
    """`render()` within one budget; what runs away becomes a TemplateError."""
    with budget():
        try:
            return render()
        except RecursionError as exc:  # the traceback kept: it holds the template's line
            raise jinja2.TemplateRuntimeError(
                "a macro or an include calls itself without end: stop the recursion"
            ).with_traceback(exc.__traceback__) from None
        except (OverflowError, MemoryError) as exc:
            raise jinja2.TemplateRuntimeError(
                f"this template asks for a value too large to make ({type(exc).__name__}): "
                "use smaller numbers"
            ).with_traceback(exc.__traceback__) from None


def _range(*args: int) -> range:
    made = range(*args)
    left = _budget.get(None)
    if left is not None:
        left[0] -= len(made)
        if left[0] < 0:
            raise SecurityError(
                f"the loops of this template would run more than {MAX_ITEMS:,} times in all: "
                "an email needs far fewer"
            )
    elif len(made) > MAX_ITEMS:
        raise SecurityError(f"range() of more than {MAX_ITEMS:,} items")
    return made


def _check_power(left: Any, right: Any) -> None:
    if not all(isinstance(v, int | float) for v in (left, right)):
        return
    base = abs(left)
    if base <= 1 or right <= 0:
        return
    if right > MAX_BITS or right * math.log2(base) > MAX_BITS:
        raise SecurityError(
            f"{left!r} ** {right!r} makes a number of more than {MAX_BITS} bits: use smaller "
            "numbers"
        )


def _check_repeat(left: Any, right: Any) -> None:
    for sequence, times in ((left, right), (right, left)):
        repeats = isinstance(sequence, str | list | tuple) and isinstance(times, int)
        if repeats and len(sequence) * times > MAX_ITEMS:
            raise SecurityError(
                f"repeating {len(sequence):,} items {times:,} times makes more than "
                f"{MAX_ITEMS:,}: an email needs far fewer"
            )
