from django.urls import path

from . import views

urlpatterns = [
    path("account/<int:pk>/", views.account_detail, name="account_detail"),
]
