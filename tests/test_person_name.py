"""How Huddle names a person (config.people): full name, else username, and never markup on a page."""

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from config.people import person_name

from .factories import make_rep, make_tip


def _user(first_name="", last_name="", username="ann"):
    """Unsaved: the rule reads only the names."""
    return get_user_model()(username=username, first_name=first_name, last_name=last_name)


def _filtered(user) -> str:
    return Template("{% load people %}{{ user|person_name }}").render(Context({"user": user}))


@pytest.mark.parametrize("name", [person_name, _filtered], ids=["function", "filter"])
@pytest.mark.parametrize(
    ("first_name", "last_name", "expected"),
    [
        ("Ann", "Lee", "Ann Lee"),
        (" Ann ", "", "Ann"),
        ("", "", "ann"),
        ("  ", " ", "ann"),
    ],
    ids=["full name", "stripped", "blank", "whitespace"],
)
def test_the_full_name_else_the_username(name, first_name, last_name, expected):
    assert name(_user(first_name, last_name)) == expected


@pytest.mark.parametrize("name", [person_name, _filtered], ids=["function", "filter"])
def test_no_one_has_no_name(name):
    assert name(None) == ""


def test_a_variable_the_template_cannot_resolve_names_no_one():
    assert Template("{% load people %}{{ nobody|person_name }}").render(Context()) == ""


def test_the_filter_escapes_a_name_like_any_other_value():
    assert _filtered(_user("<b>Ann</b>")) == "&lt;b&gt;Ann&lt;/b&gt;"


@pytest.mark.django_db
def test_a_name_with_markup_shows_as_text_on_the_profile_and_on_a_tip(rep_client):
    author = make_rep("ann", first_name="<b>Ann</b>")
    tip = make_tip("Lead with the customer's numbers", author=author)
    for response in (rep_client.get(reverse("profile", args=["ann"])), rep_client.get(tip.url)):
        assertContains(response, "&lt;b&gt;Ann&lt;/b&gt;")
        assertNotContains(response, "<b>Ann</b>")
