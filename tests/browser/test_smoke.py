"""The sign-in page renders in Chromium and a signed-in user reaches the dashboard."""

from __future__ import annotations

import pytest


@pytest.mark.django_db(transaction=True)
def test_sign_in_reaches_dashboard(page, login, people):
    login("analyst")
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"


@pytest.mark.django_db(transaction=True)
def test_wrong_password_is_refused(page, people):
    page.goto("/login/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert "/login/" in page.url
