"""Matching pages (issue 5): the review queue of candidate pairs, one pair side by side with the evidence for and
against and the decision form, the decided pairs, undoing a merge, and the reference registry (editions, upload,
linking). Every write goes through ``fairthread.matching.services``, which checks the policy and writes the audit
log; a ``MatchingError`` (a contradiction, a pair already decided) is shown as a message, never as an error page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fairthread.accounts import policy
from fairthread.matching import services
from fairthread.matching.models import FacilityMerge, MatchCandidate, RegistryEdition
from fairthread.reference.countries import country_name, resolve_country
from fairthread.supplychain.models import Facility
from fairthread.web.decorators import allowed
from fairthread.web.forms import country_choices

PAGE_SIZE = 50
MAX_REGISTRY_BYTES = 200 * 1024 * 1024
KINDS = {"facility": "Facility pairs", "registry": "Registry pairs"}
DECISIONS = {"confirm": "Same facility", "reject": "Different facilities", "unsure": "Not sure"}
QUEUE_STATUSES = (MatchCandidate.Status.PENDING, MatchCandidate.Status.UNSURE)


def candidates_for(user: Any) -> QuerySet[MatchCandidate]:
    """Every candidate pair (pending or decided) whose record under review the user may see, merged or not."""
    visible = policy.visible_facilities(user, Facility.all_objects.all())
    return MatchCandidate.objects.filter(facility__in=visible).select_related(
        "facility", "other_facility", "registry_facility", "registry_facility__edition", "decided_by")


def _kind_filter(qs: QuerySet[MatchCandidate], kind: str) -> QuerySet[MatchCandidate]:
    if kind == "facility":
        return qs.filter(other_facility__isnull=False)
    if kind == "registry":
        return qs.filter(registry_facility__isnull=False)
    return qs


@dataclass
class QueueFilter:
    kind: str = ""
    country: str = ""
    problems: list[str] | None = None

    @classmethod
    def from_params(cls, params: Any) -> QueueFilter:
        f = cls(problems=[])
        kind = params.get("kind", "").strip()
        if kind in KINDS:
            f.kind = kind
        elif kind:
            f.problems.append("Kind must be facility or registry: the kind filter was ignored.")
        country = params.get("country", "").strip()
        if country:
            code = resolve_country(country)
            if code:
                f.country = code
            else:
                f.problems.append(f"Unknown country {country!r}: the country filter was ignored.")
        return f

    def apply(self, qs: QuerySet[MatchCandidate]) -> QuerySet[MatchCandidate]:
        qs = _kind_filter(qs, self.kind)
        if self.country:
            qs = qs.filter(facility__country=self.country)
        return qs

    def query(self) -> str:
        return urlencode({k: v for k, v in (("kind", self.kind), ("country", self.country)) if v})


def _queue(request: HttpRequest) -> QuerySet[MatchCandidate]:
    ids = services.review_queue(request.user).values("pk")
    return candidates_for(request.user).filter(pk__in=ids).order_by("-score", "id")


@allowed("view", "match_candidate")
@require_GET
def matching_queue(request: HttpRequest) -> HttpResponse:
    flt = QueueFilter.from_params(request.GET)
    for problem in flt.problems or []:
        messages.warning(request, problem)
    queue = _queue(request)
    shown = flt.apply(queue)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {
        "all": queue.count(),
        "shown": page.paginator.count,
        "facility": _kind_filter(queue, "facility").count(),
        "registry": _kind_filter(queue, "registry").count(),
        "unsure": queue.filter(status=MatchCandidate.Status.UNSURE).count(),
    }
    query = flt.query()
    return render(request, "web/matching/queue.html", {
        "page": page, "flt": flt, "counts": counts, "kinds": [("", "Any kind"), *KINDS.items()],
        "countries": country_choices("Any country"), "querystring": f"{query}&" if query else "",
        "filter_query": query, "may_decide": policy.can(request.user, "decide", "match_candidate"),
    })


def side_of_facility(f: Facility) -> dict[str, Any]:
    coords = f"{f.lat}, {f.lng}" if f.lat is not None and f.lng is not None else ""
    return {
        "kind": "facility", "record": f, "url": reverse("web:facility_detail", args=[f.uid]),
        "rows": [
            ("Name", f.name), ("Native name", f.name_native), ("Address", f.address),
            ("Country", f"{country_name(f.country)} ({f.country})" if f.country else ""),
            ("Coordinates", coords), ("Parent company", f.parent_company), ("OS ID", f.os_id),
            ("Sources", str(f.sources.count())), ("Tier", f"Tier {f.tier}" if f.tier else "Unknown"),
            ("Sourcing links", str(f.supplier_links.count() + f.buyer_links.count())),
            ("Status", f.get_status_display()),
        ],
    }


def side_of_registry(r: Any) -> dict[str, Any]:
    coords = f"{r.lat}, {r.lng}" if r.lat is not None and r.lng is not None else ""
    return {
        "kind": "registry", "record": r, "url": "",
        "rows": [
            ("Name", r.name), ("Native name", r.native_name), ("Address", r.address),
            ("Country", f"{country_name(r.country)} ({r.country})" if r.country else ""),
            ("Coordinates", coords), ("Parent company", r.parent_company), ("OS ID", r.os_id),
            ("Sources", f"registry {r.edition.name}"), ("Tier", "—"), ("Sourcing links", "—"),
            ("Status", "Registry entry"),
        ],
    }


def pair_sides(candidate: MatchCandidate) -> tuple[dict[str, Any], dict[str, Any]]:
    left = side_of_facility(candidate.facility)
    if candidate.other_facility_id:
        right = side_of_facility(candidate.other_facility)
    else:
        right = side_of_registry(candidate.registry_facility)
    return left, right


def evidence_groups(candidate: MatchCandidate) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {"for": [], "against": [], "neutral": []}
    for item in candidate.evidence or []:
        if not isinstance(item, dict):
            continue
        verdict = item.get("for_match")
        groups["for" if verdict is True else "against" if verdict is False else "neutral"].append(item)
    return groups


@allowed("view", "match_candidate")
@require_GET
def matching_pair(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(candidates_for(request.user), pk=pk)
    left, right = pair_sides(candidate)
    position = None
    # The queue's filters travel with the reviewer from pair to pair (as hidden fields of the decision form).
    flt = QueueFilter.from_params(request.GET)
    queue = list(flt.apply(_queue(request)).values_list("pk", flat=True)[:1000])
    if pk in queue:
        position = (queue.index(pk) + 1, len(queue))
    merge = FacilityMerge.objects.filter(candidate=candidate).select_related("survivor", "merged").first()
    return render(request, "web/matching/pair.html", {
        "candidate": candidate, "left": left, "right": right, "evidence": evidence_groups(candidate),
        "rows": [(a[0], a[1], b[1]) for a, b in zip(left["rows"], right["rows"], strict=True)],
        "decisions": DECISIONS.items(), "position": position, "merge": merge,
        "open": candidate.status in QUEUE_STATUSES, "queue_filter": flt,
        "may_decide": policy.can(request.user, "decide", "match_candidate"),
    })


def _decided_message(candidate: MatchCandidate, decision: str) -> str:
    a = candidate.facility.name
    b = candidate.other_facility.name if candidate.other_facility_id else candidate.registry_facility.name
    if decision == "confirm":
        merge = FacilityMerge.objects.filter(candidate=candidate).select_related("survivor", "merged").first()
        if merge is not None:
            return (f"Confirmed: {merge.merged.name} and {merge.survivor.name} are the same facility; "
                    f"{merge.merged.name} was merged into {merge.survivor.name}.")
        if candidate.registry_facility_id:
            return (f"Confirmed: {a} is {b} in the registry; its OS ID "
                    f"{candidate.registry_facility.os_id} was recorded.")
        return f"Confirmed: {a} and {b} are the same facility."
    if decision == "reject":
        return f"Rejected: {a} and {b} are different facilities; this pair will not be proposed again."
    return f"Marked as not sure: {a} and {b}. The pair stays in the queue."


@allowed("decide", "match_candidate")
@require_POST
def matching_decide(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(candidates_for(request.user), pk=pk)
    flt = QueueFilter.from_params(request.POST)
    back = f"?{flt.query()}" if flt.query() else ""
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "").strip()[:2000]
    if decision not in DECISIONS:
        messages.error(request, "Choose a decision: same facility, different facilities or not sure.")
        return redirect(reverse("web:matching_pair", args=[pk]) + back)
    try:
        candidate = services.decide_pair(candidate, decision, by=request.user, reason=reason)
    except services.MatchingError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("web:matching_pair", args=[pk]) + back)
    messages.success(request, _decided_message(candidate, decision))
    # On to the next pair of the filtered queue (an unsure pair stays in it, so skip the one just seen).
    following = flt.apply(_queue(request)).exclude(pk=candidate.pk).first()
    if following is not None:
        return redirect(reverse("web:matching_pair", args=[following.pk]) + back)
    messages.info(request, "No more pairs to review here." if back else "The review queue is empty.")
    return redirect(reverse("web:matching_queue") + back)


@allowed("view", "match_candidate")
@require_GET
def matching_decisions(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    decided = [s for s in MatchCandidate.Status.values if s != MatchCandidate.Status.PENDING]
    qs = candidates_for(request.user).exclude(status=MatchCandidate.Status.PENDING)
    if status in decided:
        qs = qs.filter(status=status)
    else:
        status = ""
    # Who decided: a person, or the matcher on its own (an automatic match, which a person may want to check).
    by = request.GET.get("by", "")
    if by == "person":
        qs = qs.filter(decided_by__isnull=False)
    elif by == "automatic":
        qs = qs.filter(method=services.AUTOMATIC)
    else:
        by = ""
    qs = qs.order_by("-decided_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("status", status), ("by", by)) if v})
    return render(request, "web/matching/decisions.html", {
        "page": page, "status": status, "by": by, "querystring": f"{query}&" if query else "",
        "statuses": [("", "Any decision")] + [(s, MatchCandidate.Status(s).label) for s in decided],
        "deciders": [("", "Anyone"), ("person", "A person"), ("automatic", "The matcher (automatic)")],
    })


@allowed("undo", "facility_merge")
@require_POST
def matching_undo_merge(request: HttpRequest, pk: int) -> HttpResponse:
    visible = policy.visible_facilities(request.user, Facility.all_objects.all())
    merge = get_object_or_404(FacilityMerge.objects.select_related("survivor", "merged").filter(
        survivor__in=visible), pk=pk)
    try:
        services.undo_merge(merge, by=request.user)
    except services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Merge undone: {merge.merged.name} is a facility of its own again, with "
                                  "everything that was linked to it.")
    back = request.POST.get("next", "")
    if back.startswith("/facilities/") or back.startswith("/matching/"):
        return redirect(back)
    return redirect("web:facility_detail", uid=merge.survivor.uid)


@allowed("view", "registry")
@require_http_methods(["GET", "POST"])
def matching_registry(request: HttpRequest) -> HttpResponse:
    may_import = policy.can(request.user, "import", "registry")
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied
        upload = request.FILES.get("file")
        name = request.POST.get("name", "").strip()[:200]
        problems: list[str] = []
        if upload is None:
            problems.append("Choose an Open Supply Hub facilities export (CSV) to import.")
        elif upload.size > MAX_REGISTRY_BYTES:
            problems.append(f"The file is larger than {MAX_REGISTRY_BYTES // (1024 * 1024)} MB: import it with "
                            "fairthread importregistry FILE --name NAME.")
        if not name:
            problems.append("Give the registry edition a name.")
        if not problems:
            try:
                edition = services.import_registry(upload.read(), filename=upload.name, name=name, by=request.user)
            except (services.MatchingError, ValidationError) as exc:
                problems.extend(_problems(exc))
            else:
                messages.success(request, f"Imported {edition.name}: {edition.row_count:,} registry facilities.")
                return redirect("web:matching_registry")
        for p in problems:
            messages.error(request, p)
    editions = RegistryEdition.objects.select_related("imported_by").order_by("-imported_at", "-id")
    return render(request, "web/matching/registry.html", {
        "editions": editions, "may_import": may_import,
        "may_link": policy.can(request.user, "link", "registry"),
        "has_current": any(e.is_current for e in editions),
    })


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)[:50]
    found = getattr(exc, "problems", None)
    if found:
        return [str(p) for p in found][:50]
    return [str(exc)]


@allowed("link", "registry")
@require_POST
def matching_registry_link(request: HttpRequest) -> HttpResponse:
    try:
        summary = services.link_to_registry(by=request.user)
    except services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Linked to the registry: {summary.matched} matched (OS ID recorded), "
                                  f"{summary.review} sent to review, {summary.new} not in the registry.")
    return redirect("web:matching_registry")


# --- On the facility page -----------------------------------------------------------------------------------


def facility_panel(user: Any, facility: Facility) -> dict[str, Any]:
    """Context for the "Matches and merges" panel of a facility page (empty when the user may not see it)."""
    if not policy.can(user, "view", "facility_merge") and not policy.can(user, "view", "match_candidate"):
        return {}
    panel: dict[str, Any] = {"show_matching": True, "merges": [], "pending_pairs": []}
    if policy.can(user, "view", "facility_merge"):
        panel["merges"] = list(services.merges_for(facility).select_related(
            "survivor", "merged", "merged_by", "undone_by"))
        panel["may_undo_merge"] = policy.can(user, "undo", "facility_merge")
    if policy.can(user, "view", "match_candidate"):
        mine = MatchCandidate.objects.filter(status__in=QUEUE_STATUSES)
        panel["pending_pairs"] = list(
            (mine.filter(facility=facility) | mine.filter(other_facility=facility))
            .select_related("facility", "other_facility", "registry_facility").order_by("-score", "id")[:20])
    return panel
