"""Organisation and user management for brand admins."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from fairthread.accounts import policy, services
from fairthread.accounts.models import Membership, Organisation
from fairthread.audit.log import record
from fairthread.web.decorators import allowed

DESIGNATION_LABELS = {
    "is_case_handler": "Case handler",
    "is_custodian": "Custodian",
    "is_hotline_operator": "Hotline operator",
}


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Organisation.Kind.choices)
    country = forms.CharField(max_length=60, required=False,
                              help_text="Name or ISO code, e.g. Bangladesh or BD")


def _designation_fields() -> dict[str, forms.Field]:
    return {k: forms.BooleanField(label=label, required=False) for k, label in DESIGNATION_LABELS.items()}


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=())
    password = forms.CharField(
        label="Initial password (optional)", required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to get a one-time link with which the user chooses their own password.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = services.roles_for_kind(organisation.kind)
        self.fields.update(_designation_fields())


class MembershipForm(forms.Form):
    role = forms.ChoiceField(choices=())

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"m{membership.pk}")
        kwargs.setdefault("initial", {
            "role": membership.role, **{k: getattr(membership, k) for k in DESIGNATION_LABELS}
        })
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = services.roles_for_kind(membership.organisation.kind)
        self.fields.update(_designation_fields())


def _designations(cleaned: dict[str, Any]) -> dict[str, bool]:
    return {k: bool(cleaned.get(k)) for k in DESIGNATION_LABELS}


@allowed("manage", "organisation")
def organisation_list(request: HttpRequest) -> HttpResponse:
    orgs = Organisation.objects.annotate(
        members=Count("memberships", filter=Q(memberships__active=True), distinct=True),
        facility_count=Count("facilities", distinct=True),
    ).order_by("kind", "name")
    return render(request, "web/work/organisations.html", {"organisations": orgs})


def _org_form_page(request: HttpRequest, org: Organisation | None) -> HttpResponse:
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                if org is None:
                    org = services.create_organisation(by=request.user, **form.cleaned_data)
                    messages.success(request, f"Organisation {org} created.")
                else:
                    changed = services.update_organisation(org, by=request.user, values=form.cleaned_data)
                    messages.success(request, "Saved." if changed else "Nothing changed.")
                return redirect("web:organisation_detail", pk=org.pk)
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
        status = 400
    else:
        initial = {"name": org.name, "kind": org.kind, "country": org.country} if org else {}
        form = OrganisationForm(initial=initial)
        status = 200
    return render(request, "web/work/organisation_form.html", {"form": form, "organisation": org},
                  status=status)


@allowed("manage", "organisation")
def organisation_create(request: HttpRequest) -> HttpResponse:
    return _org_form_page(request, None)


@allowed("manage", "organisation")
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    policy.require(request.user, "manage", org)
    return _org_form_page(request, org)


@allowed("manage", "organisation")
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    policy.require(request.user, "manage", org)
    memberships = org.memberships.select_related("user", "organisation").order_by("-active", "user__username")
    rows = [(m, MembershipForm(membership=m)) for m in memberships]
    return render(request, "web/work/organisation_detail.html", {
        "organisation": org,
        "rows": rows,
        "facility_count": org.facilities.count(),
        "may_manage_members": policy.can(request.user, "manage", "membership"),
    })


@allowed("manage", "membership")
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    policy.require(request.user, "manage", org)
    if request.method == "POST":
        form = MemberForm(request.POST, organisation=org)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user, membership = services.create_user_with_membership(
                    by=request.user, organisation=org, username=data["username"], email=data["email"],
                    role=data["role"], first_name=data["first_name"], last_name=data["last_name"],
                    password=data["password"] or None, designations=_designations(data),
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                # The link is shown once, on this response only (not stored, not e-mailed from here).
                link = "" if data["password"] else request.build_absolute_uri(
                    services.set_password_path(user))
                return render(request, "web/work/member_created.html",
                              {"organisation": org, "new_user": user, "membership": membership, "link": link})
        status = 400
    else:
        form = MemberForm(organisation=org)
        status = 200
    return render(request, "web/work/member_form.html", {"organisation": org, "form": form}, status=status)


@allowed("manage", "membership")
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    policy.require(request.user, "manage", membership)
    if request.method != "POST":  # the form lives on the organisation page
        return redirect("web:organisation_detail", pk=membership.organisation_id)
    form = MembershipForm(request.POST, membership=membership)
    if form.is_valid():
        try:
            changed = services.update_membership(membership, by=request.user, role=form.cleaned_data["role"],
                                                 designations=_designations(form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{membership.user}: saved." if changed else "Nothing changed.")
    else:
        messages.error(request, "Choose one of the roles offered for this organisation.")
    return redirect("web:organisation_detail", pk=membership.organisation_id)


@allowed("manage", "membership")
@require_POST
def membership_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    try:
        services.deactivate_membership(membership, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request,
                         f"{membership.user} no longer has access through {membership.organisation}.")
    return redirect("web:organisation_detail", pk=membership.organisation_id)


@allowed("manage", "membership")
@require_POST
def membership_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    try:
        services.reactivate_membership(membership, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{membership.user} has access again.")
    return redirect("web:organisation_detail", pk=membership.organisation_id)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The one-time link a new user follows to choose a password (public: the token is the credential)."""

    template_name = "web/work/set_password.html"
    success_url = reverse_lazy("web:login")
    reset_url_token = "set-password"  # noqa: S105 - a URL placeholder, not a secret

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(form.user, "user.set_password", form.user, note="chosen through the one-time link")
        messages.success(self.request, "Your password is set. Sign in with it now.")
        return response
