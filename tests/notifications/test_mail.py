"""Mail: logged without GCM_SMTP_URL, sent through a real (tiny, in-test) SMTP server with it, and a failure to
send never fails the user's action."""

from __future__ import annotations

import logging
import socketserver
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.notifications import mail
from app.notifications.models import NotificationKind
from app.notifications.service import notify
from tests.factories import make_user


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages: EHLO, MAIL, RCPT, DATA, QUIT."""

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 sink ready")
        while line := self.rfile.readline().decode(errors="replace"):
            command = line.strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._say("250 sink")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self._say("250 OK")
            elif command == "DATA":
                self._say("354 go ahead")
                lines = []
                while (data := self.rfile.readline().decode(errors="replace")) not in (".\r\n", ""):
                    lines.append(data)
                self.server.received.append("".join(lines))  # type: ignore[attr-defined]
                self._say("250 queued")
            elif command == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not implemented")


@pytest.fixture
def smtp_sink() -> Iterator[tuple[str, list[str]]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"smtp://127.0.0.1:{server.server_address[1]}", server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def test_mail_goes_through_smtp_when_configured(smtp_sink: tuple[str, list[str]]) -> None:
    url, received = smtp_sink
    mails = [
        mail.Mail("a@example.org", "Changes requested", "Please add 2024 figures."),
        mail.Mail("b@example.org", "S", "B"),
    ]
    assert mail.deliver(mails, smtp_url=url, mail_from="review@example.org") == 2
    assert len(received) == 2
    assert "To: a@example.org" in received[0] and "Subject: Changes requested" in received[0]
    assert "From: review@example.org" in received[0] and "Please add 2024 figures." in received[0]


def test_mail_is_logged_without_smtp(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="gcm.mail"):
        assert mail.deliver([mail.Mail("a@example.org", "Hello", "Body text")], smtp_url="", mail_from="x@y") == 1
    assert "a@example.org" in caplog.text and "Body text" in caplog.text


def test_unreachable_smtp_server_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="gcm.mail"):
        sent = mail.deliver([mail.Mail("a@example.org", "S", "B")], smtp_url="smtp://127.0.0.1:1", mail_from="x@y")
    assert sent == 0 and "Could not send" in caplog.text


def test_notifying_queues_one_mail_per_recipient_for_after_commit(session: Session) -> None:
    users = [make_user(session, role=Role.secretariat) for _ in range(2)]
    before = len(mail.pending(session))
    notify(session, users, NotificationKind.submitted, "Philippines submitted its review.", "/submissions/1")
    queued = mail.pending(session)[before:]
    assert sorted(m.to for m in queued) == sorted(u.email for u in users)
    assert all("Philippines submitted" in m.body and m.body.endswith("/submissions/1") for m in queued)
