"""The map pages: dashboard chart, facilities, sourcing links, explorer. (The dashboard itself is in urls.)"""

from django.urls import path

from fairthread.web.views import dashboard, explorer, facilities

urlpatterns = [
    path("charts/facilities-map.svg", dashboard.facility_map_svg, name="facility_map_svg"),
    path("facilities/", facilities.facility_list, name="facility_list"),
    path("facilities/new/", facilities.facility_create, name="facility_create"),
    path("facilities/export/", facilities.facility_export, name="facility_export"),
    path("facilities/<uuid:uid>/", facilities.facility_detail, name="facility_detail"),
    path("facilities/<uuid:uid>/edit/", facilities.facility_edit, name="facility_edit"),
    path("facilities/<uuid:uid>/links/new/", facilities.link_create, name="link_create"),
    path("facilities/<uuid:uid>/agents/new/", facilities.agent_add, name="agent_add"),
    path("facilities/<uuid:uid>/agents/<int:pk>/edit/", facilities.agent_edit, name="agent_edit"),
    path("facilities/<uuid:uid>/agents/<int:pk>/remove/", facilities.agent_remove, name="agent_remove"),
    path("links/<int:pk>/delete/", facilities.link_delete, name="link_delete"),
    path("explorer/", explorer.explorer, name="explorer"),
    path("explorer/<uuid:uid>/", explorer.explorer_facility, name="explorer_facility"),
]
