"""The committed sequences.yaml with its send window open at every hour of every day.

Tests that send through the real dispatcher run at any hour: with the committed window
(08:00-20:00 in each patient's zone) a step due now would be deferred to the morning.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEQUENCES = REPO / "sequences.yaml"
TEMPLATES = REPO / "templates" / "emails"
ALWAYS_OPEN = """send_window:
  days: [mon, tue, wed, thu, fri, sat, sun]
  start: "00:00"
  end: "24:00"
"""


def sequences_in(directory: Path) -> Path:
    """The committed sequences.yaml with an always-open send window, written in `directory`."""
    text = SEQUENCES.read_text(encoding="utf-8")
    start = text.index("send_window:")
    end = text.index("on_cause_change:")
    text = text[:start] + ALWAYS_OPEN + text[end:]
    text = text.replace("article: articles/", f"article: {REPO}/articles/")
    path = directory / "sequences.yaml"
    path.write_text(text, encoding="utf-8")
    return path
