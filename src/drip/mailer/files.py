"""A mailer that writes each message to a `.eml` file: for previews, demos and dry runs."""

from __future__ import annotations

import contextlib
import email.message
import hashlib
import os
import re
import threading
from pathlib import Path

from drip import errors
from drip.mailer import base

_NUMBERED = re.compile(r"^(\d+)-")


class FileMailer(base.Base):
    """Writes `<dir>/<counter>-<hash of Message-ID>.eml`, in send order, as SMTP would carry it.

    The counter continues from the files already there, and a file is never overwritten, so
    several processes may share one directory. The directory is created if missing;
    errors.ConfigError (naming DRIP_SMTP_URL, which chose it) when it cannot be.
    """

    def __init__(self, directory: Path | str, *, signer: base.Sign | None = None) -> None:
        self.directory = Path(directory)
        self.signer = signer
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise errors.ConfigError(
                f"DRIP_SMTP_URL: cannot use {str(self.directory)!r} as the outbox folder "
                f"({_reason(exc)}): point file:// at a folder drip may create and write"
            ) from None
        self._counter = max((_number(p) for p in self.directory.glob("*.eml")), default=0)
        self._lock = threading.Lock()

    def send(self, message: email.message.EmailMessage) -> None:
        """Write `message` (bytes, CRLF line ends) to the next numbered file."""
        sender, recipients = base.envelope(message)
        data = self.wire(message, international=base.is_international(sender, *recipients))
        key = str(message.get("Message-ID", "")).encode() or data
        digest = hashlib.sha256(key).hexdigest()[:12]
        with self._lock:
            self._write(data, digest)

    def outbox(self) -> list[Path]:
        """The message files, oldest first."""
        return sorted(self.directory.glob("*.eml"), key=lambda p: (_number(p), p.name))

    def _write(self, data: bytes, digest: str) -> None:
        temporary = self.directory / f".{os.getpid()}-{threading.get_ident()}-{digest}.tmp"
        temporary.write_bytes(data)
        try:
            while True:
                self._counter += 1
                final = self.directory / f"{self._counter:06d}-{digest}.eml"
                # a hard link appears complete and fails if the name is taken: atomic, exclusive
                with contextlib.suppress(FileExistsError):
                    os.link(temporary, final)
                    return
        finally:
            temporary.unlink()


def check_folder(directory: Path | str) -> str:
    """Whether a FileMailer could write to `directory`, found without creating anything:
    what it would do, in words; errors.ConfigError (naming DRIP_SMTP_URL) when it could not."""
    folder = Path(directory)
    existing = next(p for p in (folder, *folder.absolute().parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise errors.ConfigError(
            f"DRIP_SMTP_URL: cannot use {str(folder)!r} as the outbox folder ({str(existing)!r} "
            "is not a folder drip may write): point file:// at a folder drip may create and write"
        )
    if existing == folder:
        return f"writes .eml files to {folder}"
    return f"writes .eml files to {folder} (created on the first send)"


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileExistsError):
        return "a file of that name is in the way"
    return exc.strerror or str(exc)


def _number(path: Path) -> int:
    match = _NUMBERED.match(path.name)
    return int(match.group(1)) if match else 0
