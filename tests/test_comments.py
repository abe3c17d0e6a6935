"""Comments on tips: two levels, like/dislike, account names, e-mail to authors, no JavaScript."""

import pytest
from django.core import mail
from django_comments_xtd.models import XtdComment
from pytest_django.asserts import assertContains, assertNotContains

from .factories import make_rep, make_tip


def comment_form_data(client, tip, text, reply_to=0):
    """The hidden security fields come from the rendered page, as a browser would send them."""
    from django_comments.forms import CommentSecurityForm

    security = CommentSecurityForm(tip).generate_security_data()
    return {**security, "comment": text, "reply_to": reply_to, "honeypot": "", "next": tip.get_absolute_url()}


@pytest.fixture
def tip(db):
    return make_tip(
        "Handling the 'too expensive' objection",
        author=make_rep("author", first_name="Ana", last_name="Author"),
    )


@pytest.mark.django_db
def test_comment_form_has_no_name_email_or_url_fields_and_no_gravatar(rep_client, tip):
    response = rep_client.get(tip.url)
    assertContains(response, 'name="comment"')
    for absent in ('name="name"', 'name="email"', 'name="url"', "gravatar"):
        assertNotContains(response, absent)


@pytest.mark.django_db
def test_a_comment_shows_under_the_tip_with_the_commenters_account_name(rep_client, rep, tip):
    rep.first_name, rep.last_name = "Riley", "Rep"
    rep.save()
    response = rep_client.post(
        "/comments/post/",
        comment_form_data(rep_client, tip, "Worked for me <b>too</b>"),
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(tip.url)
    assertContains(response, "Worked for me &lt;b&gt;too&lt;/b&gt;")
    assertContains(response, "Riley Rep")
    assert XtdComment.objects.get().user == rep


@pytest.mark.django_db
def test_the_tips_author_gets_an_email_about_a_comment(rep_client, tip):
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "Great tip"))
    assert [message.to for message in mail.outbox] == [["author@example.com"]]
    assert "commented on" in mail.outbox[0].subject
    assert "Great tip" in mail.outbox[0].body


@pytest.mark.django_db
def test_replies_nest_one_level_and_notify_the_parent_commenter(rep_client, other_rep_client, tip):
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "Question about pricing?"))
    parent = XtdComment.objects.get()
    mail.outbox.clear()
    other_rep_client.post(
        "/comments/post/",
        comment_form_data(other_rep_client, tip, "Here is the answer", reply_to=parent.pk),
    )
    reply = XtdComment.objects.exclude(pk=parent.pk).get()
    assert reply.level == 1 and reply.parent_id == parent.pk
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["author@example.com", "rep@example.com"]
    content = rep_client.get(tip.url).content.decode()
    replies = content[content.index("comment-list--replies") :]
    assert "Here is the answer" in replies
    # Two levels only: a reply has no reply form of its own.
    assert content.count("<summary>Reply") == 1


@pytest.mark.django_db
def test_like_and_dislike_work_as_plain_forms(rep_client, other_rep_client, tip):
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "Useful"))
    comment = XtdComment.objects.get()
    response = other_rep_client.post(f"/comments/like/{comment.pk}/", {"next": tip.url}, follow=True)
    assert response.redirect_chain[-1][0].startswith(tip.url)
    assert response.context is not None
    content = response.content.decode()
    assert (
        'aria-pressed="true"><span aria-hidden="true">▲</span> Like '
        '<span class="visually-hidden">this comment</span>1' in content
    )
    other_rep_client.post(f"/comments/dislike/{comment.pk}/", {"next": tip.url})
    content = other_rep_client.get(tip.url).content.decode()
    assert 'Like <span class="visually-hidden">this comment</span>0' in content
    assert 'Dislike <span class="visually-hidden">this comment</span>1' in content


@pytest.mark.django_db
def test_each_comment_counts_its_own_votes_and_shows_the_readers_as_pressed(rep_client, other_rep_client, tip):
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "First"))
    first = XtdComment.objects.get()
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "A reply", reply_to=first.pk))
    reply = XtdComment.objects.exclude(pk=first.pk).get()
    rep_client.post(f"/comments/like/{first.pk}/", {"next": tip.url})
    other_rep_client.post(f"/comments/like/{first.pk}/", {"next": tip.url})
    other_rep_client.post(f"/comments/dislike/{reply.pk}/", {"next": tip.url})
    like = '<span aria-hidden="true">▲</span> Like <span class="visually-hidden">this comment</span>'
    dislike = '<span aria-hidden="true">▼</span> Dislike <span class="visually-hidden">this comment</span>'
    content = rep_client.get(tip.url).content.decode()
    assert f'aria-pressed="true">{like}2' in content
    assert f'aria-pressed="false">{dislike}1' in content  # the reply: someone else's dislike
    content = other_rep_client.get(tip.url).content.decode()
    assert f'aria-pressed="true">{like}2' in content
    assert f'aria-pressed="true">{dislike}1' in content
    assert f'aria-pressed="false">{like}0' in content  # nobody liked the reply


