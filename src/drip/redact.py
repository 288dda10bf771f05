"""What never reaches a log line, an error message or a page: passwords and email addresses.

    redact.url("postgresql://drip:s3cret@db/drip")   # 'postgresql://drip:***@db/drip'
    redact.secret(text, url)                          # the URL's password hidden in any text
    redact.addresses("550 <ana@example.com> unknown") # '550 <<address>> unknown'

The one place for both: database and mailer URLs alike, even ones no library would parse,
and server replies (relays quote the recipient).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_QUERY_PASSWORD = re.compile(r"(^|&)(password=)[^&]*", re.IGNORECASE)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def url(text: str) -> str:
    """`text` with its password (`user:***@`, `?password=***`) hidden: fit for logs and errors."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    parts = urlsplit("//" + rest)  # by hand, so that an invalid scheme hides nothing
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{host}"
    query = _QUERY_PASSWORD.sub(r"\1\2***", parts.query)
    if (netloc, query) == (parts.netloc, parts.query):
        return text
    tail = (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return f"{scheme}://{netloc}{parts.path}{tail}"


def secret(text: str, url_with_password: str) -> str:
    """`text` (say, a driver's error message) with the password of the URL hidden wherever the
    driver repeated it."""
    password = urlsplit("//" + url_with_password.partition("://")[2]).password
    return text.replace(password, "***") if password else text


def addresses(text: str) -> str:
    """`text` with every email address replaced: a server's reply may quote the recipient."""
    return _ADDRESS.sub("<address>", text)
