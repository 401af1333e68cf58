"""Screening pages: the open-hits review queue, a facility's screening history, the restricted lists with
their versions (and loading a new one), and the diff between two versions. Writes go through
``fairthread.screening.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fairthread.accounts import policy
from fairthread.screening import services
from fairthread.screening.lists import FORMATS, ListError
from fairthread.screening.models import ListVersion, RestrictedList, ScreeningHit
from fairthread.web.decorators import allowed

PAGE_SIZE = 50
MAX_LIST_BYTES = 20 * 1024 * 1024


def _hits(request: HttpRequest) -> Any:
    # Only roles that see every facility may view screening; the scope is kept for safety all the same.
    return services.visible_hits(request.user).select_related("facility", "agent", "restricted_list", "decided_by")


def _with_facilities(hits: list[ScreeningHit], request: HttpRequest) -> list[ScreeningHit]:
    """Attach ``concerned``: the visible facilities each agent hit concerns (those engaging the agent)."""
    agents = {h.agent_id for h in hits if h.agent_id is not None}
    by_agent: dict[int, list[Any]] = {}
    if agents:
        from fairthread.supplychain.models import AgentEngagement

        rows = (AgentEngagement.objects.filter(agent_id__in=agents,
                                               facility__in=policy.visible_facilities(request.user))
                .select_related("facility").order_by("facility__name", "origin_country"))
        for e in rows:
            concerned = by_agent.setdefault(e.agent_id, [])
            if e.facility not in concerned:
                concerned.append(e.facility)
    for h in hits:
        h.concerned = by_agent.get(h.agent_id, []) if h.agent_id is not None else [h.facility]
    return hits


@allowed("view", "screening")
@require_GET
def screening_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in ScreeningHit.Status.values:
        status = "open"
    qs = _hits(request).filter(status=status).order_by("-score", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_facilities(list(page.object_list), request)
    return render(request, "web/screening/queue.html", {
        "page": page, "status": status, "statuses": ScreeningHit.Status.choices,
        "may_review": policy.can(request.user, "review", "screening"),
    })


def _decision(request: HttpRequest, pk: int, confirm: bool) -> HttpResponse:
    hit = get_object_or_404(_hits(request), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if confirm:
            services.confirm_hit(hit, request.user, reason)
            whose = ("The risk of every facility engaging this recruitment agent" if hit.agent_id is not None
                     else "Its risk")
            messages.success(request, f"Confirmed: {hit.subject_name} is {hit.entity_name} "
                                      f"({hit.restricted_list.name}). {whose} and everything downstream was "
                                      "re-assessed.")
        else:
            services.dismiss_hit(hit, request.user, reason)
            messages.success(request, f"Dismissed the hit of {hit.subject_name} on {hit.entity_name}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/screening/")
                    else "web:screening_queue")


@allowed("review", "screening")
@require_POST
def screening_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, True)


@allowed("review", "screening")
@require_POST
def screening_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, False)


@allowed("view", "screening")
@require_GET
def screening_facility(request: HttpRequest, uid: Any) -> HttpResponse:
    facility = get_object_or_404(policy.visible_facilities(request.user), uid=uid)
    agents = list(services.facility_agents(facility))
    hits = _hits(request).filter(Q(facility=facility) | Q(agent__in=agents)).order_by("-created_at", "-id")
    queries = services.facility_queries(facility)
    for agent in agents:
        queries += services.agent_queries(agent)
    return render(request, "web/screening/facility.html", {
        "facility": facility, "hits": hits, "may_review": policy.can(request.user, "review", "screening"),
        "queries": queries,
    })


@allowed("view", "screening")
@require_http_methods(["GET", "POST"])
def screening_lists(request: HttpRequest) -> HttpResponse:
    may_load = policy.can(request.user, "load_list", "screening")
    if request.method == "POST":
        if not may_load:
            raise PermissionDenied
        upload = request.FILES.get("file")
        name = request.POST.get("name", "").strip()
        fmt = request.POST.get("format", "csv")
        problems: list[str] = []
        if upload is None:
            problems.append("Choose a list file to load.")
        elif upload.size > MAX_LIST_BYTES:
            problems.append(f"The file is larger than {MAX_LIST_BYTES // (1024 * 1024)} MB.")
        if not name:
            problems.append("Give the list a name.")
        if fmt not in FORMATS:
            problems.append("Choose a format: csv, cbp or ftm.")
        if not problems:
            try:
                result, stats = services.load_list_version(upload.read(), fmt=fmt, name=name, by=request.user,
                                                           filename=upload.name)
            except ListError as exc:
                problems.extend(exc.problems[:20])
            else:
                if result.created:
                    raised = stats.raised if stats else 0
                    messages.success(request, f"Loaded {name} version {result.version.number}: "
                                              f"{result.version.entity_count:,} entities; {raised:,} new hit(s).")
                else:
                    messages.info(request, f"The file is identical to {name} version {result.version.number}: "
                                           "no new version.")
                return redirect("web:screening_lists")
        for p in problems:
            messages.error(request, p)
    lists = RestrictedList.objects.prefetch_related("versions").order_by("name")
    return render(request, "web/screening/lists.html", {"lists": lists, "may_load": may_load, "formats": FORMATS})


@allowed("view", "screening")
@require_GET
def screening_list_diff(request: HttpRequest, pk: int) -> HttpResponse:
    rlist = get_object_or_404(RestrictedList, pk=pk)
    versions = {v.number: v for v in rlist.versions.all()}
    if not versions:
        raise Http404

    def pick(key: str, default: int) -> ListVersion | None:
        try:
            return versions.get(int(request.GET.get(key, default)))
        except ValueError:
            return None

    newest = max(versions)
    b = pick("b", newest)
    a = pick("a", (b.number - 1) if b else newest - 1)
    if b is None:
        messages.error(request, "Unknown version.")
        return redirect("web:screening_lists")
    diff = services.diff_versions(a, b)
    return render(request, "web/screening/diff.html", {
        "list": rlist, "a": a, "b": b, "diff": diff, "versions": sorted(versions, reverse=True),
    })
