from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from config.people import person_name
from config.spreadsheets import csv_response
from knowledge.forms import account_from_name
from knowledge.ratelimit import limit_valid_form, too_many_requests

from .forms import ChallengeForm, CriterionFormSet, ReviewForm, SubmissionForm, VideoShareForm
from .models import CoachingVideoPage, PitchChallenge, PitchReview, PitchSubmission
from .pitches import (
    PitchRefused,
    averages_by_rep,
    can_create_challenge,
    can_see_all_reviews,
    create_challenge,
    criterion_averages,
    review_pitch,
    submit_pitch,
)
from .sharing import VideoDraft, share_video
from .transcripts import to_webvtt
from .uploads import install_size_limit
from .watching import record_progress


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@csrf_exempt  # the size check must sit in front of the body parser; CSRF is checked just below
def video_create(request):
    """Share a video from the site: upload (or link), optional transcript, publish at once."""
    handler = install_size_limit(request) if request.method == "POST" else None
    return csrf_protect(_video_create)(request, handler)


def _video_create(request, handler):
    limited = None
    if request.method == "POST":
        form = VideoShareForm(request.POST, request.FILES, too_large=handler.too_large)
        limited = limit_valid_form(form, request.user, action="upload")
        if form.is_valid():
            data = form.cleaned_data
            draft = VideoDraft(
                title=data["title"],
                summary=data["summary"],
                file=data["file"],
                file_kind=form.file_kind,
                external_url=data["external_url"],
                transcript=form.transcript,
                skills=data["skills"],
                account=account_from_name(data["account_name"]),
                industry=data["industry"],
                stage=data["stage"],
                presenter_name=data["presenter_name"],
                presenter_title=data["presenter_title"],
            )
            page = share_video(draft, author=request.user)
            messages.success(request, "Your video is live. Thanks for sharing!")
            if _wants_json(request):
                return JsonResponse({"redirect": page.url})
            return redirect(page.url)
        if _wants_json(request):
            html = render_to_string("coaching/includes/video_form.html", {"form": form}, request=request)
            response = JsonResponse({"html": html}, status=400)
            return too_many_requests(response, limited) if limited else response
        status = 400
    else:
        form, status = VideoShareForm(), 200
    response = render(request, "coaching/video_create.html", {"form": form}, status=status)
    return too_many_requests(response, limited) if limited else response


