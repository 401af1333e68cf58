"""The explorer: from the brand down to tier 4, from any facility up and down; depth-limited, cycle-safe."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from fairthread.accounts import policy
from fairthread.supplychain import queries
from fairthread.supplychain.services import recompute_tiers
from tests.factories import make_facility, make_link


class TreeParser(HTMLParser):
    """Records, for each explorer node (<li data-facility>), its nesting depth and its label text."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.nodes: list[tuple[int, str]] = []  # (depth, uid), in document order
        self.labels: dict[str, list[str]] = {}
        self._current: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "ul" and attrs.get("class") == "tree":
            self.depth += 1
        if tag == "li":
            uid = attrs.get("data-facility")
            self._current.append(uid)
            if uid:
                self.nodes.append((self.depth, uid))
                self.labels.setdefault(uid, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self.depth:
            self.depth -= 1
        if tag == "li" and self._current:
            self._current.pop()

    def handle_data(self, data: str) -> None:
        uid = self._current[-1] if self._current else None
        if uid:
            self.labels[uid][-1] += data


def parse(html: str) -> TreeParser:
    parser = TreeParser()
    parser.feed(html)
    return parser


@pytest.fixture
def chain(people):
    """brand → CMT → mill → spinner → farm, with the CMT run by the supplier user's organisation."""
    cmt = make_facility("Gazipur CMT", "BD", organisation=people.supplier_org)
    mill = make_facility("Narayanganj Mill", "BD", organisation=people.other_supplier_org)
    spinner = make_facility("Tiruppur Spinner", "IN")
    farm = make_facility("Gujarat Cotton Farm", "IN")
    make_link(people.brand, cmt, material="garments")
    make_link(cmt, mill, material="fabric")
    make_link(mill, spinner, material="yarn")
    make_link(spinner, farm, material="cotton")
    recompute_tiers()
    return cmt, mill, spinner, farm


def test_brand_explorer_shows_the_tiers(client, people, chain) -> None:
    cmt, mill, spinner, farm = chain
    client.force_login(people.analyst)
    response = client.get("/explorer/")
    assert response.status_code == 200
    tree = parse(response.content.decode())
    assert tree.nodes == [(1, str(cmt.uid)), (2, str(mill.uid)), (3, str(spinner.uid)), (4, str(farm.uid))]
    for facility, tier in ((cmt, 1), (mill, 2), (spinner, 3), (farm, 4)):
        assert f"tier {tier}" in tree.labels[str(facility.uid)][0]


def test_brand_explorer_stops_at_tier_4(client, people, chain) -> None:
    farm = chain[3]
    deeper = make_facility("Seed Supplier", "IN")
    make_link(farm, deeper, material="cotton")
    recompute_tiers()
    client.force_login(people.analyst)
    html = client.get("/explorer/").content.decode()
    assert "Seed Supplier" not in html
    # The tier-4 node offers the way further down instead.
    assert f'<a class="tag" href="/explorer/{farm.uid}/">more suppliers' in html
    # From the farm itself, one more level is shown.
    assert "Seed Supplier" in client.get(f"/explorer/{farm.uid}/").content.decode()


def test_explorer_from_a_facility_goes_up_and_down(client, people, chain) -> None:
    cmt, mill, spinner, farm = chain
    client.force_login(people.ngo)
    html = client.get(f"/explorer/{mill.uid}/").content.decode()
    assert "Narayanganj Mill → Gazipur CMT → Northwind Fashion" in html
    up = html[html.index('id="up-heading"') : html.index('id="down-heading"')]
    down = html[html.index('id="down-heading"') :]
    assert "Gazipur CMT" in up and "Northwind Fashion" in up and "Tiruppur Spinner" not in up
    # Mill is tier 2: down to tier 4 is the spinner (3) and the farm (4).
    assert [depth for depth, _ in parse(down).nodes] == [1, 2]
    assert "Tiruppur Spinner" in down and "Gujarat Cotton Farm" in down
    farm_html = client.get(f"/explorer/{farm.uid}/").content.decode()
    assert (
        "Gujarat Cotton Farm → Tiruppur Spinner → Narayanganj Mill → Gazipur CMT → Northwind Fashion"
        in farm_html
    )


def test_explorer_survives_a_cycle(client, people, chain) -> None:
    cmt, mill, spinner, farm = chain
    make_link(spinner, mill, material="yarn waste")  # mill → spinner → mill
    make_link(farm, cmt)  # and a long loop back to the top
    recompute_tiers()
    client.force_login(people.analyst)
    response = client.get("/explorer/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cycle: already on this path" in html
    tree = parse(html)
    # Each facility is expanded once; the mill reappears once, as the closing end of the cycle.
    assert [uid for _, uid in tree.nodes].count(str(mill.uid)) == 2
    for facility in chain:
        page = client.get(f"/explorer/{facility.uid}/")
        assert page.status_code == 200
        assert "Sourcing cycle." in page.content.decode()


def test_walk_is_cycle_safe_and_depth_limited(people, chain) -> None:
    cmt, mill, spinner, farm = chain
    make_link(farm, cmt)
    links = policy.visible_links(people.analyst)
    root = queries.supplier_tree(cmt, links, max_depth=10)
    # cmt → mill → spinner → farm → cmt (marked as the cycle, not expanded again).
    node, seen = root, []
    while node.children:
        node = node.children[0]
        seen.append((node.facility.name, node.cycle))
    assert seen == [
        ("Narayanganj Mill", False),
        ("Tiruppur Spinner", False),
        ("Gujarat Cotton Farm", False),
        ("Gazipur CMT", True),
    ]
    shallow = queries.supplier_tree(cmt, links, max_depth=2)
    assert shallow.children[0].children[0].facility == spinner
    assert shallow.children[0].children[0].children == [] and shallow.children[0].children[0].more


def test_supplier_sees_own_facilities_and_direct_links_only(client, people, chain) -> None:
    cmt, mill, spinner, farm = chain
    client.force_login(people.supplier)
    html = client.get("/explorer/").content.decode()
    tree = parse(html)
    assert [uid for _, uid in tree.nodes] == [str(cmt.uid), str(mill.uid)]
    assert "Tiruppur Spinner" not in html and "Gujarat Cotton Farm" not in html
    # The mill belongs to another organisation: named (it is the supplier's direct link) but not openable.
    assert f'href="/explorer/{mill.uid}/"' not in html
    assert client.get(f"/explorer/{mill.uid}/").status_code == 404
    own = client.get(f"/explorer/{cmt.uid}/").content.decode()
    assert "Northwind Fashion" in own and "Narayanganj Mill" in own and "Tiruppur Spinner" not in own


def test_explorer_needs_link_permission(client, people) -> None:
    client.force_login(people.outsider)
    assert client.get("/explorer/").status_code == 403
    assert client.get("/explorer/00000000-0000-0000-0000-000000000000/").status_code == 403


def test_declared_origins_appear_as_leaves(client, people, chain) -> None:
    spinner = chain[2]
    make_link(spinner, None, material="cotton", origin_country="TM")
    client.force_login(people.analyst)
    html = client.get("/explorer/").content.decode()
    assert "cotton from Turkmenistan (declared origin)" in html
