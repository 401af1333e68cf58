"""The work pages: imports, organisations and users, challenges, audit log, notifications, background jobs.

Included into the ``web`` namespace by ``web/urls.py``. Each view states its (action, object type) through
``decorators.allowed``; object-level checks happen in the view or the service it calls.
"""

from django.urls import path, re_path

from fairthread.web.views import (
    work_audit,
    work_challenges,
    work_imports,
    work_jobs,
    work_notifications,
    work_orgs,
)

urlpatterns = [
    # Imports
    path("imports/", work_imports.import_list, name="import_list"),
    path("imports/<int:pk>/", work_imports.import_detail, name="import_detail"),
    re_path(r"^imports/template\.(?P<ext>csv|xlsx)$", work_imports.import_template, name="import_template"),
    # Organisations, users, memberships
    path("organisations/", work_orgs.organisation_list, name="organisation_list"),
    path("organisations/new/", work_orgs.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", work_orgs.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", work_orgs.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/members/new/", work_orgs.member_create, name="member_create"),
    path("memberships/<int:pk>/", work_orgs.membership_edit, name="membership_edit"),
    path("memberships/<int:pk>/deactivate/", work_orgs.membership_deactivate, name="membership_deactivate"),
    path("memberships/<int:pk>/reactivate/", work_orgs.membership_reactivate, name="membership_reactivate"),
    # Public on purpose: the one-time token in the link is the credential.
    path("set-password/<uidb64>/<token>/", work_orgs.SetPasswordView.as_view(), name="set_password"),
    # Challenges
    path("challenges/", work_challenges.challenge_list, name="challenge_list"),
    path("challenges/new/", work_challenges.challenge_create, name="challenge_create"),
    path("challenges/<int:pk>/", work_challenges.challenge_detail, name="challenge_detail"),
    path("challenges/<int:pk>/answer/", work_challenges.challenge_answer, name="challenge_answer"),
    path("challenges/<int:pk>/close/", work_challenges.challenge_close, name="challenge_close"),
    # Audit log, notifications, jobs
    path("audit/", work_audit.audit_log, name="audit_log"),
    path("notifications/", work_notifications.notifications, name="notifications"),
    path("notifications/read/", work_notifications.notifications_mark_read, name="notifications_mark_read"),
    path("jobs/", work_jobs.jobs, name="jobs"),
]
