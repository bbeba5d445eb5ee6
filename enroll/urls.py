from django.urls import path

from enroll import views

app_name = "enroll"

urlpatterns = [
    path("enroll/status/<str:token>/", views.status_page, name="status"),
    path("enroll/<slug:slug>/", views.enrollment_page, name="page"),
    path("enroll/<slug:slug>/status/", views.status_request, name="status-request"),
]
