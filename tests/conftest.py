"""Shared fixtures. Under CI=true a skipped PostgreSQL or browser test is a failure, not a pass."""

from __future__ import annotations

import os

import pytest

from tests.factories import make_facility, make_people


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped:
        markers = {m.name for m in item.iter_markers()}
        if markers & {"browser", "postgres"}:
            report.outcome = "failed"
            report.longrepr = f"{item.nodeid}: a browser/PostgreSQL test was skipped under CI=true"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Argon2 is right for production and needlessly slow for hundreds of test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background tasks run at once in tests (django-tasks resets its backends on setting_changed).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def people(db):
    """One user per role (admin, analyst, ngo, supplier, other_supplier) and their organisations."""
    return make_people()


@pytest.fixture
def facility(people):
    return make_facility(name="Own Knitwear Ltd", country="BD", organisation=people.supplier_org)
