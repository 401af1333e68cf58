"""accounts.policy against the literal role × object × action table in expected_permissions.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fairthread.accounts import policy
from fairthread.accounts.models import ApiToken, hash_token
from tests.factories import make_facility, make_link

TABLE = yaml.safe_load((Path(__file__).parent / "expected_permissions.yaml").read_text())
CELLS = [
    (obj, action, role, expected)
    for obj, actions in TABLE["policy"].items()
    for action, by_role in actions.items()
    for role, expected in by_role.items()
]


def test_table_covers_every_object_and_action_of_the_policy():
    table = {(obj, action) for obj, actions in TABLE["policy"].items() for action in actions}
    code = {(obj, action) for obj, actions in policy.ACTIONS.items() for action in actions}
    assert table == code


def test_table_has_every_role_for_every_cell():
    for obj, actions in TABLE["policy"].items():
        for action, by_role in actions.items():
            assert set(by_role) == set(TABLE["roles"]), (obj, action)


def _instances(people, obj: str):
    """(own instance, someone else's instance) for object types that have per-object rules."""
    own_fac = make_facility("Own Mill", "BD", organisation=people.supplier_org)
    other_fac = make_facility("Other Mill", "IN", organisation=people.other_supplier_org)
    if obj == "facility":
        return own_fac, other_fac
    if obj == "sourcing_link":
        supplier_of_own = make_facility("Own Spinner", "IN")
        return make_link(own_fac, supplier_of_own, material="cotton"), make_link(people.brand, other_fac)
    return None


@pytest.mark.django_db
@pytest.mark.parametrize(("obj", "action", "role", "expected"), CELLS)
def test_policy_cell(people, obj, action, role, expected):
    user = people.by_role()[role]
    if expected in (True, False):
        assert policy.can(user, action, obj) is expected
        return
    assert expected == "own"
    # The class-level question is yes; the object-level answer depends on ownership.
    assert policy.can(user, action, obj) is True
    if obj == "api_token":
        mine = ApiToken.objects.create(user=user, name="mine", key_prefix="ft_a", key_hash=hash_token("a"))
        theirs = ApiToken.objects.create(user=people.other_supplier, name="x", key_prefix="ft_b",
                                         key_hash=hash_token("b"))
        assert policy.can(user, action, mine) is True
        assert policy.can(user, action, theirs) is False
        return
    pair = _instances(people, obj)
    if role != "supplier_user":
        return
    own, other = pair
    assert policy.can(user, action, own) is True
    assert policy.can(user, action, other) is False


@pytest.mark.django_db
def test_anonymous_may_do_nothing(people):
    for obj, actions in policy.ACTIONS.items():
        for action in actions:
            assert policy.can(None, action, obj) is False


@pytest.mark.django_db
def test_inactive_user_may_do_nothing(people):
    people.admin.is_active = False
    people.admin.save()
    assert policy.can(people.admin, "view", "facility") is False


@pytest.mark.django_db
def test_unknown_object_type_or_action_is_denied(people):
    assert policy.can(people.admin, "view", "spaceship") is False
    assert policy.can(people.admin, "launch", "facility") is False


@pytest.mark.django_db
def test_supplier_sees_only_own_facilities_and_their_links(people):
    own = make_facility("Own Mill", "BD", organisation=people.supplier_org)
    other = make_facility("Other Mill", "IN", organisation=people.other_supplier_org)
    upstream = make_facility("Unowned Spinner", "IN")
    own_link = make_link(own, upstream, material="cotton")
    make_link(people.brand, other)
    assert list(policy.visible_facilities(people.supplier)) == [own]
    assert list(policy.visible_links(people.supplier)) == [own_link]
    assert policy.visible_facilities(people.outsider).count() == 0
    assert policy.visible_facilities(people.ngo).count() == 3
