from django.urls import path

from . import views

# Mounted at /coaching/ in front of Wagtail: /coaching/ itself is the CoachingIndexPage.
urlpatterns = [
    path("new/", views.video_create, name="video_create"),
    path("videos/<int:pk>/captions.vtt", views.captions, name="coaching_captions"),
    path("videos/<int:pk>/progress/", views.watch_progress, name="coaching_progress"),
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/new/", views.challenge_create, name="challenge_create"),
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<int:pk>/averages.csv", views.pitch_averages_csv, name="pitch_averages_csv"),
    path("challenges/<int:pk>/submit/", views.pitch_submit, name="pitch_submit"),
    path("pitches/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("pitches/<int:pk>/review/", views.pitch_review, name="pitch_review"),
]