@pytest.mark.django_db
def test_an_empty_comment_is_refused_with_a_message(rep_client, tip):
    response = rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "   "))
    assertContains(response, "Your comment wasn't posted")
    assertContains(response, "Write something first")
    assert not XtdComment.objects.exists()


@pytest.mark.django_db
def test_comment_count_shows_on_the_card(rep_client, tip):
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "One"))
    assertContains(rep_client.get("/tips/"), "1 comment")


@pytest.mark.django_db
def test_commenting_too_fast_is_refused_with_the_wait_and_the_text_kept(rep_client, tip, settings):
    settings.POST_RATE_LIMIT = "2/60"
    for number in range(2):
        response = rep_client.post("/comments/post/", comment_form_data(rep_client, tip, f"Point {number}"))
        assert response.status_code == 302
    response = rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "A third <b>point</b>"))
    assert response.status_code == 429
    assertContains(response, "posting too fast: at most 2 posts every 60 seconds", status_code=429)
    assertContains(response, "Your comment</label>", status_code=429)
    assertContains(response, "A third &lt;b&gt;point&lt;/b&gt;</textarea>", status_code=429)
    assert XtdComment.objects.count() == 2


# Every way to comment goes through one view, one limit, one author and one set of checks.


def security_fields(obj) -> dict:
    from django_comments.forms import CommentSecurityForm

    return CommentSecurityForm(obj).generate_security_data()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/comments/api/comment/",
        "/comments/api/feedback/",
        "/comments/sent/",
        "/comments/mute/x/",
        "/comments/confirm/x/",
        "/comments/flag/1/",
        "/comments/approve/1/",
        "/comments/reply/1/",
        "/comments/cr/1/1/",
    ],
)
def test_comments_xtds_api_and_unused_routes_are_not_mounted(rep_client, tip, url):
    """Only the routes the site uses exist: the REST API that skipped every limit answers 404."""
    data = {
        "content_type": "knowledge.tippage",
        "object_pk": tip.pk,
        "comment": "Spam",
        "name": "Ana Author",
        "email": "author@example.com",
    }
    assert rep_client.post(url, data).status_code == 404
    assert rep_client.get(url).status_code == 404
    assert not XtdComment.objects.exists()


@pytest.mark.django_db
def test_the_author_is_the_signed_in_user_whatever_name_and_email_the_form_sends(rep_client, rep, tip):
    """A forged name, e-mail, link and follow-up request are replaced by the signed-in user's."""
    rep.first_name, rep.last_name = "Riley", "Rep"
    rep.save()
    data = {
        **comment_form_data(rep_client, tip, "I am someone else"),
        "name": "Ana Author",
        "email": "author@example.com",
        "url": "http://evil.example/",
        "followup": "on",
    }
    response = rep_client.post("/comments/post/", data, follow=True)
    comment = XtdComment.objects.get()
    assert (comment.user, comment.user_name, comment.user_email, comment.user_url) == (
        rep,
        "Riley Rep",
        "rep@example.com",
        "",
    )
    assert comment.followup is False
    page = response.content.decode()
    assert "Riley Rep" in page[page.index("comments-heading") :]
    assert "evil.example" not in page


@pytest.mark.django_db
def test_a_forged_security_hash_is_refused_before_anything_is_loaded(rep_client, tip):
    data = {**comment_form_data(rep_client, tip, "Hello"), "security_hash": "0" * 40}
    response = rep_client.post("/comments/post/", data)
    assertContains(response, "Your comment wasn't posted", status_code=400)
    assertNotContains(response, tip.title, status_code=400)
    assert not XtdComment.objects.exists()


