"""One exception tree for drip. Each boundary (CLI, daemon, web) translates these once.

    DripError                      base: a message fit for the user, never a traceback
    ├── ConfigError                a DRIP_* setting or config file value is wrong
    ├── ContentError               sequences.yaml, a template or an article has problems
    │   └── (carries .problems: a list of Problem with file, line, column, message)
    ├── ArticleError               an article cannot be read at all
    ├── RenderError                a template failed to render or MJML failed to compile
    ├── HeaderInjectionError       a header value carried a line break
    ├── NotFound                   a subscriber / sequence / step does not exist
    ├── UsageError                 a command's argument names nothing there is (exit status 2)
    ├── InvalidInput               a user-supplied value is malformed (email, time zone, cause)
    └── SendError                  the mailer could not hand a message over
        (carries .code and .enhanced; drip.delivery's rules table decides what follows)

The docstring of each class is its default message.
"""

from __future__ import annotations

from dataclasses import dataclass


class DripError(Exception):
    """Something went wrong in drip."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(DripError):
    """A configuration value is wrong."""


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One located problem in a user's file: `file:line:col: where: message`."""

    file: str
    line: int
    column: int
    where: str
    message: str

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "where": self.where,
            "message": self.message,
        }


class ContentError(DripError):
    """The sequences, templates or article have problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ArticleError(DripError):
    """The article cannot be read."""


class RenderError(DripError):
    """An email could not be rendered."""


class HeaderInjectionError(DripError):
    """A header value contained a line break."""


class NotFound(DripError):
    """Not found."""


class UsageError(DripError):
    """That command cannot be run with these arguments."""


class InvalidInput(DripError):
    """The value given is not valid."""


class SendError(DripError):
    """The message could not be handed to the mail server."""

    def __init__(
        self,
        message: str | None = None,
        *,
        code: int | None = None,
        enhanced: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.enhanced = enhanced
