"""A tiny SMTP server for tests: a thread on 127.0.0.1 that speaks enough SMTP for Django's
SMTP backend, records every message, refuses chosen recipients with 550 and can play dead.

The outside world (a mail server) is faked by a real socket conversation, not a mock, so the
code under test runs Django's SMTP backend and smtplib exactly as in production.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""


@dataclass
class FakeSMTP:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    rejected: set[str] = field(default_factory=set)
    down: bool = False

    def reject(self, address: str) -> None:
        """Answer ``550 5.1.1`` when asked to deliver to ``address``."""
        self.rejected.add(address.lower())

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address.lower() in m.recipients]


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        fake = self.server.fake
        if fake.down:
            self._reply("421 4.3.2 Service not available, try again later")
            return
        self._reply("220 fake.test ESMTP")
        mail_from, recipients = "", list[str]()
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            argument = command.partition(":")[2].strip().strip("<>").lower()
            if verb in ("EHLO", "HELO"):
                self._reply("250 fake.test")
            elif verb == "MAIL":
                mail_from, recipients = argument, []
                self._reply("250 2.1.0 OK")
            elif verb == "RCPT":
                if argument in fake.rejected:
                    self._reply(f"550 5.1.1 <{argument}>: Recipient address rejected")
                else:
                    recipients.append(argument)
                    self._reply("250 2.1.5 OK")
            elif verb == "DATA":
                if not recipients:
                    self._reply("503 5.5.1 No valid recipients")
                    continue
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = email.message_from_bytes(bytes(data), policy=email.policy.default)
                fake.messages.append(Received(mail_from, recipients, message))  # type: ignore[arg-type]
                self._reply("250 2.0.0 Queued")
            elif verb in ("RSET", "NOOP"):
                self._reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self._reply("221 2.0.0 Bye")
                return
            else:
                self._reply("502 5.5.2 Command not recognised")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeSMTP


@contextmanager
def fake_smtp_server() -> Iterator[FakeSMTP]:
    server = _Server(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    server.fake = FakeSMTP(host=str(host), port=int(port))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.fake
    finally:
        server.shutdown()
        server.server_close()
