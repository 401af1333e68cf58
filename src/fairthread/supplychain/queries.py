"""Read-side helpers for the map pages: counts, and walks along the link graph.

Walks load links level by level (one query per level, over an already access-scoped link queryset), so
they are depth-limited, cycle-safe (a facility is expanded at most once per walk) and bounded in size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, QuerySet

from fairthread.reference.countries import country_name
from fairthread.supplychain.models import Facility, SourcingLink

# Columns a node in a walk needs; keeps link queries narrow at 100,000 facilities.
NODE_FIELDS = (
    "id",
    "uid",
    "name",
    "country",
    "region",
    "tier",
    "declared_tier",
    "facility_type",
    "in_cycle",
    "organisation_id",
)
MAX_DEPTH = 8
MAX_NODES = 2_000
_IN_BATCH = 900  # stays below SQLite's host-parameter limit


@dataclass
class TierCount:
    tier: int | None
    count: int

    @property
    def label(self) -> str:
        return f"Tier {self.tier}" if self.tier is not None else "Tier unknown"

    @property
    def param(self) -> str:
        return str(self.tier) if self.tier is not None else "unknown"


@dataclass
class CountryCount:
    code: str
    count: int

    @property
    def name(self) -> str:
        return country_name(self.code)


def tier_counts(qs: QuerySet) -> list[TierCount]:
    """Facilities per derived tier: tiers 1–4 always (even at zero), then deeper tiers, then unknown."""
    counts = {row["tier"]: row["n"] for row in qs.order_by().values("tier").annotate(n=Count("id"))}
    tiers = sorted({1, 2, 3, 4} | {t for t in counts if t is not None})
    out = [TierCount(t, counts.get(t, 0)) for t in tiers]
    out.append(TierCount(None, counts.get(None, 0)))
    return out


def country_counts(qs: QuerySet, limit: int | None = None) -> list[CountryCount]:
    """Facilities per country, most first (ties by code)."""
    rows = qs.order_by().values("country").annotate(n=Count("id")).order_by("-n", "country")
    if limit is not None:
        rows = rows[:limit]
    return [CountryCount(r["country"], r["n"]) for r in rows]


def data_version(qs: QuerySet) -> str:
    """A cheap fingerprint of a facility queryset's country data, for caching rendered charts."""
    agg = qs.order_by().aggregate(n=Count("id"), last=Max("updated_at"))
    last = agg["last"].isoformat() if agg["last"] else "-"
    return f"{agg['n']}:{last}"


# --- Walks --------------------------------------------------------------------------------------------------


@dataclass
class Node:
    """One step of a walk: a facility (or a declared origin, or the brand) reached through ``link``."""

    facility: Facility | None = None
    link: SourcingLink | None = None
    brand_name: str = ""
    depth: int = 0
    children: list[Node] = field(default_factory=list)
    # Already expanded elsewhere in this walk (shared supplier or a cycle): shown, not expanded again.
    repeated: bool = False
    # On the path from the root to here (a cycle).
    cycle: bool = False
    # Further steps exist but were not loaded (depth or size limit).
    more: bool = False

    @property
    def is_brand(self) -> bool:
        return self.facility is None and self.link is not None and self.link.brand_id is not None

    @property
    def is_origin(self) -> bool:
        return self.facility is None and not self.is_brand and self.link is not None

    @property
    def label(self) -> str:
        if self.facility is not None:
            return self.facility.name
        if self.is_brand:
            return self.brand_name or "the brand"
        link = self.link
        if link is None:
            return ""
        where = country_name(link.origin_country)
        if link.origin_region:
            where = f"{link.origin_region}, {where}"
        return f"{link.material or 'material'} from {where} (declared origin)"


def _batched(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _IN_BATCH):
        yield ids[i : i + _IN_BATCH]


def _links_from(links: QuerySet, ids: list[int], direction: str) -> list[SourcingLink]:
    """Links leading down (``buyer`` in ids) or up (``supplier`` in ids), with the facility at the far end."""
    far = "supplier" if direction == "down" else "buyer"
    near = "buyer_id" if direction == "down" else "supplier_id"
    out: list[SourcingLink] = []
    base = (
        links.select_related(far, "brand")
        .only(
            *(f"{far}__{f}" for f in NODE_FIELDS),
            "brand__name",
            "brand_id",
            "buyer_id",
            "supplier_id",
            "material",
            "volume_share",
            "origin_country",
            "origin_region",
            "valid_from",
            "valid_to",
        )
        .order_by("id")
    )
    for chunk in _batched(ids):
        out.extend(base.filter(**{f"{near}__in": chunk}))
    return out


def _sort_key(node: Node) -> tuple:
    return (node.is_origin, node.label.lower())


