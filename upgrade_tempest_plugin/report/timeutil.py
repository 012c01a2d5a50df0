"""Times in the report: epoch seconds inside, ISO 8601 UTC outside."""

import datetime


def to_epoch(value):
    """Return epoch seconds for an epoch number or an ISO 8601 string."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def to_iso(epoch):
    """Return an ISO 8601 UTC string (millisecond precision) for epoch."""
    if epoch is None:
        return None
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def to_datetime(epoch):
    """Return a naive UTC datetime, the form plotting libraries expect."""
    return datetime.datetime.fromtimestamp(
        epoch, datetime.timezone.utc).replace(tzinfo=None)
