"""The matching pages (issue 5): the review queue of candidate pairs, one pair with its decision form, the decided
pairs, undoing a merge, and the reference registry (editions, upload, linking)."""

from django.urls import path

from fairthread.web.views import matching

urlpatterns = [
    path("matching/", matching.matching_queue, name="matching_queue"),
    path("matching/<int:pk>/", matching.matching_pair, name="matching_pair"),
    path("matching/<int:pk>/decide/", matching.matching_decide, name="matching_decide"),
    path("matching/decisions/", matching.matching_decisions, name="matching_decisions"),
    path("matching/merges/<int:pk>/undo/", matching.matching_undo_merge, name="matching_undo_merge"),
    path("matching/registry/", matching.matching_registry, name="matching_registry"),
    path("matching/registry/link/", matching.matching_registry_link, name="matching_registry_link"),
]
