"""The audit log: who changed what, when, with each changed field's value before and after."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fairthread.audit.models import AuditEvent
from fairthread.web.decorators import allowed

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    object_type = forms.ChoiceField(label="Object type", required=False)
    action = forms.ChoiceField(required=False)
    actor = forms.CharField(label="Who (username)", required=False, max_length=150)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        types = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        self.fields["object_type"].choices = [("", "Any")] + [(t, t) for t in types if t]
        self.fields["action"].choices = [("", "Any")] + [(a, a) for a in actions if a]


@allowed("view", "audit_log")
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    qs = AuditEvent.objects.all()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["object_type"]:
            qs = qs.filter(object_type=data["object_type"])
        if data["action"]:
            qs = qs.filter(action=data["action"])
        if data["actor"]:
            qs = qs.filter(actor_label__iexact=data["actor"].strip())
        if data["date_from"]:
            qs = qs.filter(at__gte=_start_of(data["date_from"]))
        if data["date_to"]:
            qs = qs.filter(at__lt=_start_of(data["date_to"] + datetime.timedelta(days=1)))
    elif form.is_bound:
        qs = qs.none()  # the form shows what is wrong with the filter
    page = Paginator(qs.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(request, "web/work/audit_log.html", {
        "form": form,
        "page": page,
        "events": [(e, e.changes()) for e in page.object_list],
        "querystring": urlencode(kept) + "&" if kept else "",
    })


def _start_of(day: datetime.date) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
