"""Jinja2 (sandboxed, strict) → MJML → HTML, and Jinja2 → plain text, with located errors.

Every failure becomes a `TemplateError` (an `errors.RenderError`) whose message starts with
`templates/emails/tip.mjml.j2:12:` when the line is known, and which carries `.file`, `.line`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import mjml

from drip import content, errors
from drip.rendering import limits, mjml_errors, styles, text, variables
from drip.rendering.context import names

MJML_SUFFIX = ".mjml.j2"
TEXT_SUFFIX = ".txt.j2"


class TemplateError(errors.RenderError):
    """A template failed to render or its MJML failed to compile."""

    def __init__(self, message: str, *, file: str, line: int | None) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")
        self.file = file  # the template's path as shown to the user
        self.line = line  # 1-based line in that file, or None when unknown
        self.reason = message

    def problem(self) -> errors.Problem:
        """The error as a located problem, for `drip check`."""
        return errors.Problem(
            file=self.file, line=self.line or 1, column=1, where="", message=self.reason
        )


def _autoescape(name: str | None) -> bool:
    # MJML is XML-ish: escape everything except the plain-text twins.
    return not (name or "").endswith(TEXT_SUFFIX)


class Templates:
    """The email templates directory, loaded once into one sandboxed environment."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.env = limits.LimitedSandbox(
            loader=jinja2.FileSystemLoader(directory),
            undefined=jinja2.StrictUndefined,
            autoescape=_autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.add_filter("wrap", text.wrap)
        self.env.add_filter("text_blocks", text.text_blocks)
        self.env.add_filter("heading", text.heading)
        self.env.add_filter("lower_first", content.lower_first)

    def display(self, name: str) -> str:
        """A template's path as the user knows it: relative to the working directory if inside."""
        path = self.directory / name
        try:
            return str(path.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def text_twin(self, name: str) -> str:
        """The plain-text template for an MJML one: `tip.mjml.j2` → `tip.txt.j2` (or base's)."""
        twin = name.removesuffix(MJML_SUFFIX) + TEXT_SUFFIX
        return twin if (self.directory / twin).is_file() else "base" + TEXT_SUFFIX

    def render(self, name: str, context: dict[str, Any]) -> str:
        """The template rendered with `context`; any Jinja failure as a located TemplateError."""
        try:
            template = self.env.get_template(name)
            return limits.render(template, context)
        except jinja2.TemplateSyntaxError as exc:
            file = self.display(exc.name or name)
            raise TemplateError(exc.message or "syntax error", file=file, line=exc.lineno) from exc
        except jinja2.TemplateError as exc:  # includes the sandbox's SecurityError
            file, line = _template_frame(exc, self.directory, default=name)
            message = _describe(exc)
            if isinstance(exc, jinja2.UndefinedError):
                message = self._unknown_at(file, line, context) or message
            raise TemplateError(message, file=self.display(file), line=line) from exc

    def _unknown_at(self, name: str, line: int | None, context: dict[str, Any]) -> str:
        """What `name` uses at `line` that `context` lacks, with the name likely meant."""
        try:
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return ""
        known = names(context)
        found = [u for u in variables.unknown(self.env, source, known) if u.line == line]
        return found[0].message() if found else ""

    def compile(self, name: str, source: str) -> str:
        """Responsive HTML from rendered MJML, its `<mj-style inline="inline">` rules inlined;
        errors located in the template when possible."""
        mjml_source, inline_css = styles.split(source)
        try:
            html: str = mjml.mjml2html(mjml_source)
        except ValueError as exc:
            file, line = mjml_errors.locate(str(exc), mjml_source, self._chain(name))
            raise TemplateError(
                f"invalid MJML: {exc}", file=self.display(file or name), line=line
            ) from exc
        return styles.inline(html, inline_css)

    def _chain(self, name: str) -> list[tuple[str, str]]:
        """(name, source) of the template and the templates it extends, child first."""
        chain: list[tuple[str, str]] = []
        while name and len(chain) < 10:
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            chain.append((name, source))
            parent = next(
                (
                    str(node.template.value)
                    for node in self.env.parse(source).find_all(jinja2.nodes.Extends)
                    if isinstance(node.template, jinja2.nodes.Const)
                ),
                "",
            )
            name = parent
        return chain


def _describe(exc: Exception) -> str:
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template {exc.name!r} not found; check the file name under templates/emails/"
    return str(exc)


def _template_frame(exc: BaseException, directory: Path, *, default: str) -> tuple[str, int | None]:
    """The innermost template file and line in the traceback (Jinja rewrites its frames)."""
    found: tuple[str, int | None] = (default, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((MJML_SUFFIX, TEXT_SUFFIX)):
            path, directory = Path(filename).resolve(), directory.resolve()
            name = path.relative_to(directory) if path.is_relative_to(directory) else path.name
            found = (str(name), tb.tb_lineno)
        tb = tb.tb_next
    return found
