"""A real SMTP server on the loopback (aiosmtpd) for tests that send through Django's SMTP backend."""

import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest


@dataclass
class Received:
    """What the SMTP server was given: envelope recipients and the parsed message."""

    messages: list = field(default_factory=list)
    fail_next: int = 0  # answer this many DATA commands with a 451 (a server having trouble)

    def to(self, address: str) -> list:
        return [message for message in self.messages if address in message["To"]]


class _Handler:
    def __init__(self, received: Received):
        self.received = received

    async def handle_DATA(self, server, session, envelope):
        if self.received.fail_next:
            self.received.fail_next -= 1
            return "451 Requested action aborted: try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.messages.append(parsed)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(settings):
    """Starts aiosmtpd on a free loopback port and points Django's SMTP backend at it."""
    from aiosmtpd.controller import Controller

    received = Received()
    controller = Controller(_Handler(received), hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield received
    finally:
        controller.stop()


def parts(message) -> tuple[str, str]:
    """The plain-text and HTML bodies of a received message."""
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html
