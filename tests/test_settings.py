"""Production mode refuses insecure settings; with proper settings `fairthread check --deploy` is clean."""

from __future__ import annotations

import os
import subprocess
import sys

STRONG_KEY = "k3Jx9-vQ2_pLmN8rT5wYzA1bC4dE7fG0hI6jK2lM9nO3pQ8rS5tU1vW4xY7zA0bC3d"


def run_fairthread(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith("FAIRTHREAD_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env.update({"FAIRTHREAD_DATA_DIR": str(tmp_path), **env})
    full_env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "fairthread", *args], env=full_env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = run_fairthread(
        "check", "--deploy", "--fail-level", "WARNING",
        env={"FAIRTHREAD_ENV": "production", "FAIRTHREAD_SECRET_KEY": STRONG_KEY,
             "FAIRTHREAD_ALLOWED_HOSTS": "fairthread.example.org"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_missing_secret_key(tmp_path):
    result = run_fairthread("check", env={"FAIRTHREAD_ENV": "production",
                                          "FAIRTHREAD_ALLOWED_HOSTS": "fairthread.example.org"}, tmp_path=tmp_path)
    assert result.returncode == 1
    assert "FAIRTHREAD_SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_debug(tmp_path):
    result = run_fairthread("check", env={"FAIRTHREAD_ENV": "production", "FAIRTHREAD_SECRET_KEY": STRONG_KEY,
                                          "FAIRTHREAD_ALLOWED_HOSTS": "x.example.org", "FAIRTHREAD_DEBUG": "1"},
                            tmp_path=tmp_path)
    assert result.returncode == 1
    assert "FAIRTHREAD_DEBUG must be off" in result.stderr


def test_local_mode_generates_a_private_secret_key(tmp_path):
    result = run_fairthread("check", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_wrong_usage_exits_2(tmp_path):
    result = run_fairthread("migrate", "--no-such-option", env={}, tmp_path=tmp_path)
    assert result.returncode == 2
