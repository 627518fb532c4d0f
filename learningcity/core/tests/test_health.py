import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from learningcity.core import selectors
from learningcity.core.models import WorkerHeartbeat
from learningcity.core.services import worker_heartbeat_beat, worker_heartbeat_end

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_tasks_run_inline_and_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["database"] == "ok"


@override_settings(TASK_BACKEND="database")
def test_healthz_is_503_when_no_worker_has_reported_in(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["worker"] == "no worker has reported in"
    assert body["workers"] == 0


@override_settings(TASK_BACKEND="database")
def test_healthz_is_ok_while_a_worker_beats(client):
    worker_heartbeat_beat(worker_id="w1", backend="database")
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["workers"] == 1


@override_settings(TASK_BACKEND="database", WORKER_HEARTBEAT_MAX_AGE=60)
def test_healthz_is_503_when_the_only_heartbeat_is_stale(client):
    worker_heartbeat_beat(worker_id="w1", backend="database")
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - datetime.timedelta(seconds=61))
    assert client.get(reverse("healthz")).status_code == 503


@override_settings(TASK_BACKEND="database")
def test_a_worker_that_ends_no_longer_counts(client):
    worker_heartbeat_beat(worker_id="w1", backend="database")
    worker_heartbeat_end(worker_id="w1")
    assert client.get(reverse("healthz")).status_code == 503


def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(selectors, "database_is_reachable", lambda: False)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_a_second_beat_updates_the_same_row():
    worker_heartbeat_beat(worker_id="w1", backend="database")
    first = WorkerHeartbeat.objects.get().last_seen
    worker_heartbeat_beat(worker_id="w1", backend="database")
    assert WorkerHeartbeat.objects.count() == 1
    assert WorkerHeartbeat.objects.get().last_seen >= first
