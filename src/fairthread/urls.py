from django.urls import include, path

from fairthread.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("fairthread.web.urls")),
]

handler400 = "fairthread.web.views.errors.bad_request"
handler403 = "fairthread.web.views.errors.permission_denied"
handler404 = "fairthread.web.views.errors.page_not_found"
handler500 = "fairthread.web.views.errors.server_error"
