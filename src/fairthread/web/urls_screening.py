"""The screening pages (issue 4): the review queue, a facility's screening history, lists and version diffs."""

from django.urls import path

from fairthread.web.views import screening

urlpatterns = [
    path("screening/", screening.screening_queue, name="screening_queue"),
    path("screening/hits/<int:pk>/confirm/", screening.screening_confirm, name="screening_confirm"),
    path("screening/hits/<int:pk>/dismiss/", screening.screening_dismiss, name="screening_dismiss"),
    path("screening/facilities/<uuid:uid>/", screening.screening_facility, name="screening_facility"),
    path("screening/lists/", screening.screening_lists, name="screening_lists"),
    path("screening/lists/<int:pk>/diff/", screening.screening_list_diff, name="screening_list_diff"),
]
