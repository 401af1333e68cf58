from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from fairthread.api.api import api


def _api_urls():
    # The API authenticates every call itself (token or session) and answers 401 in JSON, so the sign-in
    # redirect of LoginRequiredMiddleware must not apply to it.
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        login_not_required(pattern.callback)
    return patterns, app_name, namespace


urlpatterns = [
    path("api/v1/", _api_urls()),
    path("", include("fairthread.web.urls")),
]

handler400 = "fairthread.web.views.errors.bad_request"
handler403 = "fairthread.web.views.errors.permission_denied"
handler404 = "fairthread.web.views.errors.page_not_found"
handler500 = "fairthread.web.views.errors.server_error"
