"""Tier derivation over the sourcing-link graph (plain Python, no Django).

The brand's direct suppliers are tier 1; a facility's tier is 1 + the lowest tier of its buyers.
A facility's declared tier is used only where no link gives it a tier: it seeds the walk when the
facility has no buyer (so its own suppliers follow from it), and stands alone otherwise.
Cycles (A supplies B supplies A) are detected with Tarjan's algorithm and reported, never looped on:
the breadth-first walk visits each facility once.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

BRAND = None  # the buyer id used for links whose buyer is the brand


@dataclass
class TierResult:
    tiers: dict[Hashable, int | None]
    cycles: list[list[Hashable]] = field(default_factory=list)

    @property
    def in_cycle(self) -> set[Hashable]:
        return {node for cycle in self.cycles for node in cycle}


def derive_tiers(
    facility_ids: Iterable[Hashable],
    links: Iterable[tuple[Hashable | None, Hashable]],
    declared: Mapping[Hashable, int | None] | None = None,
) -> TierResult:
    """``links`` are (buyer_id or None for the brand, supplier_id) pairs."""
    declared = declared or {}
    ids = list(facility_ids)
    suppliers_of: dict[Hashable, list[Hashable]] = defaultdict(list)
    has_buyer: set[Hashable] = set()
    tier: dict[Hashable, int | None] = dict.fromkeys(ids)
    # Bucketed breadth-first walk: seeds can start at different tiers (declared roots).
    buckets: dict[int, list[Hashable]] = defaultdict(list)
    for buyer, supplier in links:
        if supplier is None:
            continue
        has_buyer.add(supplier)
        if buyer is BRAND:
            buckets[1].append(supplier)
        else:
            suppliers_of[buyer].append(supplier)
    for fid in ids:
        d = declared.get(fid)
        if d and fid not in has_buyer:
            buckets[d].append(fid)
    level = min(buckets) if buckets else 0
    while buckets:
        frontier = buckets.pop(level, [])
        nxt = []
        for fid in frontier:
            if tier.get(fid) is not None:
                continue
            tier[fid] = level
            nxt.extend(s for s in suppliers_of.get(fid, ()) if tier.get(s) is None)
        if nxt:
            buckets[level + 1].extend(nxt)
        level += 1
    for fid in ids:
        if tier[fid] is None and declared.get(fid):
            tier[fid] = declared[fid]
    return TierResult(tiers=tier, cycles=find_cycles(suppliers_of))


def find_cycles(graph: Mapping[Hashable, list[Hashable]]) -> list[list[Hashable]]:
    """Strongly connected components with more than one node, or a self-loop (iterative Tarjan)."""
    index: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    on_stack: set[Hashable] = set()
    stack: list[Hashable] = []
    cycles: list[list[Hashable]] = []
    counter = 0
    nodes = set(graph) | {s for targets in graph.values() for s in targets}
    for root in nodes:
        if root in index:
            continue
        work: deque = deque([(root, iter(graph.get(root, ())))])
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    cycles.append(sorted(component, key=str))
    return cycles
