"""A sandbox that also bounds what a template may make: time and memory, not only access.

Jinja's sandbox stops a template from reaching Python's internals, but not from asking for
`range(10**9)`, `'ab'.center(10**10)`, `9 ** (9 ** 8)`, loops within loops over a long string,
or a macro that calls itself for ever. `render()` renders a template within four bounds:

- time: a render may take MAX_SECONDS (wall clock). A trace hook (`sys.settrace`, on the
  rendering thread only, so it works on the dispatcher's thread as on the CLI's, where SIGALRM
  would not) looks at the clock at each line and call of Python code, the template's compiled
  code included, and stops the render there. Jinja renders each step once per process (the
  renderer caches it; per-patient work is `compose`, no Jinja), so the hook costs little.
- output: what the template writes is streamed (`Template.generate`) and counted; past
  MAX_OUTPUT characters the render stops, at the line writing it (an email is some 15 KB).
- what it makes: every value a filter, a call, an operator, `~` or a slice returns is charged
  to one allowance of MAX_MADE characters or items per render, so that no loop can pile up
  memory within its time. One call into C cannot be stopped by the hook, so those that could
  make a lot at once (`center`, `ljust`, `replace`, `join`, `format`, `%`, `indent`,
  `wordwrap`, `lipsum`, `batch`, `slice`, `sum` of lists, ...) are estimated *before* the call
  (`drip.rendering.sizes`) and refused when they would not fit what is left.
- counts: every `range()` of one render draws on one budget of MAX_ITEMS items; `**` (and `*`
  of numbers) may not make a number of more than MAX_BITS bits.

A bound reached is a `SecurityError` (a `jinja2.TemplateError`) raised in the template's frame,
so callers report the template and its line like any other mistake; a recursion too deep, an
overflow or a memory error becomes one too, its traceback kept. The limits are far above what
any real template does (the committed steps make some tens of KB in some milliseconds).

Not bounded: a render under a debugger or coverage tool that has its own `sys.settrace` keeps
that tool's hook and has no deadline (the other bounds hold).
"""

from __future__ import annotations

import contextvars
import functools
import math
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import jinja2
from jinja2 import compiler, filters, nodes, sandbox, utils
from jinja2.exceptions import SecurityError

from drip.rendering import sizes

MAX_ITEMS = 100_000  # range() items of one render, all loops together
MAX_BITS = 4096  # bits of a number made by ** or *
MAX_MADE = 20_000_000  # characters or items made by one render's filters, calls, operators
MAX_OUTPUT = 2_000_000  # characters one template writes
MAX_SECONDS = 5.0  # wall-clock time of one render

# Filters that turn a list or dict into text: what that text would be is estimated first.
_STRINGIFYING = frozenset(
    {"string", "e", "escape", "forceescape", "safe", "tojson", "pprint", "upper", "lower",
     "title", "capitalize", "trim", "striptags", "urlencode", "urlize", "truncate", "wordcount",
     "center", "indent", "wordwrap", "format", "replace"}
)  # fmt: skip


_TEMPLATE_FILES = (".j2", "<template>")  # the compiled code of a file, or of a string


@dataclass
class _Render:
    """What is left to one render."""

    deadline: float
    loops: int = MAX_ITEMS
    made: int = MAX_MADE


_render: contextvars.ContextVar[_Render] = contextvars.ContextVar("drip_template_render")


class _CodeGenerator(compiler.CodeGenerator):
    """Jinja's code generator, with `~` checked: its parts are measured before joining."""

    def visit_Concat(self, node: nodes.Concat, frame: compiler.Frame) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.concat_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


class LimitedSandbox(sandbox.SandboxedEnvironment):
    """The sandboxed environment every template of drip is rendered in."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _CodeGenerator

    def __init__(self, **options: Any) -> None:
        options.setdefault("finalize", _finalize)
        super().__init__(**options)
        self.globals["range"] = _range
        self.globals["lipsum"] = _estimated("lipsum()", utils.generate_lorem_ipsum, sizes.lipsum)
        for name, estimate in _FILTER_ESTIMATES.items():
            self.filters[name] = _guarded(name, self.filters[name], estimate)
        for name, original in list(self.filters.items()):
            if name not in _FILTER_ESTIMATES:
                self.filters[name] = _guarded(name, original, None)

    def compile(self, *args: Any, **kwargs: Any) -> Any:
        """Jinja's compile, untraced: a parent or an included template is loaded during the
        render that uses it, and its compilation (bounded by its source) is no loop of it."""
        hook = sys.gettrace()
        ours = getattr(hook, "_drip_deadline", False)
        if ours:
            sys.settrace(None)
        try:
            return super().compile(*args, **kwargs)
        finally:
            if ours:
                sys.settrace(hook)

    def add_filter(self, name: str, function: Callable[..., Any]) -> None:
        """A filter of drip's own, charged like Jinja's."""
        self.filters[name] = _guarded(name, function, None)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_repeat(left, right)
        elif operator == "%" and isinstance(left, str):
            _charge(sizes.percent(left, right), "this % formatting")
        elif operator == "+" and isinstance(left, str | list | tuple):
            _charge(sizes.made(left) + sizes.made(right), "this +")
        result = super().call_binop(context, operator, left, right)
        if operator in {"*", "%", "+"}:
            _charge(_size(result), f"this {operator}")
        return result

    def getitem(self, obj: Any, argument: Any) -> Any:
        found = super().getitem(obj, argument)
        if isinstance(argument, slice):
            _charge(_size(found), "this slice")
        return found

    def call(
        __self,
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        args = _check_call(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        _charge(_size(result), f"{getattr(__obj, '__name__', 'this call')}()")
        return result

    def concat_parts(self, parts: tuple[Any, ...]) -> tuple[Any, ...]:
        """The parts of a `~`, once their joined length is known to fit (`_CodeGenerator`)."""
        _charge(sum(_text_size(p) for p in parts), "this ~")
        return parts


@contextmanager
def budget() -> Iterator[_Render]:
    """One render's allowances; renders may nest (a subject inside a step)."""
    state = _Render(deadline=time.monotonic() + MAX_SECONDS)
    token = _render.set(state)
    try:
        yield state
    finally:
        _render.reset(token)


