"""The DNS TXT records receivers look up for a sending domain (SPF, DKIM, DMARC), with dnspython.

    lookup = records.resolver()                    # the system's resolver, 2 s per lookup
    lookup = records.resolver("127.0.0.1:5353")    # or one name server, HOST[:PORT]
    answer = lookup("_dmarc.clinic.example")       # Answer(name, texts, error)

A lookup never raises: a name with no TXT record gives no texts, a resolver that does not
answer gives `error` (with no network, every lookup ends so, after the timeout). Only reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drip import errors

if TYPE_CHECKING:
    import dns.resolver

TIMEOUT = 2.0  # seconds for one lookup, retries included: `drip doctor` should not hang
UNANSWERED = "could not look up (no network?)"


@dataclass(frozen=True, kw_only=True)
class Answer:
    """The TXT records at `name` (each one string, its parts joined), or why there are none
    known: `error` is set when the resolver did not answer, and then `texts` says nothing."""

    name: str
    texts: tuple[str, ...] = ()
    error: str = ""


Lookup = Callable[[str], Answer]


def resolver(nameserver: str | None = None, *, timeout: float = TIMEOUT) -> Lookup:
    """A TXT lookup through the system's resolver, or through `nameserver` (`HOST[:PORT]`);
    errors.UsageError when `nameserver` is not an IP address with an optional port."""
    import dns.resolver

    if nameserver is None:
        try:
            chosen = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            return lambda name: Answer(name=name, error=f"{UNANSWERED}: no resolver configured")
    else:
        chosen = dns.resolver.Resolver(configure=False)
        chosen.nameservers, chosen.port = _server(nameserver)
    chosen.lifetime = timeout
    chosen.timeout = timeout

    def lookup(name: str) -> Answer:
        return _lookup(chosen, name)

    return lookup


def _lookup(chosen: dns.resolver.Resolver, name: str) -> Answer:
    import dns.exception
    import dns.resolver

    try:
        answer = chosen.resolve(name, "TXT", raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        return Answer(name=name)
    except dns.exception.Timeout:
        return Answer(name=name, error=f"{UNANSWERED}: no answer within {chosen.lifetime:g} s")
    except (dns.exception.DNSException, OSError) as exc:  # SERVFAIL, refused, unreachable
        return Answer(name=name, error=f"{UNANSWERED}: {_reason(exc)}")
    texts = tuple(
        b"".join(record.strings).decode("utf-8", "replace") for record in answer.rrset or ()
    )
    return Answer(name=name, texts=texts)


def _server(nameserver: str) -> tuple[list[str], int]:
    import dns.inet

    host, port = nameserver, "53"
    if nameserver.count(":") == 1:  # HOST:PORT; a bare IPv6 address has several colons
        host, port = nameserver.split(":")
    elif nameserver.startswith("[") and "]:" in nameserver:
        host, port = nameserver[1:].split("]:")
    host = host.strip("[]")
    if not dns.inet.is_address(host) or not port.isdigit() or not 0 < int(port) < 65536:
        raise errors.UsageError(
            f"--nameserver {nameserver!r}: give a name server's IP address and optional port, "
            "e.g. 1.1.1.1 or 127.0.0.1:5353"
        )
    return [host], int(port)


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split())[:120] or type(exc).__name__