def _uncommentable(kind, manager, rep, other_rep):
    from coaching.pitches import review_pitch
    from leaderboard.models import ApiToken

    from .factories import make_challenge, make_deal, make_submission

    if kind == "leaderboard.deal":
        return make_deal("SECRET-1", owner=manager, name="Globex renewal 2027"), "Globex renewal"
    if kind == "leaderboard.apitoken":
        token = ApiToken(user=manager, name="Salesforce webhook")
        token.issue_key()
        token.save()
        return token, "Salesforce webhook"
    submission = make_submission(make_challenge(created_by=manager), submitter=rep)
    criteria = {criterion.pk: 3 for criterion in submission.challenge.criteria.all()}
    review, _ = review_pitch(submission, reviewer=other_rep, scores=criteria, comment="Private: your close was weak")
    return review, "Private: your close was weak"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["leaderboard.deal", "leaderboard.apitoken", "coaching.pitchreview"])
@pytest.mark.parametrize("signed", [False, True], ids=["forged-hash", "genuine-hash"])
def test_the_preview_never_names_content_that_takes_no_comments(
    rep_client, rep, other_rep, manager, settings, kind, signed
):
    """Over the limit or not, a form about a deal, a token or a pitch review renders nothing of it."""
    obj, secret = _uncommentable(kind, manager, rep, other_rep)
    settings.POST_RATE_LIMIT = "1/60"
    tip = make_tip(author=other_rep)
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "Uses the allowance"))
    fields = (
        security_fields(obj)
        if signed
        else {"content_type": kind, "object_pk": str(obj.pk), "timestamp": "1", "security_hash": "0" * 40}
    )
    for _ in range(2):  # at the limit and past it
        response = rep_client.post("/comments/post/", {**fields, "comment": "Show me", "reply_to": 0, "honeypot": ""})
        assert response.status_code == 400
        assertContains(response, "Your comment wasn't posted", status_code=400)
        assertNotContains(response, secret, status_code=400)
        if kind == "leaderboard.apitoken":
            assertNotContains(response, obj.prefix, status_code=400)
    assert XtdComment.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_tip_takes_no_comments(rep_client, other_rep):
    draft = make_tip("Unpublished pricing idea", author=other_rep, live=False)
    response = rep_client.post("/comments/post/", comment_form_data(rep_client, draft, "Early!"))
    assertNotContains(response, "Unpublished pricing idea", status_code=400)
    assert not XtdComment.objects.exists()


@pytest.mark.django_db
def test_microposts_and_live_videos_take_comments(rep_client, other_rep):
    from .factories import make_micropost, make_video

    post = make_micropost("Closed Acme with the ROI sheet", author=other_rep)
    video = make_video("Discovery in one question", author=other_rep)
    for obj in (post, video):
        response = rep_client.post(
            "/comments/post/", comment_form_data(rep_client, obj, f"Nice one on {obj.pk}"), follow=True
        )
        assertContains(response, f"Nice one on {obj.pk}")
    assert XtdComment.objects.count() == 2


@pytest.mark.django_db
def test_a_form_left_open_too_long_comes_back_with_the_text_kept(rep_client, tip):
    data = comment_form_data(rep_client, tip, "Written over lunch")
    from django_comments.forms import CommentSecurityForm

    stale = CommentSecurityForm(tip)
    old = str(int(data["timestamp"]) - 3 * 60 * 60)
    data.update(timestamp=old, security_hash=stale.generate_security_hash(data["content_type"], data["object_pk"], old))
    response = rep_client.post("/comments/post/", data)
    assertContains(response, "open too long", status_code=400)
    assertContains(response, "Written over lunch</textarea>", status_code=400)
    assert not XtdComment.objects.exists()
    response = rep_client.post("/comments/post/", {**data, **security_fields(tip)})
    assert response.status_code == 302 and XtdComment.objects.count() == 1


@pytest.mark.django_db
def test_someone_without_an_email_address_can_comment(rep_client, rep, tip):
    rep.email = ""
    rep.save()
    response = rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "No inbox here"), follow=True)
    assertContains(response, "No inbox here")
    assert XtdComment.objects.get().user == rep


@pytest.mark.django_db
def test_a_robot_filling_the_hidden_field_gets_huddles_refusal_page(rep_client, tip):
    data = {**comment_form_data(rep_client, tip, "Buy now"), "honeypot": "http://spam.example/"}
    response = rep_client.post("/comments/post/", data)
    assertContains(response, "Your comment wasn't posted", status_code=400)
    assertContains(response, "/static/css/huddle.css", status_code=400)
    assert not XtdComment.objects.exists()
