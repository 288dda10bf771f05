"""A copy of the committed project in a folder of the test's own, for the tools that watch
and compare files (`drip preview`): sequences.yaml, the article, samples.yaml, the templates.

    project = Project.copy(tmp_path)
    project.config()                       # a Config pointing at the copies
    project.edit("Back spasms: rest", "Back spasms: rest, then move")
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from drip import config

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def copy(cls, folder: Path) -> Project:
        root = folder / "clinic"
        (root / "articles").mkdir(parents=True)
        for name in ("sequences.yaml", "samples.yaml", "articles/back-spasms.txt"):
            shutil.copyfile(REPO / name, root / name)
        shutil.copytree(REPO / "templates" / "emails", root / "templates" / "emails")
        return cls(root)

    @property
    def sequences(self) -> Path:
        return self.root / "sequences.yaml"

    def config(self, **extra: str) -> config.Config:
        return config.load(
            {
                "DRIP_SEQUENCES": str(self.sequences),
                "DRIP_TEMPLATES": str(self.root / "templates" / "emails"),
                "DRIP_SAMPLES": str(self.root / "samples.yaml"),
                "DRIP_DATABASE_URL": "sqlite:////nonexistent/never-opened.db",
                **extra,
            }
        )

    def edit(self, old: str, new: str, *, name: str = "sequences.yaml", count: int = 1) -> None:
        """Replace `old` (which must be there) in a file of the project, as an editor saves."""
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    def line_of(self, text: str, *, name: str = "sequences.yaml") -> int:
        """The 1-based line of the first line holding `text`."""
        lines = (self.root / name).read_text(encoding="utf-8").splitlines()
        return next(n for n, line in enumerate(lines, 1) if text in line)

    def commit(self) -> None:
        """Commit everything (the first time, making the copy a git checkout)."""
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
        if not (self.root / ".git").exists():
            subprocess.run(["git", "init", "-q"], cwd=self.root, env=env, check=True)
        for args in (
            ["add", "-A"],
            ["-c", "user.name=Test", "-c", "user.email=t@example.com", "commit", "-qm", "x"],
        ):
            subprocess.run(["git", *args], cwd=self.root, env=env, check=True)
