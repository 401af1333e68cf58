"""The data-sources pages (reference datasets with their attribution); included into the ``web`` namespace."""

from django.urls import path

from fairthread.web.views import reference

urlpatterns = [
    path("reference/", reference.reference_sources, name="reference_sources"),
    path("reference/<int:pk>/", reference.reference_dataset, name="reference_dataset"),
]
