"""DKIM signing (RFC 6376) of the bytes a mailer puts on the wire, with dkimpy.

    sign = signing.signer(cfg.dkim)     # ConfigError now, at start-up, if the key cannot sign
    data = sign(base.flatten(message))  # DKIM-Signature: … prepended to exactly these bytes

The choices, all fixed:

- `rsa-sha256` (what every receiver verifies; Ed25519 is not yet universal) with a key of at
  least 1024 bits (receivers ignore shorter ones; 2048 is what to publish);
- `relaxed/relaxed` canonicalisation: a relay that refolds a header line or changes spacing at
  the end of a body line does not break the signature, a change of any word does;
- the signed headers are `SIGNED`, each listed twice (over-signing, RFC 6376 §8.15): changing,
  removing or adding any of them afterwards, a second `From` or `List-Unsubscribe` included,
  breaks the signature. `List-Unsubscribe` and `List-Unsubscribe-Post` are among them, as
  one-click unsubscribe (RFC 8058) requires;
- no body length limit (`l=`) and no expiry (`x=`): a message retried days later still verifies.

dkimpy is imported when a signer is made, not with `drip.mailer`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from drip import config, errors, redact

SIGNED = (
    "From", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID", "List-Unsubscribe",
    "List-Unsubscribe-Post", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
)  # fmt: skip
MIN_BITS = 1024  # receivers treat shorter RSA keys as no signature at all
CANONICALISATION = "relaxed/relaxed"
_PROBE = b"From: <probe@drip.invalid>\r\nSubject: probe\r\n\r\nprobe\r\n"
_RSA_ENCRYPTION = bytes.fromhex("06092a864886f70d0101010500")  # OID 1.2.840.113549.1.1.1, NULL


@dataclass(frozen=True, kw_only=True)
class Signer:
    """Prepends a `DKIM-Signature` header to a message's wire bytes: `signer(data)`."""

    selector: str
    domain: str
    key: bytes = field(repr=False)
    bits: int

    def __call__(self, data: bytes) -> bytes:
        """`data` with its signature header first; SendError (5.6.0: it fails, with the
        reason, and is not retried) when dkimpy cannot sign it."""
        import dkim

        try:
            header = dkim.sign(
                data,
                self.selector.encode("ascii"),
                self.domain.encode("ascii"),
                self.key,
                canonicalize=(b"relaxed", b"relaxed"),
                signature_algorithm=b"rsa-sha256",
                include_headers=[name.encode("ascii") for name in SIGNED for _ in (1, 2)],
                linesep=b"\r\n",
            )
        except dkim.DKIMException as exc:
            raise errors.SendError(
                f"cannot DKIM-sign the message ({_one_line(exc)})", code=554, enhanced="5.6.0"
            ) from None
        return bytes(header) + data


def signer(settings: config.Dkim) -> Signer:
    """The signer `settings` describe, tried once; ConfigError naming the key file when its
    key cannot sign (not RSA, too short, damaged)."""
    import dkim
    import dkim.crypto

    where = f"DRIP_DKIM_PRIVATE_KEY_FILE: {str(settings.key.path)!r}"
    try:
        bits = int(dkim.crypto.parse_pem_private_key(settings.key.pem)["modulus"]).bit_length()
    except (dkim.crypto.UnparsableKeyError, IndexError, ValueError) as exc:
        raise errors.ConfigError(
            f"{where} is not an RSA private key drip can sign with ({_one_line(exc)}); make "
            "one with: "
            "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out FILE"
        ) from None
    if bits < MIN_BITS:
        raise errors.ConfigError(
            f"{where} is a {bits}-bit key; receivers ignore signatures by keys under "
            f"{MIN_BITS} bits: make a 2048-bit one"
        )
    made = Signer(
        selector=settings.selector, domain=settings.domain, key=settings.key.pem, bits=bits
    )
    try:
        made(_PROBE)
    except errors.SendError as exc:
        raise errors.ConfigError(f"{where}: {exc}") from None
    return made


def public_record(settings: config.Dkim) -> str:
    """The TXT record to publish at `settings.record`: `v=DKIM1; k=rsa; p=…` (the public half
    of the configured key, as SubjectPublicKeyInfo, which is what receivers expect)."""
    import dkim.crypto

    key = dkim.crypto.parse_pem_private_key(settings.key.pem)
    rsa_public = _der(0x30, _der_int(key["modulus"]) + _der_int(key["publicExponent"]))
    info = _der(0x30, _der(0x30, _RSA_ENCRYPTION) + _der(0x03, b"\0" + rsa_public))
    return f"v=DKIM1; k=rsa; p={base64.b64encode(info).decode('ascii')}"


def verifies(data: bytes, *, record: str) -> bool:
    """Whether the DKIM signature of `data` verifies against the TXT `record` (no DNS)."""
    import dkim

    def published(_name: bytes, timeout: float = 5) -> bytes:
        return record.encode("ascii", "replace")

    try:
        return bool(dkim.verify(data, dnsfunc=published, minkey=MIN_BITS))
    except dkim.DKIMException:
        return False


def signed_probe(sign: Signer) -> bytes:
    """A small message signed by `sign`: what `verifies` checks a published record against."""
    return sign(_PROBE)


def _one_line(exc: Exception) -> str:
    """dkimpy's reason on one line, without any address it may quote from the message."""
    return redact.addresses(" ".join(str(exc).split())) or type(exc).__name__


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _der_int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))
