from django.urls import path

from . import announcement_views, views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("bell/", views.bell, name="notifications_bell"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("<int:pk>/read/", views.mark_read, name="notification_read"),
    path("read-all/", views.mark_all_read, name="notifications_read_all"),
    path("preferences/", views.preferences_page, name="notification_preferences"),
    path("follow/<int:content_type_id>/<int:object_id>/", views.follow_toggle, name="follow_toggle"),
    path("first-run/", views.first_run_choice, name="notifications_first_run"),
    path("announcements/", announcement_views.announcement_list, name="announcements"),
    path("announcements/new/", announcement_views.announcement_new, name="announcement_new"),
    path("announcements/<int:pk>/", announcement_views.announcement_detail, name="announcement_detail"),
    path("announcements/<int:pk>/read/", announcement_views.announcement_read, name="announcement_read"),
    # Public: the signed token says who (the view is @login_not_required).
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
]
