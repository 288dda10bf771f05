"""RSA key pairs for DKIM tests, made with `cryptography` (never drip's own code), and the DNS
TXT record a clinic would publish for each: what a receiver's verifier is given."""

from __future__ import annotations

import base64
import functools
import random
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

SELECTOR = "drip2026"


@dataclass(frozen=True, kw_only=True)
class KeyPair:
    pem: bytes  # the private key, PKCS#8 PEM, as `openssl genpkey` writes it
    record: str  # `v=DKIM1; k=rsa; p=…`: the public key as receivers look it up

    def write(self, folder: Path, name: str = "dkim.pem") -> Path:
        """The private key in a file only its owner may read, as an operator keeps it."""
        path = folder / name
        path.write_bytes(self.pem)
        path.chmod(0o600)
        return path


@functools.cache
def rsa_pair(bits: int = 2048, *, seed: int = 0) -> KeyPair:
    """A fresh key pair (one per size and seed in a test session: generation takes time)."""
    return _pair(rsa.generate_private_key(public_exponent=65537, key_size=bits))


def short_rsa_pair(bits: int = 512) -> KeyPair:
    """A key too short for any receiver, which `cryptography` will not generate: made here
    from two probable primes (fine for a test that only expects it refused)."""
    rnd = random.Random(bits)
    e = 65537
    while True:
        p, q = _prime(bits // 2, rnd), _prime(bits // 2, rnd)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            break
    d = pow(e, -1, phi)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, p * q)
    )
    return _pair(numbers.private_key(unsafe_skip_rsa_key_validation=True))


def ec_pem() -> bytes:
    """An elliptic-curve private key: valid PEM, but not RSA."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pair(key: rsa.RSAPrivateKey) -> KeyPair:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(pem=pem, record=f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}")


def _prime(bits: int, rnd: random.Random) -> int:
    while True:
        n = rnd.getrandbits(bits) | (1 << (bits - 1)) | 1
        if all(pow(a, n - 1, n) == 1 for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)):
            return n
