"""Run the web server and one background worker together: what ``make run`` starts."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def _stop_like_ctrl_c(signum: int, frame: object) -> None:
    """SIGTERM ends the server the way Ctrl+C does, so the worker is stopped too."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Start the web server and a background worker (Ctrl+C stops both)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
        worker = None
        if settings.TASK_BACKEND != "immediate":
            worker = subprocess.Popen([sys.executable, "manage.py", "worker"])
        address = f"{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Learning City is running on http://{address}/"))
        try:
            call_command("runserver", address, use_reloader=False, skip_checks=True)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
