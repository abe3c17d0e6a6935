from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models.signals import post_save
from django.dispatch import receiver

from .roles import REPS


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="knowledge_new_user_is_rep")
def new_users_are_reps(sender, instance, created, raw=False, **kwargs):
    """Everyone starts as a rep; marketing and managers are promoted by hand."""
    if created and not raw:
        group, _ = Group.objects.get_or_create(name=REPS)
        instance.groups.add(group)
