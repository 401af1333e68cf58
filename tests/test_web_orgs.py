"""Organisation and user management pages (brand admins only)."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from fairthread.accounts.models import Membership, Organisation, User
from fairthread.audit.models import AuditEvent


@pytest.mark.parametrize("who", ["analyst", "ngo", "supplier"])
def test_non_admins_get_403(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("web:organisation_list")).status_code == 403
    assert client.get(reverse("web:organisation_detail", args=[people.brand.pk])).status_code == 403
    response = client.post(reverse("web:organisation_create"), {"name": "Evil Co", "kind": "brand"})
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Evil Co").exists()


def test_anonymous_redirected_to_login(client, people):
    response = client.get(reverse("web:organisation_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_admin_lists_organisations(client, people):
    client.force_login(people.admin)
    response = client.get(reverse("web:organisation_list"))
    assert response.status_code == 200
    for name in ["Northwind Fashion", "Anti-Slavery Friends", "Own Knitwear Group", "Other Mills"]:
        assert name in response.content.decode()


def test_admin_creates_org_then_user_with_link_then_user_sets_password(client, people):
    client.force_login(people.admin)
    response = client.post(reverse("web:organisation_create"),
                           {"name": "Gujarat Ginning Co", "kind": "supplier", "country": "India"})
    org = Organisation.objects.get(name="Gujarat Ginning Co")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:organisation_detail", args=[org.pk])
    assert org.country == "IN"

    # Only roles valid for a supplier organisation are offered.
    form_page = client.get(reverse("web:member_create", args=[org.pk])).content.decode()
    assert 'value="supplier_user"' in form_page
    assert 'value="brand_admin"' not in form_page

    response = client.post(reverse("web:member_create", args=[org.pk]), {
        "username": "meera", "email": "meera@example.org", "role": "supplier_user", "is_custodian": "on",
    })
    assert response.status_code == 200
    user = User.objects.get(username="meera")
    membership = Membership.objects.get(user=user)
    assert membership.organisation == org and membership.role == "supplier_user" and membership.is_custodian
    link = response.context["link"]
    assert "/set-password/" in link and link in response.content.decode()

    created = AuditEvent.objects.filter(
        action__in=["organisation.create", "user.create", "membership.create"])
    assert sorted(created.values_list("action", flat=True)) == ["membership.create", "organisation.create",
                                                                "user.create"]
    org_event = created.get(action="organisation.create")
    assert org_event.before is None and org_event.after["name"] == "Gujarat Ginning Co"

    # The new user follows the one-time link and sets a password.
    client.logout()
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.context["validlink"]
    post_to = form.redirect_chain[-1][0]
    password = "saffron-loom-quiet-88"
    done = client.post(post_to, {"new_password1": password, "new_password2": password})
    assert done.status_code == 302
    assert authenticate(username="meera", password=password) is not None
    # One-time: the link no longer works.
    again = client.get(path, follow=True)
    assert not again.context["validlink"]


def test_wrong_role_for_kind_rejected_by_form(client, people):
    client.force_login(people.admin)
    response = client.post(reverse("web:member_create", args=[people.ngo_org.pk]),
                           {"username": "x1", "email": "", "role": "brand_admin"})
    assert response.status_code == 400
    assert not User.objects.filter(username="x1").exists()


def test_admin_sets_initial_password_weak_one_refused(client, people):
    client.force_login(people.admin)
    url = reverse("web:member_create", args=[people.brand.pk])
    response = client.post(url, {"username": "newbie", "role": "brand_analyst", "password": "password"})
    assert response.status_code == 400
    assert "too common" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()
    response = client.post(url, {"username": "newbie", "role": "brand_analyst",
                                 "password": "marigold-canal-seven-3"})
    assert response.status_code == 200 and response.context["link"] == ""
    assert authenticate(username="newbie", password="marigold-canal-seven-3") is not None


def test_admin_changes_role_and_designations_then_deactivates(client, people):
    client.force_login(people.admin)
    membership = people.analyst.memberships.get()
    prefix = f"m{membership.pk}"
    response = client.post(reverse("web:membership_edit", args=[membership.pk]),
                           {f"{prefix}-role": "brand_admin", f"{prefix}-is_case_handler": "on"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "brand_admin" and membership.is_case_handler
    event = AuditEvent.objects.get(action="membership.change_role")
    assert event.before == {"role": "brand_analyst", "is_case_handler": False}
    assert event.after == {"role": "brand_admin", "is_case_handler": True}

    response = client.post(reverse("web:membership_deactivate", args=[membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.active
    # The deactivated user loses access at once.
    client.force_login(people.analyst)
    assert client.get(reverse("web:dashboard")).status_code == 403


def test_last_admin_cannot_deactivate_self(client, people):
    client.force_login(people.admin)
    membership = people.admin.memberships.get()
    response = client.post(reverse("web:membership_deactivate", args=[membership.pk]), follow=True)
    assert "last brand admin" in response.content.decode()
    membership.refresh_from_db()
    assert membership.active


def test_edit_organisation_duplicate_name_shows_error(client, people):
    client.force_login(people.admin)
    response = client.post(reverse("web:organisation_edit", args=[people.other_supplier_org.pk]),
                           {"name": "Own Knitwear Group", "kind": "supplier", "country": "IN"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    people.other_supplier_org.refresh_from_db()
    assert people.other_supplier_org.name == "Other Mills"
