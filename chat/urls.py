from django.urls import path

from . import views

urlpatterns = [
    path("commands/", views.slash_command, name="slack_command"),
    path("interactivity/", views.interactivity, name="slack_interactivity"),
]
