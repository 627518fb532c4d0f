"""Settings come from the environment, every one is documented, production mode is hardened."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def environment_variables_read_by_settings() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env(?:_bool|_list)?\(\s*"([A-Z_]+)"', source)) | set(
        re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', source)
    )


def test_every_environment_variable_the_settings_read_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text()
    names = environment_variables_read_by_settings()
    assert len(names) > 15  # the regex really found the settings
    undocumented = sorted(name for name in names if f"`{name}`" not in documented)
    assert undocumented == []


def run_manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production_mode(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        LEARNINGCITY_ENV="production",
        SECRET_KEY="k" + "3xV9!q" * 10,
        CREDENTIAL_KEY_SECRET="c" + "7yW2#p" * 10,
        ALLOWED_HOSTS="learning.example.org",
        LEARNINGCITY_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage(
        "check", LEARNINGCITY_ENV="production", SECRET_KEY="", LEARNINGCITY_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_an_unknown_task_backend_is_refused_with_the_choices(tmp_path):
    result = run_manage("check", TASK_BACKEND="carrier-pigeon", LEARNINGCITY_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "TASK_BACKEND must be one of database, redis, immediate" in result.stderr


def test_production_mode_refuses_to_start_without_a_credential_key_secret(tmp_path):
    result = run_manage(
        "check",
        LEARNINGCITY_ENV="production",
        SECRET_KEY="k" + "3xV9!q" * 10,
        CREDENTIAL_KEY_SECRET="",
        ALLOWED_HOSTS="learning.example.org",
        LEARNINGCITY_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "CREDENTIAL_KEY_SECRET must be set" in result.stderr
