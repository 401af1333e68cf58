from django.urls import include, path

from fairthread.web.views import auth, dashboard

app_name = "web"

# The map pages (facilities, explorer, dashboard) live in urls_map; the work pages (imports, organisations,
# challenges, audit log, notifications, jobs) in urls_work. Every view is guarded by ``decorators.allowed``.
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
    path("", include("fairthread.web.urls_map")),
    path("", include("fairthread.web.urls_work")),
    path("", include("fairthread.web.urls_risk")),
    path("", include("fairthread.web.urls_reference")),
    path("", include("fairthread.web.urls_screening")),
    path("", include("fairthread.web.urls_matching")),
]
