"""The email templates a folder offers: one listing for `drip check` and for loading a plan.

    rendering.available(Path("templates/emails"))  # ["base.mjml.j2", "partials/footer.j2", …]

Subfolders count: a template may live in `partials/`, and sequences.yaml names it so.
"""

from __future__ import annotations

from pathlib import Path

from drip import errors

MISSING = (
    "the templates folder does not exist: create it, or point DRIP_TEMPLATES at the folder "
    "that holds the email templates"
)


def available(directory: Path) -> list[str]:
    """The template files under `directory`, as sorted relative posix paths (subfolders too).

    Raises errors.ConfigError naming DRIP_TEMPLATES when the folder does not exist.
    """
    if not directory.is_dir():
        raise errors.ConfigError(f"{directory}: {MISSING}")
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())