# Templates that ran out of time once, with the error: rendered again (another step, another
# sample patient), they fail at once instead of taking MAX_SECONDS each time. Keyed by the
# compiled template itself, so an edited template (compiled anew) is tried again.
_RAN_AWAY: weakref.WeakKeyDictionary[jinja2.Template, SecurityError] = weakref.WeakKeyDictionary()


def render(template: jinja2.Template, values: dict[str, Any]) -> str:
    """`template` rendered with `values` within the limits; what runs away, a TemplateError."""
    if (before := _RAN_AWAY.get(template)) is not None:
        raise before.with_traceback(before.__traceback__)
    try:
        return _render_once(template, values)
    except SecurityError as exc:
        if "to render" in str(exc):
            _RAN_AWAY[template] = exc
        raise


def _render_once(template: jinja2.Template, values: dict[str, Any]) -> str:
    with budget() as state:
        hook = None if sys.gettrace() is not None else _deadline_hook(state.deadline)
        try:
            if hook is not None:
                sys.settrace(hook)
            try:
                return _streamed(template.generate(values))
            finally:
                if hook is not None:
                    sys.settrace(None)
        except RecursionError as exc:  # the traceback kept: it holds the template's line
            raise jinja2.TemplateRuntimeError(
                "a macro or an include calls itself without end: stop the recursion"
            ).with_traceback(exc.__traceback__) from None
        except (OverflowError, MemoryError) as exc:
            raise jinja2.TemplateRuntimeError(
                f"this template asks for a value too large to make ({type(exc).__name__}): "
                "use smaller numbers"
            ).with_traceback(exc.__traceback__) from None


def _streamed(stream: Iterator[str]) -> str:
    parts: list[str] = []
    written = 0
    for part in stream:
        written += len(part)
        if written > MAX_OUTPUT:  # thrown into the template, so the error has its line
            stream.throw(  # type: ignore[attr-defined]
                SecurityError(
                    f"this template writes more than {MAX_OUTPUT:,} characters: an email is "
                    "some 15 KB"
                )
            )
        parts.append(part)
    return "".join(parts)


def _deadline_hook(deadline: float) -> Callable[[FrameType, str, Any], Any]:
    """Looks at the clock at each call of Python code, and at each line of a template's own
    (a loop with nothing but template code in it calls nothing)."""
    clock = time.monotonic

    def hook(frame: FrameType, event: str, arg: Any) -> Any:
        if clock() > deadline:
            raise SecurityError(
                f"this template takes more than {MAX_SECONDS:g} s to render: a loop or a "
                "recursion runs away"
            )
        return hook if frame.f_code.co_filename.endswith(_TEMPLATE_FILES) else None

    hook._drip_deadline = True  # type: ignore[attr-defined]
    return hook


def _charge(amount: int, what: str) -> None:
    """Take `amount` from the render's allowance of MAX_MADE, or refuse what `what` makes."""
    state = _render.get(None)
    left = MAX_MADE if state is None else state.made
    if amount > left:
        raise SecurityError(
            f"{what} would make {amount:,} characters or items; with what this render made "
            f"before, more than the {MAX_MADE:,} a render may make: an email needs far fewer"
        )
    if state is not None:
        state.made -= amount


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict | set) else 0


def _text_size(value: Any) -> int:
    """What `value` would be as text; each distinct list or dict in it walked once."""
    if isinstance(value, str):
        return len(value)
    return sizes.made(value, cap=MAX_MADE)  # memoised within the walk only: ids are reused


def _finalize(value: Any) -> Any:
    """Each `{{ }}`: a list or dict is measured before it is written as text."""
    if isinstance(value, list | tuple | dict | set):
        _charge(_text_size(value), "writing this value")
    return value


