"""Deal imports and CRM owner mapping, for those with the "import deals" permission."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from config.people import person_name
from config.spreadsheets import csv_response

from . import currencies, importing, people
from .columns import HUDDLE_COLUMNS
from .forms import DealUploadForm, OwnerMappingForm
from .views import require_permission

IMPORT_FORBIDDEN = (
    "Only managers can import deals and map CRM owners. "
    "Ask your manager to run the import, or to give you the “import deals” permission."
)


def _upload_path(upload) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "deal-imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.csv"
    with open(path, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


def import_deals_view(request):
    """Managers upload a CRM export; the report lists each failed row with its line and reason."""
    require_permission(request, "leaderboard.import_deals", IMPORT_FORBIDDEN)
    form = DealUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = importing.run_import_file(
            str(_upload_path(form.cleaned_data["file"])),
            dry_run=form.cleaned_data["dry_run"],
            mapping=form.mapping(),
            encoding=form.cleaned_data["encoding"],
        )
        if not result.is_finished:
            return redirect("leaderboard_import_result", result_id=result.id)
        # Inline (no worker configured): the report is ready now, and that backend keeps no results.
        return _render_result(request, result)
    return render(request, "leaderboard/import.html", {"form": form, "columns": HUDDLE_COLUMNS})


def import_result(request, result_id: str):
    require_permission(request, "leaderboard.import_deals", IMPORT_FORBIDDEN)
    try:
        result = importing.import_deals_file.get_result(result_id)
    except (TaskResultDoesNotExist, ValueError, NotImplementedError) as error:
        raise Http404("No such import.") from error
    return _render_result(request, result)


def _render_result(request, result):
    report = None
    if result.is_finished and result.status == TaskResultStatus.SUCCESSFUL:
        report = importing.ImportReport.from_dict(result.return_value)
    return render(request, "leaderboard/import_result.html", {"result": result, "report": report})


def unmapped_owners_csv(request):
    """The unmapped owner names as CSV, for whoever may map them."""
    require_permission(request, "leaderboard.import_deals", IMPORT_FORBIDDEN)
    reporting = currencies.reporting_currency()
    rows = (
        [
            owner["owner_name"],
            owner["deals"],
            f"{owner['amount'] or 0:.2f}",
            reporting,
            owner["unconverted"],
        ]
        for owner in importing.unmapped_owner_names()
    )
    header = ["owner_name", "deals", "amount", "currency", "deals_without_rate"]
    return csv_response(header, rows, filename="unmapped-owners")


def unmapped_owners(request):
    """CRM owner names no rep matches; mapping one re-links every deal of that name."""
    require_permission(request, "leaderboard.import_deals", IMPORT_FORBIDDEN)
    form = OwnerMappingForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.cleaned_data["rep"]
            count = importing.relink_owner(form.cleaned_data["owner_name"], user)
            messages.success(
                request,
                f"Linked {count} deal(s) of “{form.cleaned_data['owner_name']}” to "
                f"{person_name(user)}; future imports will too.",
            )
            return redirect("leaderboard_owners")
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return render(
        request,
        "leaderboard/owners.html",
        {
            "owners": importing.unmapped_owner_names(),
            "reporting_currency": currencies.reporting_currency(),
            # The row that failed keeps what was typed, with its reason beside it.
            "failed_name": form.data.get("owner_name"),
            "failed_rep": form.data.get("rep", ""),
            "failed_errors": form.errors.get("rep", []),
        },
    )


def people_suggestions(request):
    """Datalist options for the owner mapping box: people whose name, username or e-mail fits."""
    require_permission(request, "leaderboard.import_deals", IMPORT_FORBIDDEN)
    return render(
        request,
        "leaderboard/includes/people_options.html",
        {"people": people.people_matching(request.GET.get("rep", ""))},
    )
