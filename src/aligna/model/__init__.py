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
from aligna.model.channel import InboxItem, Message
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
    "AuditEntry",
    "Base",
    "BusinessScorecardItem",
    "ChangeSet",
    "Connection",
    "EvaluationRun",
    "Foundation",
    "InboxItem",
    "Initiative",
    "InitiativeAccess",
    "InitiativeContribution",
    "InitiativeContributor",
    "InitiativeEvaluation",
    "InitiativeInfluencer",
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
    "Objective",
    "ObjectiveEvaluation",
    "ObjectiveVisionTarget",
    "Observation",
    "PasswordResetToken",
    "PerformanceException",
    "Person",
    "Process",
    "ScorecardEvaluation",
    "ScorecardItem",
    "TeamMembership",
    "Unit",
    "Value",
    "VisionGapEvaluation",
    "VisionTarget",
    "WebSession",
]