@require_GET
def captions(request, pk):
    """The video's transcript as a WebVTT captions track for the <track> element."""
    video = get_object_or_404(CoachingVideoPage.objects.live(), pk=pk)
    response = HttpResponse(to_webvtt(video.cues.all()), content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@never_cache
@require_POST
def watch_progress(request, pk):
    """The player's beacon: how far the viewer got (seconds) and how long the video is."""
    video = get_object_or_404(CoachingVideoPage.objects.live(), pk=pk)
    try:
        position = float(request.POST.get("position", ""))
        duration = float(request.POST.get("duration") or 0)
    except ValueError:
        return JsonResponse({"error": "position must be a number of seconds"}, status=400)
    if not (0 <= position < 86_400 and 0 <= duration < 86_400):
        return JsonResponse({"error": "position out of range"}, status=400)
    progress = record_progress(request.user, video, position=position, duration=duration)
    return JsonResponse({"furthest": progress.furthest_seconds, "percent": progress.percent})


def challenge_list(request):
    challenges = (
        PitchChallenge.objects.select_related("created_by")
        .annotate(submission_count=Count("submissions", filter=Q(submissions__is_active=True)))
        .order_by("-due_date", "-pk")
    )
    return render(
        request,
        "coaching/challenge_list.html",
        {"challenges": challenges, "can_create": can_create_challenge(request.user)},
    )


def challenge_create(request):
    if not can_create_challenge(request.user):
        raise PermissionDenied("Only managers and marketing can post a pitch challenge.")
    challenge = PitchChallenge()
    if request.method == "POST":
        form = ChallengeForm(request.POST, instance=challenge)
        formset = CriterionFormSet(request.POST, instance=challenge, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            criteria = [
                criterion_form.save(commit=False) for criterion_form in formset.forms if criterion_form.has_changed()
            ]
            create_challenge(form.save(commit=False), criteria, user=request.user)
            messages.success(request, "Challenge posted. Reps can submit their pitch now.")
            return redirect(challenge.get_absolute_url())
        status = 400
    else:
        form, status = ChallengeForm(), 200
        formset = CriterionFormSet(instance=challenge, prefix="criteria")
    return render(request, "coaching/challenge_form.html", {"form": form, "formset": formset}, status=status)


def _challenge_context(request, challenge, form) -> dict:
    submissions = (
        challenge.submissions.active().with_review_counts().select_related("submitter").order_by("-created_at")
    )
    mine = list(PitchSubmission.objects.filter(challenge=challenge, submitter=request.user).order_by("-created_at"))
    context = {
        "challenge": challenge,
        "submissions": submissions,
        "my_submissions": mine,
        "is_manager": can_see_all_reviews(request.user),
        "form": form,
    }
    if mine:
        context["my_averages"] = criterion_averages(challenge, mine)
    if context["is_manager"]:
        context["rep_averages"] = averages_by_rep(challenge)
    return context


def _get_challenge(pk):
    return get_object_or_404(PitchChallenge.objects.select_related("created_by").prefetch_related("criteria"), pk=pk)


def pitch_averages_csv(request, pk):
    """The managers' "Average scores per rep" table of a challenge, as CSV."""
    challenge = _get_challenge(pk)
    if not can_see_all_reviews(request.user):
        raise PermissionDenied("Only managers see every rep's pitch scores.")
    criteria = list(challenge.criteria.all())
    rows = (
        [
            person_name(row["submission"].submitter),
            row["submission"].submitter.username,
            *("" if value is None else f"{value:.2f}" for value in row["averages"]),
            "" if row["overall"] is None else f"{row['overall']:.2f}",
            row["submission"].review_count,
        ]
        for row in averages_by_rep(challenge)
    )
    header = ["rep", "username", *(criterion.name for criterion in criteria), "overall", "reviews"]
    return csv_response(header, rows, filename=f"pitch-averages-{challenge.pk}")


def challenge_detail(request, pk):
    challenge = _get_challenge(pk)
    return render(
        request,
        "coaching/challenge_detail.html",
        _challenge_context(request, challenge, SubmissionForm()),
    )


@csrf_exempt  # the size check must sit in front of the body parser; CSRF is checked just below
@require_POST
def pitch_submit(request, pk):
    handler = install_size_limit(request)
    return csrf_protect(_pitch_submit)(request, pk, handler)


def _pitch_submit(request, pk, handler):
    challenge = _get_challenge(pk)
    form = SubmissionForm(request.POST, request.FILES, too_large=handler.too_large)
    limited = limit_valid_form(form, request.user, action="upload")  # pitch videos and shared videos alike
    if form.is_valid():
        try:
            submission = submit_pitch(
                challenge,
                submitter=request.user,
                upload=form.cleaned_data["file"],
                kind=form.file_kind,
                note=form.cleaned_data["note"],
            )
        except PitchRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(challenge.get_absolute_url())
        messages.success(request, "Your pitch is in. Peers can review it now.")
        if _wants_json(request):
            return JsonResponse({"redirect": submission.get_absolute_url()})
        return redirect(submission.get_absolute_url())
    if _wants_json(request):
        html = render_to_string(
            "coaching/includes/submission_form.html",
            {"form": form, "challenge": challenge},
            request=request,
        )
        response = JsonResponse({"html": html}, status=400)
    else:
        response = render(
            request,
            "coaching/challenge_detail.html",
            _challenge_context(request, challenge, form),
            status=400,
        )
    return too_many_requests(response, limited) if limited else response


def _submission_context(request, submission, review_form=None) -> dict:
    challenge = submission.challenge
    user = request.user
    is_submitter = submission.submitter_id == user.pk
    see_all = is_submitter or can_see_all_reviews(user)
    own_review = next((review for review in submission.reviews.all() if review.reviewer_id == user.pk), None)
    context = {
        "submission": submission,
        "challenge": challenge,
        "is_submitter": is_submitter,
        "own_review": own_review,
        "see_all": see_all,
    }
    if is_submitter:
        # Every pitch this rep sent for the challenge, newest first, with all their reviews.
        history = (
            PitchSubmission.objects.filter(challenge=challenge, submitter=user)
            .prefetch_related(Prefetch("reviews", queryset=PitchReview.objects.with_scores()))
            .order_by("-created_at")
        )
        context["history"] = history
        context["averages"] = criterion_averages(challenge, history)
    elif see_all:
        context["averages"] = criterion_averages(challenge, [submission])
    if not is_submitter and submission.is_active:
        if review_form is None:
            initial = {}
            if own_review:
                initial = {"comment": own_review.comment}
                initial.update({f"score_{score.criterion_id}": score.score for score in own_review.scores.all()})
            review_form = ReviewForm(initial=initial, criteria=challenge.criteria.all())
        context["review_form"] = review_form
    return context


def _get_submission(pk):
    return get_object_or_404(
        PitchSubmission.objects.select_related("challenge", "submitter", "media").prefetch_related(
            "challenge__criteria", Prefetch("reviews", queryset=PitchReview.objects.with_scores())
        ),
        pk=pk,
    )


def submission_detail(request, pk):
    submission = _get_submission(pk)
    return render(request, "coaching/submission_detail.html", _submission_context(request, submission))


@require_POST
def pitch_review(request, pk):
    submission = _get_submission(pk)
    form = ReviewForm(request.POST, criteria=submission.challenge.criteria.all())
    if submission.submitter_id == request.user.pk:
        messages.error(request, "You can't review your own pitch.")
        return redirect(submission.get_absolute_url())
    if not form.is_valid():
        return render(
            request,
            "coaching/submission_detail.html",
            _submission_context(request, submission, review_form=form),
            status=400,
        )
    try:
        _, created = review_pitch(
            submission,
            reviewer=request.user,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
        )
    except PitchRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(submission.get_absolute_url())
    if created:
        messages.success(request, "Thanks for coaching a teammate: your review is saved.")
    else:
        messages.info(request, "You had already reviewed this pitch, so your earlier review was updated.")
    return redirect(submission.get_absolute_url())
