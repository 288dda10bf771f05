"""A real DNS server on loopback for tests (UDP, dnspython): answers TXT queries from a dict.

    with DnsZone({"_dmarc.clinic.example": ["v=DMARC1; p=none"]}) as zone:
        drip doctor --nameserver {zone.address}      # 127.0.0.1:PORT
        zone.asked                                   # the names looked up, in order
        zone.publish("clinic.example", "v=spf1 -all")   # replaces what the name had
    DnsZone(silent=True)                             # receives, never answers: "no network"

A name not in the dict gets NXDOMAIN; a text longer than 255 bytes is sent as several
character-strings, as DNS requires (a DKIM key always is).
"""

from __future__ import annotations

import socket
import threading

import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset

HOST = "127.0.0.1"


class DnsZone:
    def __init__(self, records: dict[str, list[str]] | None = None, *, silent: bool = False):
        self.records = {_fqdn(name): list(texts) for name, texts in (records or {}).items()}
        self.silent = silent
        self.asked: list[str] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind((HOST, 0))
        self._socket.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="dns-zone", daemon=True)

    def publish(self, name: str, *texts: str) -> None:
        """The TXT records at `name` from now on (none given: the name no longer exists)."""
        if texts:
            self.records[_fqdn(name)] = list(texts)
        else:
            self.records.pop(_fqdn(name), None)

    @property
    def address(self) -> str:
        return f"{HOST}:{self._socket.getsockname()[1]}"

    def __enter__(self) -> DnsZone:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, client = self._socket.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            name = query.question[0].name.to_text()
            self.asked.append(name.rstrip("."))
            if not self.silent:
                self._socket.sendto(self._answer(query, name).to_wire(), client)

    def _answer(self, query: dns.message.Message, name: str) -> dns.message.Message:
        response = dns.message.make_response(query)
        if name not in self.records:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        question = query.question[0]
        rrset = dns.rrset.RRset(question.name, dns.rdataclass.IN, dns.rdatatype.TXT)
        for text in self.records[name]:
            data = text.encode()
            chunks = [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
            rrset.add(dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, chunks), 300)
        response.answer.append(rrset)
        return response


def _fqdn(name: str) -> str:
    return name.rstrip(".") + "."