def walk(
    links: QuerySet,
    roots: list[Node],
    direction: str,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> list[Node]:
    """Expand ``roots`` breadth-first along ``links`` ("down" = to suppliers, "up" = to buyers).

    ``links`` must already be scoped by the access policy: the walk shows only what it contains.
    """
    expanded: set[int] = set()
    frontier: list[Node] = []
    for root in roots:
        if root.facility is not None and root.facility.pk not in expanded:
            expanded.add(root.facility.pk)
            frontier.append(root)
    # Ancestors on each node's path, to mark cycles (as opposed to merely shared suppliers).
    path_of: dict[int, frozenset[int]] = {id(n): frozenset({n.facility.pk}) for n in frontier}
    total = len(frontier)
    while frontier:
        depth = frontier[0].depth + 1
        if depth > max_depth or total >= max_nodes:
            # Mark only the nodes that really have further steps (one query).
            near = "buyer_id" if direction == "down" else "supplier_id"
            ids = [n.facility.pk for n in frontier]
            further: set[int] = set()
            for chunk in _batched(ids):
                further.update(links.filter(**{f"{near}__in": chunk}).order_by().values_list(near, flat=True))
            for n in frontier:
                n.more = n.facility.pk in further
            break
        by_id: dict[int, list[Node]] = {}
        for n in frontier:
            by_id.setdefault(n.facility.pk, []).append(n)
        next_frontier: list[Node] = []
        for link in _links_from(links, list(by_id), direction):
            near_id = link.buyer_id if direction == "down" else link.supplier_id
            far = link.supplier if direction == "down" else link.buyer
            for parent in by_id.get(near_id, ()):
                child = Node(
                    facility=far, link=link, depth=depth, brand_name=link.brand.name if link.brand_id else ""
                )
                parent.children.append(child)
                total += 1
                if far is None:
                    continue
                ancestors = path_of[id(parent)]
                if far.pk in ancestors:
                    child.repeated = child.cycle = True
                elif far.pk in expanded:
                    child.repeated = True
                else:
                    expanded.add(far.pk)
                    path_of[id(child)] = ancestors | {far.pk}
                    next_frontier.append(child)
        for n in frontier:
            n.children.sort(key=_sort_key)
        frontier = next_frontier
    return roots


def brand_tree(links: QuerySet, max_depth: int = 4, max_nodes: int = MAX_NODES) -> list[Node]:
    """From the brand down: tier-1 facilities (the brand's direct suppliers) and their suppliers."""
    seen: set[int] = set()
    roots: list[Node] = []
    tier1 = (
        links.filter(brand__isnull=False, supplier__isnull=False)
        .select_related("supplier", "brand")
        .only(
            *(f"supplier__{f}" for f in NODE_FIELDS),
            "brand__name",
            "brand_id",
            "supplier_id",
            "material",
            "volume_share",
        )
        .order_by("supplier__name", "id")
    )
    for link in tier1:
        if link.supplier_id in seen:
            continue
        seen.add(link.supplier_id)
        roots.append(Node(facility=link.supplier, link=link, depth=1, brand_name=link.brand.name))
    return walk(links, roots, "down", max_depth=max_depth, max_nodes=max_nodes)


def supplier_tree(
    facility: Facility, links: QuerySet, max_depth: int = 4, max_nodes: int = MAX_NODES
) -> Node:
    root = Node(facility=facility)
    walk(links, [root], "down", max_depth=max_depth, max_nodes=max_nodes)
    return root


def buyer_tree(
    facility: Facility, links: QuerySet, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> Node:
    root = Node(facility=facility)
    walk(links, [root], "up", max_depth=max_depth, max_nodes=max_nodes)
    return root


def paths_to_brand(
    facility: Facility, links: QuerySet, max_depth: int = MAX_DEPTH, max_paths: int = 20
) -> list[list[str]]:
    """Each chain from ``facility`` up to the brand, as names: ["Spinner", "Mill", "CMT", "Brand"].

    Simple paths only (no facility twice), at most ``max_paths`` of them, shortest first.
    """
    root = buyer_tree(facility, links, max_depth=max_depth)
    # Re-walk the loaded tree: a "repeated" node was expanded elsewhere, so index expansions by facility.
    expansions: dict[int, list[Node]] = {}

    def index(node: Node) -> None:
        if node.facility is not None and not node.repeated:
            expansions[node.facility.pk] = node.children
        for child in node.children:
            index(child)

    index(root)
    paths: list[list[str]] = []
    stack: list[tuple[Node, list[str], frozenset[int]]] = [(root, [facility.name], frozenset({facility.pk}))]
    while stack and len(paths) < max_paths * 5:
        node, names, on_path = stack.pop()
        children = (
            node.children
            if node.facility is None or not node.repeated
            else expansions.get(node.facility.pk, [])
        )
        for child in children:
            if child.is_brand:
                paths.append([*names, child.label])
            elif child.facility is not None and child.facility.pk not in on_path and len(names) <= max_depth:
                stack.append((child, [*names, child.facility.name], on_path | {child.facility.pk}))
    paths.sort(key=lambda p: (len(p), p))
    unique: list[list[str]] = []
    for p in paths:
        if p not in unique:
            unique.append(p)
    return unique[:max_paths]


def material_supplier_ids(material: str) -> QuerySet:
    """Ids of facilities that supply ``material`` on some link (a subquery, not a list)."""
    return SourcingLink.objects.filter(material=material, supplier__isnull=False).values("supplier_id")
