"""Knowledge's models, one module per job; every name is importable from ``knowledge.models``.

``base`` (the page base class), ``accounts`` (accounts, industries, stages), ``tips``,
``microposts`` (and mentions), ``reactions`` (helpful marks, views), ``marketing`` (featured
collections, sharing settings), ``feeds`` (private feed keys), ``indexes`` (the home feed
and the tips index, which list the others) and ``searching`` (what the worker has yet to do for saved
objects).
"""

from .accounts import INDUSTRY_CHOICES, Account, AccountQuerySet, Stage
from .base import HuddlePage, SharedPage
from .feeds import FeedToken, _new_feed_key
from .indexes import HomePage, TipIndexPage
from .marketing import FeaturedCollection, FeaturedCollectionItem, KnowledgeSettings
from .microposts import Mention, Micropost, MicropostQuerySet, MicropostTag
from .reactions import ContentView, HelpfulMark, ReactionQuerySet
from .searching import PendingUpdate
from .tips import CARD_FIELDS, TipPage, TipPageManager, TipPageQuerySet, TipPageTag, default_verified_until

__all__ = [
    "CARD_FIELDS",
    "INDUSTRY_CHOICES",
    "Account",
    "AccountQuerySet",
    "ContentView",
    "FeaturedCollection",
    "FeaturedCollectionItem",
    "FeedToken",
    "HelpfulMark",
    "HomePage",
    "HuddlePage",
    "KnowledgeSettings",
    "Mention",
    "Micropost",
    "MicropostQuerySet",
    "MicropostTag",
    "PendingUpdate",
    "ReactionQuerySet",
    "SharedPage",
    "Stage",
    "TipIndexPage",
    "TipPage",
    "TipPageManager",
    "TipPageQuerySet",
    "TipPageTag",
    "_new_feed_key",  # migration 0008 names it as knowledge.models._new_feed_key
    "default_verified_until",
]
