"""Critical-friend challenges: list (both sides), detail with answers on the record, open, answer, close."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fairthread.accounts import policy
from fairthread.challenges import services
from fairthread.challenges.models import Challenge
from fairthread.supplychain.models import Facility
from fairthread.web.decorators import allowed


@dataclass(frozen=True)
class SubjectType:
    """Something a challenge can be about: how to find it from the URL and what the user may see of it."""

    model: type[Model]
    lookup: str
    visible: Callable[[Any], QuerySet]
    url_name: str  # the page of one subject; reversed with the lookup value
    label: str


# Later issues add assessments, cases, methodology versions, KPIs and statement drafts here.
SUBJECT_TYPES: dict[str, SubjectType] = {
    "facility": SubjectType(
        Facility, "uid", lambda user: policy.visible_facilities(user), "web:facility_detail", "facility"
    ),
}


def register_subject_type(name: str, subject_type: SubjectType) -> None:
    SUBJECT_TYPES[name] = subject_type


def _find_subject(user: Any, type_name: str, key: str) -> tuple[str, Model]:
    subject_type = SUBJECT_TYPES.get(type_name)
    if subject_type is None or not key:
        raise Http404
    try:
        subject = subject_type.visible(user).filter(**{subject_type.lookup: key}).first()
    except (ValidationError, ValueError):  # e.g. a malformed UUID
        subject = None
    if subject is None:
        raise Http404
    return type_name, subject


def subject_url(challenge: Challenge) -> str:
    model = challenge.content_type.model_class()
    for subject_type in SUBJECT_TYPES.values():
        if subject_type.model is model:
            subject = challenge.subject
            if subject is None:
                return ""
            return reverse(subject_type.url_name, args=[getattr(subject, subject_type.lookup)])
    return ""


class ChallengeForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="When the brand must answer")

    def clean_due_date(self) -> datetime.date:
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise ValidationError("The due date cannot be in the past.")
        return due


class AnswerForm(forms.Form):
    text = forms.CharField(label="Your answer (on the record)", widget=forms.Textarea(attrs={"rows": 5}))


FILTERS = {
    "current": ("Open and answered", [Challenge.Status.OPEN, Challenge.Status.ANSWERED]),
    "open": ("Open", [Challenge.Status.OPEN]),
    "overdue": ("Overdue", [Challenge.Status.OPEN]),
    "answered": ("Answered", [Challenge.Status.ANSWERED]),
    "closed": ("Closed", [Challenge.Status.CLOSED]),
    "all": ("All", list(Challenge.Status.values)),
}


@allowed("view", "challenge")
def challenge_list(request: HttpRequest) -> HttpResponse:
    current = request.GET.get("status", "current")
    if current not in FILTERS:
        current = "current"
    today = timezone.localdate()
    qs = Challenge.objects.filter(status__in=FILTERS[current][1]).select_related("raised_by", "content_type")
    if current == "overdue":
        qs = qs.filter(due_date__lt=today)
    page = Paginator(qs.order_by("due_date", "id"), 50).get_page(request.GET.get("page"))
    overdue_count = Challenge.objects.filter(status=Challenge.Status.OPEN, due_date__lt=today).count()
    return render(request, "web/work/challenges.html", {
        "page": page,
        "filters": [(key, label) for key, (label, _) in FILTERS.items()],
        "current": current,
        "querystring": f"status={current}&",
        "overdue_count": overdue_count,
    })


@allowed("view", "challenge")
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge.objects.select_related("raised_by", "content_type"), pk=pk)
    policy.require(request.user, "view", challenge)
    return _detail_page(request, challenge, AnswerForm())


def _detail_page(
    request: HttpRequest, challenge: Challenge, form: AnswerForm, status: int = 200
) -> HttpResponse:
    is_closed = challenge.status == Challenge.Status.CLOSED
    return render(request, "web/work/challenge_detail.html", {
        "challenge": challenge,
        "responses": challenge.responses.select_related("author"),
        "subject_url": subject_url(challenge),
        "may_answer": not is_closed and policy.can(request.user, "answer", challenge),
        "may_close": not is_closed and policy.can(request.user, "close", challenge),
        "form": form,
    }, status=status)


@allowed("answer", "challenge")
@require_POST
def challenge_answer(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_challenge(challenge, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, "Your answer is on the record; the critical friend has been notified.")
            return redirect("web:challenge_detail", pk=challenge.pk)
    return _detail_page(request, challenge, form, status=400)


@allowed("close", "challenge")
@require_POST
def challenge_close(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=pk)
    services.close_challenge(challenge, by=request.user, note=request.POST.get("note", "").strip()[:1000])
    messages.success(request, "Challenge closed.")
    return redirect("web:challenge_detail", pk=challenge.pk)


@allowed("open", "challenge")
def challenge_create(request: HttpRequest) -> HttpResponse:
    # The subject comes in the query string (?facility=<uid> or ?type=…&id=…) or in the posted form.
    def param(name: str) -> str:
        return request.POST.get(name) or request.GET.get(name) or ""

    if param("facility"):
        type_name, key = "facility", param("facility")
    else:
        type_name, key = param("type"), param("id")
    type_name, subject = _find_subject(request.user, type_name, key)
    subject_type = SUBJECT_TYPES[type_name]
    hidden = {"type": type_name, "id": str(getattr(subject, subject_type.lookup))}
    # The facility page posts title/text/due_date directly; a GET shows the empty form.
    form = ChallengeForm(request.POST) if request.method == "POST" else ChallengeForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                challenge = services.open_challenge(subject, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(request, "Challenge opened; the brand has been notified.")
                return redirect("web:challenge_detail", pk=challenge.pk)
        status = 400
    return render(request, "web/work/challenge_form.html", {
        "form": form, "subject": subject, "subject_label": subject_type.label, "hidden": hidden,
    }, status=status)
