"""The leaderboard's models, a module per job; every name is importable from here, as before."""

from .activity import ActivityCounts, ActivityEvent, DailyActivity, MonthlyActivity, RollupState
from .deals import Deal, DealQuerySet
from .rates import ExchangeRate, ExchangeRateQuerySet, RateTable
from .scoring_settings import CURRENCY_CODE, ScoringSettings
from .teams import RepProfile, Team
from .tokens import ApiToken, ApiTokenQuerySet

__all__ = [
    "CURRENCY_CODE",
    "ActivityCounts",
    "ActivityEvent",
    "ApiToken",
    "ApiTokenQuerySet",
    "DailyActivity",
    "Deal",
    "DealQuerySet",
    "ExchangeRate",
    "ExchangeRateQuerySet",
    "MonthlyActivity",
    "RateTable",
    "RepProfile",
    "RollupState",
    "ScoringSettings",
    "Team",
]
