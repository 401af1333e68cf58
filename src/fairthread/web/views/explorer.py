"""The supply-chain explorer: from the brand down to tier 4, and from any facility up and down.

The trees are rendered on the server as nested <details>; walks are depth-limited and cycle-safe
(see ``supplychain.queries``) and see only the links the access policy lets the user see.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from fairthread.accounts import policy
from fairthread.supplychain import queries
from fairthread.web.decorators import allowed

MAX_TIER = 4


def _visible_ids(user: Any, roots: list[queries.Node]) -> set[int]:
    """Ids of the facilities in the trees that the user may open (the others are shown by name only)."""
    ids: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.facility is not None:
            ids.add(node.facility.pk)
        stack.extend(node.children)
    return (
        set(policy.visible_facilities(user).filter(id__in=ids).values_list("id", flat=True)) if ids else set()
    )


@allowed("view", "sourcing_link")
def explorer(request: HttpRequest) -> HttpResponse:
    user = request.user
    links = policy.visible_links(user)
    if policy.role_of(user) == "supplier_user":
        # A supplier starts from its own facilities: the brand's tier-1 list is not its to see.
        own = list(policy.visible_facilities(user).only(*queries.NODE_FIELDS).order_by("name")[:200])
        roots = queries.walk(links, [queries.Node(facility=f) for f in own], "down", max_depth=MAX_TIER)
        heading = "Your facilities and their suppliers"
    else:
        roots = queries.brand_tree(links, max_depth=MAX_TIER)
        heading = "From the brand down to tier 4"
    return render(
        request,
        "web/explorer.html",
        {
            "roots": roots,
            "heading": heading,
            "visible_ids": _visible_ids(user, roots),
            "facility": None,
        },
    )


@allowed("view", "sourcing_link")
def explorer_facility(request: HttpRequest, uid: Any) -> HttpResponse:
    user = request.user
    facility = get_object_or_404(policy.visible_facilities(user).only(*queries.NODE_FIELDS), uid=uid)
    links = policy.visible_links(user)
    up = queries.buyer_tree(facility, links)
    # Down to tier 4 from the facility's own tier (at least one level, e.g. for a facility of unknown tier).
    depth = MAX_TIER if facility.tier is None else max(1, MAX_TIER - facility.tier)
    down = queries.supplier_tree(facility, links, max_depth=depth)
    return render(
        request,
        "web/explorer.html",
        {
            "facility": facility,
            "up": up,
            "down": down,
            "paths": queries.paths_to_brand(facility, links),
            "visible_ids": _visible_ids(user, [up, down]),
        },
    )
