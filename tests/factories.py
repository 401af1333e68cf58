"""Plain helpers that build test data directly (no service calls, so the tests of services stay honest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairthread.accounts.models import Membership, Organisation, Role, User
from fairthread.supplychain.identity import identity_key
from fairthread.supplychain.models import Facility, SourcingLink

PASSWORD = "correct horse battery staple"


@dataclass
class People:
    brand: Organisation
    ngo_org: Organisation
    supplier_org: Organisation
    other_supplier_org: Organisation
    admin: User
    analyst: User
    ngo: User
    supplier: User
    other_supplier: User
    outsider: User  # signed in, but no membership

    def by_role(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "no_membership": self.outsider,
            "brand_admin": self.admin,
            "brand_analyst": self.analyst,
            "critical_friend": self.ngo,
            "supplier_user": self.supplier,
        }


def make_user(username: str, org: Organisation | None, role: str | None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.org")
    if org is not None and role is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def make_people() -> People:
    brand = Organisation.objects.create(name="Northwind Fashion", kind="brand", country="GB")
    ngo_org = Organisation.objects.create(name="Anti-Slavery Friends", kind="ngo", country="GB")
    supplier_org = Organisation.objects.create(name="Own Knitwear Group", kind="supplier", country="BD")
    other = Organisation.objects.create(name="Other Mills", kind="supplier", country="IN")
    return People(
        brand=brand, ngo_org=ngo_org, supplier_org=supplier_org, other_supplier_org=other,
        admin=make_user("admin", brand, Role.BRAND_ADMIN),
        analyst=make_user("analyst", brand, Role.BRAND_ANALYST),
        ngo=make_user("ngo", ngo_org, Role.CRITICAL_FRIEND),
        supplier=make_user("supplier", supplier_org, Role.SUPPLIER_USER),
        other_supplier=make_user("other_supplier", other, Role.SUPPLIER_USER),
        outsider=make_user("outsider", None, None),
    )


def make_facility(name: str, country: str, **fields: Any) -> Facility:
    address = fields.pop("address", f"1 {name} Road")
    f = Facility(name=name, country=country, address=address, **fields)
    f.identity_key = identity_key(name, address, country)
    f.save()
    return f


def make_link(buyer: Facility | Organisation, supplier: Facility | None, **fields: Any) -> SourcingLink:
    if isinstance(buyer, Organisation):
        return SourcingLink.objects.create(brand=buyer, supplier=supplier, **fields)
    return SourcingLink.objects.create(buyer=buyer, supplier=supplier, **fields)
