"""The closed vocabularies of the domain, shared by files, model and evaluation."""

from __future__ import annotations

from enum import StrEnum

from aligna.periods import Frequency

__all__ = [
    "AccountRoleName",
    "Aggregation",
    "BreakdownTotal",
    "Frequency",
    "InfluencerKind",
    "MissionGapTopic",
    "Polarity",
    "Projection",
    "Role",
    "ScorecardItemKind",
    "TrajectoryShape",
    "TransportName",
]


class Polarity(StrEnum):
    """Which direction of a KPI is good."""

    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"
    within_range = "within_range"


class Aggregation(StrEnum):
    """How a KPI's values aggregate over time."""

    sum = "sum"
    mean = "mean"
    last = "last"


class InfluencerKind(StrEnum):
    """How an influencer relates to the owner of an item."""

    lateral = "lateral"
    vertical = "vertical"
    cross_functional = "cross_functional"


class Role(StrEnum):
    """A person's role on a scorecard item."""

    accountable = "accountable"
    contributor = "contributor"
    influencer = "influencer"


class ScorecardItemKind(StrEnum):
    """What a scorecard item refers to."""

    kpi = "kpi"
    initiative = "initiative"


class TrajectoryShape(StrEnum):
    """How targets move from the baseline to the final target."""

    linear = "linear"
    compound = "compound"


class Projection(StrEnum):
    """How a vision target's KPI is projected organically to the horizon."""

    compound = "compound"
    linear = "linear"


class BreakdownTotal(StrEnum):
    """How unit values of a broken-down KPI make the organisation's value."""

    sum = "sum"
    mean = "mean"
    none = "none"


class MissionGapTopic(StrEnum):
    """The questions of the mission-gap questionnaire an initiative answers."""

    relevance = "relevance"
    customers = "customers"
    products = "products"
    technology = "technology"
    infrastructure = "infrastructure"


class AccountRoleName(StrEnum):
    """A role granted to an account; manager and member come from the reporting line instead."""

    admin = "admin"
    strategy_office = "strategy_office"


class TransportName(StrEnum):
    """How a message reaches a person: the in-app inbox, email, or an Apprise URL."""

    inbox = "inbox"
    email = "email"
    apprise = "apprise"


class EventKind(StrEnum):
    """Something that happened to an item or an exception, which people may need to hear."""

    status_changed = "status_changed"
    exception_opened = "exception_opened"
    exception_escalated = "exception_escalated"
    exception_acknowledged = "exception_acknowledged"
    exception_committed = "exception_committed"
    commitment_missed = "commitment_missed"
    exception_resolved = "exception_resolved"
    milestone_due_soon = "milestone_due_soon"


class Delivery(StrEnum):
    """When a person hears of an event kind: at once, in a digest, or not at all."""

    immediately = "immediately"
    daily = "daily"
    weekly = "weekly"
    off = "off"


class RecipientRole(StrEnum):
    """Why a person hears of an event: they own the item, influence it, manage it, follow it."""

    owner = "owner"
    manager = "manager"
    influencer = "influencer"
    follower = "follower"
