"""How the domain's codes read in sentences: for messages, digests and pages alike."""

from __future__ import annotations

STATUS_WORDS = {
    "on_track": "on track",
    "at_risk": "at risk",
    "off_track": "off track",
    "no_data": "no data",
    "stale": "stale",
}
EXCEPTION_WORDS = {
    "off_track": "off track",
    "adverse_signal": "an adverse signal",
    "overdue_milestone": "an overdue milestone",
    "stale": "stale data",
}
