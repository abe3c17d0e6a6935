from django.urls import path

from . import import_views, views

urlpatterns = [
    path("", views.leaderboard, name="leaderboard"),
    path("export.csv", views.leaderboard_csv, name="leaderboard_csv"),
    path("reps/<str:username>/", views.rep_detail, name="leaderboard_rep"),
    path("reps/<str:username>/deals.csv", views.rep_deals_csv, name="leaderboard_rep_deals_csv"),
    path("analysis/", views.analysis_view, name="leaderboard_analysis"),
    path("analysis.csv", views.analysis_csv, name="leaderboard_analysis_csv"),
    path("import/", import_views.import_deals_view, name="leaderboard_import"),
    path("import/<str:result_id>/", import_views.import_result, name="leaderboard_import_result"),
    path("owners/", import_views.unmapped_owners, name="leaderboard_owners"),
    path("owners.csv", import_views.unmapped_owners_csv, name="leaderboard_owners_csv"),
    path("owners/people/", import_views.people_suggestions, name="leaderboard_people"),
]
