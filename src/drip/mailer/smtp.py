"""Sending through an SMTP server (a relay, a provider, a local Postfix) with smtplib.

One connection is opened on the first send and reused for the next ones. If the server closed
it meanwhile (idle timeout), the mailer notices when the envelope is refused by a dead socket
(or a 421, "closing"), reconnects once and sends again. A reply that does not come within the
timeout is not a dead socket: the server is slow, and waiting again would only double the
wait. The mailer never retries on its own once the message data has started to go out: the
server may have accepted it, and a second copy would be a duplicate; the delivery is retried
later instead, with the same Message-ID (docs/smtp-faults.md).

Errors are `errors.SendError` with the server's reply code and enhanced status code
(`550`, `"5.1.1"`); `drip.delivery` decides what they mean. Local refusals on security grounds
(STARTTLS or AUTH not offered, an untrusted certificate) are reported as `530 5.7.0`, the reply
RFC 3207 gives for "TLS required", so that sending pauses instead of retrying a configuration
mistake. Not thread-safe: use one SmtpMailer per worker thread.
"""

from __future__ import annotations

import email.message
import logging
import re
import smtplib
import ssl

from drip import errors, mail_url
from drip.mailer import base

log = logging.getLogger("drip.mailer")

_ENHANCED = re.compile(r"^\s*([245]\.\d{1,3}\.\d{1,3})\b")
_REPLY_LIMIT = 300  # characters of a server reply kept in an error message


class _Stale(Exception):
    """The connection turned out to be closed before the message data went out: at `stage`,
    with what the server or the socket said (`why`)."""

    def __init__(self, stage: str, why: str) -> None:
        super().__init__(f"{stage}: {why}")
        self.stage = stage
        self.why = why


