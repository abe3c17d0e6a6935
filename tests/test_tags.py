"""Tags: one spelling, one tag, from every way a tag comes in; existing duplicates merged."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from pytest_django.asserts import assertContains
from taggit.models import Tag

from knowledge.models import Micropost, MicropostTag, TipPage, TipPageTag
from knowledge.tagging import normalise_tag, tags_from_string

from .factories import make_micropost, make_tip


@pytest.mark.parametrize(
    "typed",
    [
        "objection-handling",
        "#objection-handling",
        "objection handling",
        "Objection Handling",
        "objection_handling",
        "  #Objection  --  Handling ",
        "OBJECTION_handling",
    ],
)
def test_every_spelling_of_a_tag_is_one_spelling(typed):
    assert normalise_tag(typed) == "objection-handling"


def test_the_admin_tag_field_reads_tags_in_their_one_spelling():
    assert tags_from_string("objection handling") == ["objection-handling"]
    assert tags_from_string('#Pricing, "Objection handling", objection_handling') == ["pricing", "objection-handling"]


@pytest.mark.django_db
def test_a_hashtag_and_a_tip_tag_spelled_differently_make_one_tag(rep_client, rep):
    """#objection-handling in a post and "Objection handling" on a tip sit under one tag page."""
    make_micropost("Asked 'compared to what?' #objection-handling", author=rep)
    rep_client.post(
        reverse("tip_create"),
        {
            "title": "Handling the 'too expensive' objection",
            "body": "Ask: compared to what?",
            "tags": "Objection handling, #Pricing, pricing",
        },
    )
    make_micropost("Same again #Objection_Handling", author=rep)
    assert sorted(Tag.objects.values_list("name", "slug")) == [
        ("objection-handling", "objection-handling"),
        ("pricing", "pricing"),
    ]
    response = rep_client.get(reverse("tag_detail", args=["objection-handling"]))
    assertContains(response, "Handling the &#x27;too expensive&#x27; objection")
    assertContains(response, "Asked &#x27;compared to what?&#x27;")
    assertContains(response, "Same again")
    # The post's inline hashtag links to the one tag page, whatever the spelling.
    assertContains(rep_client.get("/"), 'href="/tags/objection-handling/">#Objection_Handling</a>')


@pytest.mark.django_db
def test_an_old_link_to_a_duplicate_tag_leads_to_the_one_tag(rep_client):
    Tag.objects.create(name="objection-handling", slug="objection-handling")
    response = rep_client.get("/tags/objection-handling_1/")
    assert response.status_code == 301 and response["Location"] == "/tags/objection-handling/"
    assert rep_client.get("/tags/Objection_Handling/")["Location"] == "/tags/objection-handling/"
    assert rep_client.get("/tags/no-such-tag/").status_code == 404


@pytest.mark.django_db
def test_the_migration_merges_duplicate_tags_and_repoints_what_they_tagged(rep):
    """Duplicates as the old code made them: items move to the oldest tag, no item tagged twice."""
    first = make_tip("Ask 'compared to what?'", author=rep)
    both = make_tip("Bring back the discovery number", author=rep)
    post = make_micropost("Cheaper is not cheaper", author=rep)
    kept = Tag.objects.create(name="objection-handling", slug="objection-handling")
    spaced = Tag.objects.create(name="objection handling", slug="objection-handling_1")
    capital = Tag.objects.create(name="#Objection_Handling", slug="objection_handling")
    other = Tag.objects.create(name="pricing", slug="pricing")
    TipPageTag.objects.create(content_object=first, tag=spaced)
    TipPageTag.objects.create(content_object=both, tag=kept)
    TipPageTag.objects.create(content_object=both, tag=capital)
    TipPageTag.objects.create(content_object=both, tag=other)
    MicropostTag.objects.create(content_object=post, tag=capital)

    migration = importlib.import_module("knowledge.migrations.0009_merge_duplicate_tags")
    migration.merge(apps, None)

    assert sorted(Tag.objects.values_list("pk", "name", "slug")) == [
        (kept.pk, "objection-handling", "objection-handling"),
        (other.pk, "pricing", "pricing"),
    ]
    assert set(TipPage.objects.filter(tags=kept).values_list("pk", flat=True)) == {first.pk, both.pk}
    assert TipPageTag.objects.filter(content_object=both, tag=kept).count() == 1
    assert TipPageTag.objects.filter(content_object=both).count() == 2
    assert list(Micropost.objects.filter(tags=kept)) == [post]
    migration.merge(apps, None)  # running it again changes nothing
    assert Tag.objects.count() == 2 and TipPageTag.objects.count() == 3


@pytest.mark.django_db
def test_the_migration_gives_the_kept_tag_the_clean_slug_once_it_is_free():
    kept = Tag.objects.create(name="Objection Handling", slug="objection-handling_1")
    importlib.import_module("knowledge.migrations.0009_merge_duplicate_tags").merge(apps, None)
    kept.refresh_from_db()
    assert (kept.name, kept.slug) == ("objection-handling", "objection-handling")


@pytest.mark.django_db
def test_the_demo_spells_each_tag_once():
    """The videos' "objection handling" skill is the tips' objection-handling tag, not a second one."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    names = list(Tag.objects.values_list("name", flat=True))
    assert "objection-handling" in names
    assert [name for name in names if normalise_tag(name) != name] == []
