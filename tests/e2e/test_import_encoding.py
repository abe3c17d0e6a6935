"""Importing a Windows-1252 export in the browser: the form names the line that is not UTF-8,
the person picks the encoding and the same file imports."""

import pytest
from django.utils import timezone

from leaderboard.models import Deal

from ..factories import make_manager
from .conftest import pause, screenshots

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _windows_export() -> bytes:
    """Well past 4 KB, with "Müller GmbH" saved as Windows-1252 on line 120."""
    lines = ["crm_id,name,account,amount,status,close_date"]
    for number in range(2, 140):
        account = "Müller GmbH" if number == 120 else "Acme Corp"
        lines.append(f"W-{number},Deal {number},{account},1000,won,{timezone.localdate()}")
    return ("\n".join(lines) + "\n").encode("cp1252")


def test_manager_is_told_the_line_and_imports_after_choosing_the_encoding(page, sign_in, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes(_windows_export())
    sign_in(make_manager())
    page.goto("/leaderboard/import/")
    page.set_input_files("#id_file", str(path))
    pause(page)
    page.get_by_role("button", name="Import").click()
    error = page.locator(".field--error .error")
    assert error.inner_text() == ("Line 120 is not UTF-8; save the file as UTF-8 or choose Latin-1 / Windows-1252.")
    assert not Deal.objects.exists()
    screenshots(page, "import-encoding-error")
    page.set_input_files("#id_file", str(path))  # a browser forgets the file after a refusal
    page.locator("#id_encoding").focus()
    page.keyboard.press("End")  # Windows-1252, the last choice, chosen by keyboard
    assert page.locator("#id_encoding").input_value() == "cp1252"
    pause(page)
    page.get_by_role("button", name="Import").click()
    assert "Created" in page.locator("main").inner_text()
    assert Deal.objects.count() == 138
    assert Deal.objects.get(crm_id="W-120").account_name == "Müller GmbH"
