"""The risk pages (issue 3): overview, priority list and export, critical areas, a facility's explanation,
assessment runs and their comparison, methodology versions."""

from django.urls import path

from fairthread.web.views import risk

urlpatterns = [
    path("risk/", risk.risk_overview, name="risk_overview"),
    path("risk/charts/heatmap.svg", risk.risk_heatmap_svg, name="risk_heatmap_svg"),
    path("risk/charts/map.svg", risk.risk_map_svg, name="risk_map_svg"),
    path("risk/facilities/", risk.risk_priority, name="risk_priority"),
    path("risk/facilities/<uuid:uid>/", risk.risk_facility, name="risk_facility"),
    path("risk/export.<str:kind>", risk.risk_export, name="risk_export"),
    path("risk/areas/", risk.risk_areas, name="risk_areas"),
    path("risk/runs/", risk.risk_runs, name="risk_runs"),
    path("risk/runs/start/", risk.risk_run_start, name="risk_run_start"),
    path("risk/runs/compare/", risk.risk_compare, name="risk_compare"),
    path("risk/runs/<int:pk>/", risk.risk_run_detail, name="risk_run_detail"),
    path("risk/methodology/", risk.risk_methodology, name="risk_methodology"),
    path("risk/methodology/diff/", risk.risk_methodology_diff, name="risk_methodology_diff"),
    path("risk/methodology/new/", risk.risk_methodology_new, name="risk_methodology_new"),
    path("risk/methodology/<str:version>/", risk.risk_methodology_detail, name="risk_methodology_detail"),
]
