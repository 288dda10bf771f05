"""The project as git's HEAD holds it: what `drip preview` compares the marketer's edits with.

    head = revisions.at_head(sequences=Path("sequences.yaml"), templates=Path("templates/emails"),
                             into=Path(tmp))
    head.sequences, head.templates, head.commit     # copies under `into`, or head.missing

sequences.yaml, the templates folder and the article it names are copied out of HEAD with
`git archive`, into a folder of the caller's; nothing in the working tree or the repository
changes. Not a git checkout, no git, or a sequences.yaml HEAD does not hold yet: `missing`
says so, and the preview shows no comparison.
"""

from __future__ import annotations

import functools
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from drip import content, errors, ingest, rendering, sequences, sequences_yaml

_TIMEOUT = 10  # seconds for one git command


@dataclass(frozen=True, kw_only=True)
class Head:
    sequences: Path  # HEAD's sequences.yaml, copied under the caller's folder
    templates: Path  # HEAD's templates folder (the current one when HEAD holds none)
    commit: str  # HEAD's short hash
    missing: str = ""  # why there is nothing to compare with, when there is not


def at_head(*, sequences: Path, templates: Path, into: Path) -> Head:
    """HEAD's sequences.yaml, templates and article under `into`; `missing` when there is none."""
    top = _git(sequences.resolve().parent, "rev-parse", "--show-toplevel")
    if top is None:
        return _nothing(sequences, templates, "this folder is not a git checkout")
    root = Path(top.decode().strip())
    commit = _git(root, "rev-parse", "--short", "HEAD")
    if commit is None:
        return _nothing(sequences, templates, "the git repository has no commit yet")
    wanted = _inside(root, sequences)
    if wanted is None or not _extract(root, wanted, into):
        return _nothing(sequences, templates, f"git HEAD holds no {sequences.name} yet")
    copied = into / wanted
    relative = _inside(root, templates)
    has_templates = relative is not None and _extract(root, relative, into)
    article = sequences_yaml.locate(copied.read_text(encoding="utf-8"), "article")
    if article is not None and article.text:
        named = _inside(root, sequences.resolve().parent / article.text.strip())
        if named is not None:
            _extract(root, named, into)
    return Head(
        sequences=copied,
        templates=into / relative if has_templates and relative else templates,
        commit=commit.decode().strip(),
    )


def committed_plan(*, sequences_path: Path, templates: Path) -> tuple[sequences.Plan | None, str]:
    """sequences.yaml as git HEAD holds it, loaded (with HEAD's article and templates), and a
    line saying what it is; None and the reason when there is none or it does not load."""
    with tempfile.TemporaryDirectory(prefix="drip-head-") as scratch:
        head = at_head(sequences=sequences_path, templates=templates, into=Path(scratch))
        if head.missing:
            return None, head.missing
        folder = head.sequences.parent

        def article(relative: str) -> content.Article:
            return ingest.read_article(folder / relative)

        try:
            plan = sequences_yaml.load(
                head.sequences.read_text(encoding="utf-8"),
                file=f"HEAD:{sequences_path.name}",
                article=article,
                templates=rendering.available(head.templates),
            )
        except (errors.DripError, OSError, UnicodeDecodeError):
            return None, f"git HEAD's {sequences_path.name} ({head.commit}) does not load"
        return plan, f"git HEAD ({head.commit})"


@functools.cache
def watched(folder: Path) -> tuple[Path, ...]:
    """The files git rewrites when a commit is made in the checkout holding `folder` (its
    index and HEAD's log; in a worktree, that worktree's); none outside a checkout."""
    found = _git(folder, "rev-parse", "--absolute-git-dir")
    if found is None:
        return ()
    git_dir = Path(found.decode().strip())
    return (git_dir / "index", git_dir / "logs" / "HEAD")


def _nothing(sequences: Path, templates: Path, why: str) -> Head:
    return Head(sequences=sequences, templates=templates, commit="", missing=why)


def _inside(root: Path, path: Path) -> str | None:
    """`path` relative to the checkout's root (with "/"), or None when it lies outside."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def _extract(root: Path, relative: str, into: Path) -> bool:
    """Copy `relative` (a file or a folder) as HEAD holds it under `into`; False if it does not."""
    archive = _git(root, "archive", "--format=tar", "HEAD", "--", relative)
    if archive is None:
        return False
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return True


def _git(where: Path, *args: str) -> bytes | None:
    """git's output, or None when git is missing or says no."""
    try:
        done = subprocess.run(
            ["git", "-C", str(where), *args], capture_output=True, timeout=_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
