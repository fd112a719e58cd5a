"""The model: every concept of the domain as a table, with no logic beyond invariants."""

from aligna.model.access import InitiativeAccess, KpiAccess
from aligna.model.account import (
    Account,
    AccountRole,
    ApiToken,
    LoginAttempt,
    PasswordResetToken,
    WebSession,
)
from aligna.model.audit import AuditEntry, ChangeSet
from aligna.model.base import Base
from aligna.model.channel import (
    AppriseDestination,
    ChannelEvent,
    DigestMark,
    EscalationRule,
    Follow,
    InboxItem,
    JobRun,
    Message,
    Notification,
    NotificationPreference,
    SchedulerLease,
)
from aligna.model.evaluation import (
    EvaluationRun,
    InitiativeEvaluation,
    KpiEvaluation,
    KpiForecast,
    ObjectiveEvaluation,
    PerformanceException,
    ScorecardEvaluation,
    VisionGapEvaluation,
)
from aligna.model.foundation import Foundation, Value, VisionTarget
from aligna.model.initiative import (
    Initiative,
    InitiativeContribution,
    InitiativeContributor,
    InitiativeInfluencer,
    Milestone,
)
from aligna.model.kpi import Connection, Kpi, KpiInfluencer, KpiObjective, KpiTargetOverride
from aligna.model.measure import KpiRefresh, KpiTargetVersion, Observation
from aligna.model.org import Person, TeamMembership, Unit
from aligna.model.scorecard import BusinessScorecardItem, ScorecardItem
from aligna.model.strategy import Objective, ObjectiveVisionTarget, Process

__all__ = [
    "Account",
    "AccountRole",
    "ApiToken",
    "AppriseDestination",
    "AuditEntry",
    "Base",
    "BusinessScorecardItem",
    "ChangeSet",
    "ChannelEvent",
    "Connection",
    "DigestMark",
    "EscalationRule",
    "EvaluationRun",
    "Follow",
    "Foundation",
    "InboxItem",
    "Initiative",
    "InitiativeAccess",
    "InitiativeContribution",
    "InitiativeContributor",
    "InitiativeEvaluation",
    "InitiativeInfluencer",
    "JobRun",
    "Kpi",
    "KpiAccess",
    "KpiEvaluation",
    "KpiForecast",
    "KpiInfluencer",
    "KpiObjective",
    "KpiRefresh",
    "KpiTargetOverride",
    "KpiTargetVersion",
    "LoginAttempt",
    "Message",
    "Milestone",
    "Notification",
    "NotificationPreference",
    "Objective",
    "ObjectiveEvaluation",
    "ObjectiveVisionTarget",
    "Observation",
    "PasswordResetToken",
    "PerformanceException",
    "Person",
    "Process",
    "SchedulerLease",
    "ScorecardEvaluation",
    "ScorecardItem",
    "TeamMembership",
    "Unit",
    "Value",
    "VisionGapEvaluation",
    "VisionTarget",
    "WebSession",
]
