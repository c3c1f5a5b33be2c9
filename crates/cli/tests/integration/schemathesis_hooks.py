"""Schemathesis hooks for Kinga's API fuzzing: CSV bodies (GBVIMS imports) are sent as text."""

import schemathesis


@schemathesis.serializer("text/csv")
class CSVSerializer:
    """Send whatever value was generated for a text/csv body as its text."""

    def as_requests(self, context, value):
        return {"data": value if isinstance(value, (str, bytes)) else str(value)}

    def as_werkzeug(self, context, value):
        return {"data": value if isinstance(value, (str, bytes)) else str(value)}
