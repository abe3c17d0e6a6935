from knowledge.models import HuddlePage


class CoachingIndexPage(HuddlePage):
    """The Coaching section: coaching videos and pitch challenges live below it."""

    max_count = 1
    parent_page_types = ["knowledge.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "coaching index"