class SmtpMailer(base.Base):
    """Sends over SMTP as `settings` say; see the module docstring for connection handling."""

    def __init__(
        self,
        config: mail_url.SmtpSettings,
        *,
        ssl_context: ssl.SSLContext | None = None,
        signer: base.Sign | None = None,
    ) -> None:
        self.settings = config
        self.signer = signer
        self._ssl_context = ssl_context or config.ssl_context()
        self._conn: smtplib.SMTP | None = None

    def send(self, message: email.message.EmailMessage) -> None:
        """Hand `message` to the server; raises errors.SendError when it does not take it."""
        sender, recipients = base.envelope(message, mail_from=self.settings.mail_from)
        international = base.is_international(sender, *recipients)
        data = self.wire(message, international=international)
        reused = self._conn is not None
        conn = self._connection()
        try:
            self._envelope(conn, sender, recipients, data, international)
        except _Stale as stale:
            if not reused:
                self._drop()
                raise self._lost(stale) from None
            log.info("reconnecting to %s", self.settings.where)
            self._drop()
            conn = self._connection()
            try:
                self._envelope(conn, sender, recipients, data, international)
            except _Stale as again:
                self._drop()
                raise self._lost(again) from None
        self._data(conn, data)

    def probe(self) -> tuple[str, ...]:
        """Connect as a send would (EHLO, then STARTTLS and AUTH as configured) and say QUIT:
        no message is sent. Returns what was done, in order; SendError as `send` raises it."""
        s = self.settings
        done = ["connected over TLS" if s.security is mail_url.Security.TLS else "connected"]
        conn = self._connect()
        if s.security is mail_url.Security.STARTTLS:
            done.append("STARTTLS")
        if s.username is not None:
            done.append(f"logged in as {s.username}")
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            pass  # it answered everything that matters; a rude goodbye is not a failure
        finally:
            conn.close()
        return (*done, "QUIT")

    def close(self) -> None:
        """Say QUIT and close the connection, if one is open."""
        if self._conn is None:
            return
        try:
            self._conn.quit()
        except (smtplib.SMTPException, OSError):
            pass  # the server is gone already: nothing left to close politely
        finally:
            self._drop()

    def _connection(self) -> smtplib.SMTP:
        if self._conn is None:
            self._conn = self._connect()
            log.debug("connected to %s", self.settings.where)
        return self._conn

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        conn: smtplib.SMTP | None = None
        try:
            if s.security is mail_url.Security.TLS:
                conn = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=self._ssl_context
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            conn.ehlo()
            if s.security is mail_url.Security.STARTTLS:
                self._starttls(conn)
            if s.username is not None:
                self._login(conn)
            return conn
        except errors.SendError:
            _close(conn)
            raise
        except (smtplib.SMTPException, OSError) as exc:
            _close(conn)
            raise self._translate(exc, "connect") from None

    def _starttls(self, conn: smtplib.SMTP) -> None:
        if not conn.has_extn("starttls"):
            raise _refused(
                f"{self.settings.where} does not offer STARTTLS; drip will not send in clear"
            )
        conn.starttls(context=self._ssl_context)
        conn.ehlo()

    def _login(self, conn: smtplib.SMTP) -> None:
        if not conn.has_extn("auth"):
            raise _refused(
                f"{self.settings.where} does not offer AUTH (some servers offer it only after "
                "STARTTLS: add ?starttls=true to the URL)"
            )
        conn.login(self.settings.username or "", self.settings.password or "")

    def _envelope(
        self,
        conn: smtplib.SMTP,
        sender: str,
        recipients: list[str],
        data: bytes,
        international: bool,
    ) -> None:
        options = self._mail_options(conn, data, international)
        stage = "MAIL FROM"
        try:
            code, reply = conn.mail(sender, options)
            if code == 421:  # "closing the channel", typically an idle timeout
                raise _Stale(stage, _reply_text(code, reply))
            self._check(conn, code, reply, stage, accept=(250,))
            stage = "RCPT TO"
            for recipient in recipients:
                code, reply = conn.rcpt(recipient)
                self._check(conn, code, reply, stage, accept=(250, 251))
        except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
            if _timed_out(exc):  # smtplib reports a timeout as a disconnection
                self._drop()
                raise self._translate(exc, stage) from None
            raise _Stale(stage, str(exc) or type(exc).__name__) from exc
        except (smtplib.SMTPException, OSError) as exc:  # a timeout, a TLS error
            self._drop()
            raise self._translate(exc, stage) from None

    def _data(self, conn: smtplib.SMTP, data: bytes) -> None:
        try:
            code, reply = conn.data(data)
        except (smtplib.SMTPException, OSError) as exc:
            translated = self._translate(exc, "DATA")
            if translated.code is None:
                self._drop()
            else:
                self._reset(conn)
            raise translated from None
        self._check(conn, code, reply, "DATA", accept=(250,))

    def _mail_options(self, conn: smtplib.SMTP, data: bytes, international: bool) -> list[str]:
        options = []
        if not data.isascii() and conn.has_extn("8bitmime"):
            options.append("BODY=8BITMIME")
        if international:
            if not conn.has_extn("smtputf8"):
                raise errors.SendError(
                    f"{self.settings.where} does not accept non-ASCII addresses (no SMTPUTF8)",
                    code=553,
                    enhanced="5.6.7",  # RFC 6531's reply for exactly this case
                )
            options.append("SMTPUTF8")
        return options

    def _check(
        self, conn: smtplib.SMTP, code: int, reply: bytes, stage: str, *, accept: tuple[int, ...]
    ) -> None:
        if code in accept:
            return
        self._reset(conn)
        raise _reply_error(self.settings.where, stage, code, reply)

    def _reset(self, conn: smtplib.SMTP) -> None:
        # end the failed transaction so the connection can carry the next message
        try:
            conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def _lost(self, stale: _Stale) -> errors.SendError:
        """A connection closed before the data: no reply code, so the dispatcher counts it
        with the servers that do not answer; the reason keeps what the server said."""
        where = self.settings.where
        return errors.SendError(f"{where} closed the connection at {stale.stage}: {stale.why}")

    def _translate(self, exc: smtplib.SMTPException | OSError, stage: str) -> errors.SendError:
        where = self.settings.where
        if isinstance(exc, smtplib.SMTPResponseException):
            return _reply_error(where, stage, exc.smtp_code, exc.smtp_error)
        if _timed_out(exc):
            after = ": the server may have the message" if stage == "DATA" else ""
            return errors.SendError(
                f"{where}: no reply to {stage} within {self.settings.timeout:g} s{after}"
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return _refused(f"{where}: TLS certificate not trusted ({exc.verify_message})")
        if (
            stage == "connect"
            and isinstance(exc, smtplib.SMTPException)
            and not isinstance(exc, smtplib.SMTPServerDisconnected)
        ):
            # smtplib's own refusals while setting up: no STARTTLS, no usable AUTH mechanism
            return _refused(f"{where}: {exc}")
        return errors.SendError(f"{where}: {stage} failed: {str(exc) or type(exc).__name__}")


def _timed_out(exc: BaseException) -> bool:
    """Whether `exc` is a timeout, or smtplib's disconnection raised while handling one."""
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())[:_REPLY_LIMIT]}"


def _reply_error(where: str, stage: str, code: int, reply: bytes | str) -> errors.SendError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    text = " ".join(text.split())[:_REPLY_LIMIT]
    match = _ENHANCED.match(text)
    return errors.SendError(
        f"{where} refused {stage}: {code} {text}",
        code=code,
        enhanced=match.group(1) if match else None,
    )


def _refused(message: str) -> errors.SendError:
    return errors.SendError(message, code=530, enhanced="5.7.0")


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        conn.close()
