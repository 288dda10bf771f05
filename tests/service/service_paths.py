"""The committed files the service tests read, by absolute path (each test runs elsewhere)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples.yaml"
