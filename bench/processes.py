"""What the process-driving benches share: progress and figures output, manage.py in a subprocess."""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    """Progress, on stderr."""
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def say(text: str = "") -> None:
    """Figures, on stdout."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run_manage(env: dict[str, str], *arguments: str, timeout: int = 900) -> str:
    """Runs ``manage.py`` with ``env``; its stdout, or exit with what it printed when it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout
