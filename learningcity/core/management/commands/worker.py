"""Run a background worker for whichever task backend is configured, with a heartbeat.

``manage.py worker`` is the one command to start a worker: it runs django-tasks-db's
``db_worker`` for the database backend or django-rq's ``rqworker`` for Redis, and beside it a
thread that records a heartbeat so that /healthz can tell whether any worker is alive. Start as
many as the load needs; each has its own id.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from learningcity.core.services import worker_heartbeat_beat, worker_heartbeat_end

HEARTBEAT_SECONDS = 10


class Command(BaseCommand):
    help = "Run a background worker (database or Redis backend) that reports a heartbeat."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--max-tasks", type=int, default=None, help="Stop after N tasks.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASK_BACKEND
        if backend == "immediate":
            raise CommandError("TASK_BACKEND=immediate runs tasks in the web process: no worker.")
        worker_id = f"{socket.gethostname()}-{os.getpid()}"
        stop = threading.Event()

        def beat() -> None:
            while not stop.is_set():
                try:
                    worker_heartbeat_beat(worker_id=worker_id, backend=backend)
                finally:
                    close_old_connections()
                stop.wait(HEARTBEAT_SECONDS)

        thread = threading.Thread(target=beat, name="worker-heartbeat", daemon=True)
        thread.start()
        self.stdout.write(f"Worker {worker_id} started on the {backend} task backend.")
        try:
            if backend == "database":
                # No autoreloader: it would fork a second worker with a second heartbeat.
                worker_options: dict[str, Any] = {"interval": options["interval"], "reload": False}
                if options["max_tasks"]:
                    worker_options["max_tasks"] = options["max_tasks"]
                call_command("db_worker", **worker_options)
            else:
                rq_options: dict[str, Any] = {"with_scheduler": False}
                if options["max_tasks"]:
                    rq_options["max_jobs"] = options["max_tasks"]
                call_command("rqworker", "default", **rq_options)
        finally:
            stop.set()
            thread.join(timeout=5)
            worker_heartbeat_end(worker_id=worker_id)
