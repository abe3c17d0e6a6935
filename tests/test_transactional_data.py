"""Tests that commit (browser tests, workers) each start with the migrated data (tests/conftest.py).

A transactional test ends by emptying every table; the next one gets the roles, permissions and
page tree back from the dump taken after migrating, with ids that still match and sequences
that go on past them.
"""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from wagtail.models import GroupPagePermission, Page, Site

from knowledge.models import HomePage, TipIndexPage
from knowledge.roles import ALL

from .factories import make_rep, make_tip


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("turn", ["first", "after another that committed"])
def test_a_transactional_test_starts_with_the_roles_and_the_page_tree(turn):
    assert set(Group.objects.filter(name__in=ALL).values_list("name", flat=True)) == set(ALL)
    assert Group.objects.filter(name__in=ALL, permissions__isnull=False).exists()
    assert GroupPagePermission.objects.filter(group__name__in=ALL).exists()
    home = Site.objects.get(is_default_site=True).root_page.specific
    assert isinstance(home, HomePage)
    assert TipIndexPage.objects.child_of(home).exists()
    page_types = Page.objects.values_list("content_type", flat=True)
    assert ContentType.objects.filter(pk__in=page_types).count() == len(set(page_types))

    tip = make_tip(f"Written {turn}", author=make_rep("committer"))  # new rows take fresh ids
    assert tip.url.startswith("/tips/")
