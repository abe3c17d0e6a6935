"""What the search-by-meaning tests share: the paraphrase set's tips and a transcript to embed."""

from knowledge.models import TipPage
from knowledge.semantic import evaluation

from .factories import make_tip


def paraphrase_tips(author, *, distractors: int = 36) -> dict[str, TipPage]:
    """The paraphrase set's 20 target tips and some of its 36 others, published, by title."""
    tips = evaluation.all_tips()[: len(evaluation.PAIRS) + distractors]
    return {title: make_tip(title, author=author, summary=summary, body="") for title, summary in tips}


VTT = """WEBVTT

00:00:05.000 --> 00:00:09.000
Open with the customer's last quarter results.

00:01:23.000 --> 00:01:27.500
Never discount before the champion has seen the business case.
"""
