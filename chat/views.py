"""Slack calls these: the /huddle search command and the "Save as Huddle tip" message shortcut."""

import json
import logging
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tasks import task

from knowledge.links import absolute
from knowledge.sitesearch.searching import search_site

from . import slack
from .delivery import _slack_escape, post_json
from .drafts import save_draft_tip

logger = logging.getLogger(__name__)

RESULTS_SHOWN = 5
SAVE_AS_TIP = "save_as_huddle_tip"
UNKNOWN_PERSON = (
    "Huddle has no account with your Slack e-mail address. Sign in to Huddle once with that address, "
    "or ask an administrator to add you to SLACK_USER_EMAILS."
)


def _ephemeral(text: str) -> JsonResponse:
    return JsonResponse({"response_type": "ephemeral", "text": text})


def _refusal(request) -> HttpResponse | None:
    """404 while Slack is not set up; 401 for anything Slack did not sign, signed long ago, or sent before."""
    if not slack.enabled():
        raise Http404("Slack is not set up on this Huddle.")
    reason = slack.verified(request.body, request.headers)
    if reason is not None:
        logger.warning("refused a Slack request from %s: %s", request.META.get("REMOTE_ADDR"), reason)
        return HttpResponse(reason, status=401, content_type="text/plain")
    return None


def search_results_message(query: str) -> dict:
    """The top results as a message everyone in the channel sees, each a link back to Huddle."""
    outcome = search_site(query, per_page=RESULTS_SHOWN)
    if not outcome.hits:
        return {"response_type": "ephemeral", "text": f"Nothing in Huddle matches “{query}”."}
    lines = []
    for hit in outcome.hits:
        line = f"• <{absolute(hit.url)}|{_slack_escape(hit.title)}> ({hit.kind_label})"
        if hit.snippet:
            snippet = " ".join(hit.snippet.replace("<mark>", "").replace("</mark>", "").split())
            line += f"\n    {_slack_escape(snippet[:200])}"
        lines.append(line)
    more = absolute(f"{reverse('search')}?{urlencode({'q': query})}") if outcome.total > len(outcome.hits) else ""
    heading = f"Top {len(outcome.hits)} of {outcome.total} in Huddle for “{_slack_escape(query)}”"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{heading}*\n" + "\n".join(lines)}}]
    if more:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{more}|See all results>"}]})
    return {"response_type": "in_channel", "text": heading, "blocks": blocks}


@csrf_exempt
@login_not_required
@require_POST
def slash_command(request):
    refused = _refusal(request)
    if refused is not None:
        return refused
    if slack.huddle_user(request.POST.get("user_id", "")) is None:
        return _ephemeral(UNKNOWN_PERSON)
    query = " ".join(request.POST.get("text", "").split())[:200]
    if not query:
        return _ephemeral("Type what to look for after the command, e.g. /huddle pricing objection.")
    return JsonResponse(search_results_message(query))


@task()
def reply_in_slack(response_url: str, message: dict) -> bool:
    """Answers a shortcut through its response_url (Slack shows it only to the person who used it)."""
    outcome = post_json(response_url, message)
    if not outcome.ok:
        logger.warning("could not answer Slack at its response_url: %s", outcome.error)
    return outcome.ok


@csrf_exempt
@login_not_required
@require_POST
def interactivity(request):
    refused = _refusal(request)
    if refused is not None:
        return refused
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except ValueError:
        return HttpResponseBadRequest("The payload is not JSON.", content_type="text/plain")
    if payload.get("type") != "message_action" or payload.get("callback_id") != SAVE_AS_TIP:
        return HttpResponseBadRequest("Huddle knows only the “Save as Huddle tip” shortcut.", content_type="text/plain")
    response_url = payload.get("response_url", "")
    author = slack.huddle_user((payload.get("user") or {}).get("id", ""))
    if author is None:
        reply = {"response_type": "ephemeral", "text": UNKNOWN_PERSON}
    else:
        message = payload.get("message") or {}
        tip = save_draft_tip(
            author=author, text=message.get("text", ""), channel_name=(payload.get("channel") or {}).get("name", "")
        )
        edit = absolute(reverse("tip_edit", args=[tip.pk]))
        reply = {
            "response_type": "ephemeral",
            "text": f"Saved as a draft tip: <{edit}|{_slack_escape(tip.title)}>. Open it in Huddle to finish it.",
        }
    if response_url:
        transaction.on_commit(lambda: reply_in_slack.enqueue(response_url, reply))
    return HttpResponse(status=200)
