from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Knowledge"

    def ready(self):
        from config import spreadsheets

        from . import receivers, viewcounts  # noqa: F401  (viewcounts: its write buffer)
        from .index_updates import take_over_auto_update
        from .signal_handlers import register_signal_handlers

        take_over_auto_update()  # before wagtail.search (later in INSTALLED_APPS) registers its own
        _comments_out_of_the_reference_index()  # before wagtail (later too) registers the models
        register_signal_handlers()  # what forgets each cache (config.caching)
        register_shared_content()
        spreadsheets.neutralise_wagtail_exports()  # Wagtail's CSV reports write cells as they are


def _comments_out_of_the_reference_index() -> None:
    """Wagtail's reference index lists what uses a page, image or snippet. A comment "used" the
    page it is about, so a tip's usage and its delete confirmation counted its comments as
    references, and every comment cost the worker a reference-index job. The class attribute is
    Wagtail's own switch for a model it should not index."""
    from django_comments_xtd.models import XtdComment

    XtdComment.wagtail_reference_index_ignore = True


def register_shared_content() -> None:
    """Tips and microposts take marks and comments, fill the streams, are searched and embedded."""
    from . import contracts
    from .listings import micropost_source, tip_source
    from .models import Micropost, TipPage
    from .reactions import pages_visible_to
    from .sitesearch.kinds import micropost_kind, tip_kind

    contracts.register(
        TipPage,
        visible_to=lambda user: pages_visible_to(TipPage.objects.all(), user),
        stream=tip_source,
        search=tip_kind(),
    )
    contracts.register(
        Micropost, visible_to=lambda user: Micropost.objects.all(), stream=micropost_source, search=micropost_kind()
    )
