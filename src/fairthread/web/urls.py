from django.urls import path

from fairthread.web.views import auth, dashboard

app_name = "web"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
]
