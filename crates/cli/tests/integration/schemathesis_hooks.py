"""Schemathesis hooks for Kinga's API fuzzing: CSV bodies (GBVIMS imports) are sent as text."""

import schemathesis


@schemathesis.serializer("text/csv")
class CSVSerializer:
    """Send whatever value was generated for a text/csv body as its UTF-8 bytes.

    Bytes, never str: `requests` counts a str body's Content-Length in UTF-8 bytes while
    `http.client` sends it in Latin-1, so a generated "é" announced two bytes and sent one, and
    the server rightly waited for the rest until its idle timeout closed the connection
    (schemathesis then reported "Remote end closed connection without response").
    """

    def as_requests(self, context, value):
        return {"data": utf8(value)}

    def as_werkzeug(self, context, value):
        return {"data": utf8(value)}


def utf8(value):
    """The value as UTF-8 bytes."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else str(value)).encode("utf-8")
