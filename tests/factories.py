"""Plain helpers that make test data; each app's section adds its own ``make_*``."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from knowledge.models import Account
from knowledge.roles import MANAGERS, MARKETING, REPS

PASSWORD = "huddle-test-pw"


def make_user(username: str, *, role: str = REPS, first_name: str = "", last_name: str = "", **extra):
    """A user in one role (new users land in Reps; other roles replace it)."""
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com",
        first_name=first_name or username.title(), last_name=last_name, **extra,
    )
    if role != REPS:
        user.groups.set([Group.objects.get(name=role)])
    return user


def make_rep(username: str = "rep", **kwargs):
    return make_user(username, role=REPS, **kwargs)


def make_manager(username: str = "manager", **kwargs):
    return make_user(username, role=MANAGERS, **kwargs)


def make_marketer(username: str = "marketing", **kwargs):
    return make_user(username, role=MARKETING, **kwargs)


def make_account(name: str = "Acme Corp", *, industry: str = "Manufacturing", crm_id: str | None = None):
    return Account.objects.create(name=name, industry=industry, crm_id=crm_id)


# Knowledge
def make_tip(title: str = "Re-engage a buyer who stopped answering", *, author=None, account=None,
             summary: str = "", body: str = "Send a short break-up e-mail.", tags=(), stage: str = "",
             live: bool = True, **extra):
    """A published tip under Tips (pages need ``parent.add_child(instance=...)``)."""
    from django.utils.text import slugify
    from wagtail.coreutils import find_available_slug
    from wagtail.rich_text import RichText

    from knowledge.models import TipIndexPage, TipPage

    index = TipIndexPage.objects.get()
    tip = TipPage(title=title, slug=find_available_slug(index, slugify(title)[:80] or "tip"), author=author,
                  owner=author, account=account, summary=summary, stage=stage, live=live,
                  body=[("paragraph", RichText(f"<p>{body}</p>"))], **extra)
    if live:
        from django.utils import timezone

        tip.first_published_at = tip.last_published_at = extra.get("first_published_at") or timezone.now()
    tip.tags.set(list(tags))
    index.add_child(instance=tip)
    return tip


def make_micropost(text: str = "Opened with the ROI calculator #pricing", *, author, account=None):
    from knowledge.microposts import post_micropost

    return post_micropost(author=author, text=text, account=account)
