from django.urls import path

from . import views

urlpatterns = [
    path("already-shared/", views.already_shared, name="already_shared"),
]
