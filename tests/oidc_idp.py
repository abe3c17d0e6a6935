"""A real OpenID provider on the loopback: tests/oidc_provider/, a django-oauth-toolkit project.

``start_provider`` runs it as its own process with an RS256 key generated here, the people who can
sign in there (with their directory groups) and the applications (relying parties) registered with
it. ``sign_in_at_provider`` does what a browser does there: the login form, then the consent form.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "provider-pass-1"
PEOPLE = [
    {
        "username": "mara",
        "password": PASSWORD,
        "email": "mara@example.com",
        "first_name": "Mara",
        "last_name": "Quint",
        "groups": ["sales-managers", "team-north"],
    },
    {
        "username": "erin",
        "password": PASSWORD,
        "email": "erin@example.com",
        "first_name": "Erin",
        "last_name": "Castell",
        "groups": ["huddle-marketing"],
    },
]


@dataclass
class OpenIDProvider:
    url: str
    folder: Path
    process: subprocess.Popen

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    @contextmanager
    def serving(self, fault: str):
        """Makes the provider put ``fault`` into the ID tokens it issues until the block ends."""
        (self.folder / "fault").write_text(fault)
        try:
            yield
        finally:
            (self.folder / "fault").unlink()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_signing_key(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def start_provider(folder: Path, applications: list[dict]) -> OpenIDProvider:
    """Starts the provider process and waits until its discovery document answers."""
    pytest.importorskip("oauth2_provider", reason="django-oauth-toolkit is not installed (the `test` extra)")
    _write_signing_key(folder / "signing-key.pem")
    (folder / "people.json").write_text(json.dumps(PEOPLE))
    (folder / "applications.json").write_text(json.dumps(applications))
    port = _free_port()
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OIDC_PROVIDER_FOLDER": str(folder),
        "PYTHONPATH": str(ROOT),
    }
    log = (folder / "provider.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = OpenIDProvider(url=f"http://127.0.0.1:{port}", folder=folder, process=process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OpenID provider stopped at start: {(folder / 'provider.log').read_text()}")
        try:
            if httpx.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                return provider
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the OpenID provider did not answer within 60 s: {(folder / 'provider.log').read_text()}")


def stop_provider(provider: OpenIDProvider) -> None:
    provider.process.terminate()
    provider.process.wait(timeout=10)


def sign_in_at_provider(authorize_url: str, username: str, password: str = PASSWORD) -> str:
    """Signs in at the provider's form and allows the application; returns where it sends the browser."""
    with httpx.Client(timeout=10) as browser:
        answer = browser.get(authorize_url)
        if answer.status_code == 302 and "/login/" in answer.headers["location"]:
            login_url = urljoin(authorize_url, answer.headers["location"])
            form = browser.get(login_url)
            answer = browser.post(
                login_url,
                data={
                    "username": username,
                    "password": password,
                    "next": re.search(r'name="next" value="([^"]*)"', form.text).group(1).replace("&amp;", "&"),
                    "csrfmiddlewaretoken": _csrf(form.text),
                },
            )
            assert answer.status_code == 302, answer.text
            answer = browser.get(urljoin(login_url, answer.headers["location"]))
        if answer.status_code == 200 and 'id="authorizationForm"' in answer.text:
            fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', answer.text))
            fields = {name: value.replace("&amp;", "&") for name, value in fields.items()}
            answer = browser.post(
                answer.url, data={**fields, "allow": "Authorize", "csrfmiddlewaretoken": _csrf(answer.text)}
            )
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
