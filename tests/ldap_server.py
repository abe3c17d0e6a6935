"""A real OpenLDAP server (Debian's slapd) on the loopback, loaded from tests/ldap/directory.ldif."""

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "ldap"
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
ADMIN_DN, ADMIN_PASSWORD = "cn=admin,dc=example,dc=com", "huddle-admin-pass"


@dataclass
class Directory:
    uri: str
    folder: Path

    def modify(self, ldif: str) -> None:
        """Changes the directory as its administrator would (ldapmodify)."""
        done = subprocess.run(
            ["ldapmodify", "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=ldif.encode(),
            capture_output=True,
        )
        if done.returncode:
            raise RuntimeError(f"ldapmodify failed: {done.stderr.decode(errors='replace')}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd stopped at start: {process.stderr.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("slapd did not answer within 10 s")


@pytest.fixture(scope="session")
def ldap_directory(tmp_path_factory):
    """Starts slapd for the session; skips, saying how to install it, when it or python-ldap is missing."""
    if not Path(SLAPD).exists() or shutil.which("ldapmodify") is None:
        pytest.skip("slapd is not installed (apt-get install -y slapd ldap-utils); .ci/run installs it")
    pytest.importorskip(
        "django_auth_ldap", reason="django-auth-ldap is not installed (needs libldap2-dev libsasl2-dev: see README)"
    )
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "data").mkdir()
    config = folder / "slapd.conf"
    config.write_text((HERE / "slapd.conf.template").read_text().replace("{folder}", str(folder)))
    subprocess.run([SLAPADD, "-f", str(config), "-l", str(HERE / "directory.ldif")], check=True, capture_output=True)
    port = _free_port()
    uri = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(
        [SLAPD, "-f", str(config), "-h", uri, "-d", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_for(port, process)
        yield Directory(uri=uri, folder=folder)
    finally:
        process.terminate()
        process.wait(timeout=10)