def _check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """A str method that could make a lot in one call, estimated first; its args (a `join`'s
    iterable made a list, measured once)."""
    name = getattr(obj, "__name__", "")
    owner = getattr(obj, "__self__", None)
    wrapped = getattr(obj, "__wrapped__", None)  # the sandbox's wrapper of str.format
    if wrapped is not None and isinstance(getattr(wrapped, "__self__", None), str):
        text = wrapped.__self__
        if name == "format":
            _charge(sizes.formatted(text, args, kwargs), "str.format()")
        elif name == "format_map" and args:
            _charge(sizes.formatted(text, (), args[0]), "str.format_map()")
    elif isinstance(owner, str):
        if name in sizes.STR_METHODS:
            _charge(sizes.STR_METHODS[name](owner, *args, **kwargs), f"str.{name}()")
        elif name == "join" and args:
            items = list(args[0])
            _charge(sizes.joined(owner, items), "str.join()")
            args = (items, *args[1:])
    return args


def _estimated(what: str, function: Callable[..., Any], estimate: Callable[..., int]) -> Any:
    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        _charge(estimate(*args, **kwargs), what)
        return function(*args, **kwargs)

    return run


def _guarded(name: str, original: Callable[..., Any], estimate: Callable[..., int] | None) -> Any:
    """Filter `name`, estimated before (`estimate`, or the text a list or dict would make when
    it stringifies its value) and charged after with what it returns."""
    if getattr(original, "_drip_guarded", False):
        return original
    passes = getattr(original, "jinja_pass_arg", None) is not None
    what = f"the {name} filter"

    @functools.wraps(original)
    def run(*args: Any, **kwargs: Any) -> Any:
        head, given = (args[:1], args[1:]) if passes else ((), args)
        if name in {"join", "sum"} and given:  # their iterable, made a list to be measured
            given = (list(given[0]), *given[1:])
            args = (*head, *given)
        if estimate is not None and given:
            _charge(estimate(head, *given, **kwargs), what)
        elif name in _STRINGIFYING and given and isinstance(given[0], list | tuple | dict | set):
            _charge(_text_size(given[0]), what)
        result = original(*args, **kwargs)
        _charge(_size(result), what)
        return result

    run._drip_guarded = True  # type: ignore[attr-defined]
    return run


def _join(head: tuple[Any, ...], value: list[Any], d: str = "", attribute: Any = None) -> int:
    if attribute is not None:
        getter = filters.make_attrgetter(head[0].environment, attribute)
        value = list(map(getter, value))
    return sizes.joined(d, value)


def _sum(_: tuple[Any, ...], iterable: list[Any], attribute: Any = None, start: Any = 0) -> int:
    if isinstance(start, int | float):
        return 0
    memo: dict[int, int] = {}
    total = sizes.made(start) + sum(sizes.made(item, memo=memo) for item in iterable)
    return total * max(1, len(iterable))  # each partial sum is a new list: n of them


def _wordwrap(_: tuple[Any, ...], s: Any, width: Any = 79, *rest: Any, **kwargs: Any) -> int:
    wrapstring = kwargs.get("wrapstring", rest[1] if len(rest) > 1 else None)
    return sizes.wordwrap(s, width, wrapstring=wrapstring)


def _slice_or_batch(_: tuple[Any, ...], value: Any, count: Any = 0, fill_with: Any = None) -> int:
    wanted = count if isinstance(count, int) else 0
    return wanted if fill_with is not None or wanted > MAX_ITEMS else 0


_FILTER_ESTIMATES: dict[str, Callable[..., int]] = {
    "center": lambda _, value, width=80: sizes.padded(str(value), width),
    "indent": lambda _, *args, **kwargs: sizes.indent(*args, **kwargs),
    "format": lambda _, value, *args, **kwargs: sizes.percent(str(value), kwargs or args),
    "join": _join,
    "replace": lambda _, s, old, new, count=None: sizes.replace(
        str(s), old, new, -1 if count is None else count
    ),
    "wordwrap": _wordwrap,
    "batch": _slice_or_batch,
    "slice": _slice_or_batch,
    "sum": _sum,
}


def _range(*args: int) -> range:
    made = range(*args)
    state = _render.get(None)
    if state is not None:
        state.loops -= len(made)
        if state.loops < 0:
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
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_BITS:
            raise SecurityError(
                f"this * makes a number of more than {MAX_BITS} bits: use smaller numbers"
            )
        return
    for sequence, times in ((left, right), (right, left)):
        repeats = isinstance(sequence, str | list | tuple) and isinstance(times, int)
        if repeats and len(sequence) * times > MAX_ITEMS:
            raise SecurityError(
                f"repeating {len(sequence):,} items {times:,} times makes more than "
                f"{MAX_ITEMS:,}: an email needs far fewer"
            )
        if repeats and isinstance(sequence, list | tuple) and times > 0:
            _charge(_text_size(sequence) * times, "this *")
