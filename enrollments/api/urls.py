from django.urls import re_path

from config.api.routers import ApiRouter
from enrollments.api.imports import ImportViewSet, InstanceImportViewSet
from enrollments.api.views import (
    CustomerViewSet,
    EnrollmentViewSet,
    InstanceEnrollmentViewSet,
    LeadViewSet,
)

router = ApiRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("leads", LeadViewSet, basename="lead")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("imports", ImportViewSet, basename="import")

urlpatterns = [
    re_path(
        r"^programInstances/(?P<instanceId>[^/.]+)/enrollments/?$",
        InstanceEnrollmentViewSet.as_view({"get": "list", "post": "create"}),
        name="instance-enrollments",
    ),
    re_path(
        r"^programInstances/(?P<instanceId>[^/.]+)/imports/?$",
        InstanceImportViewSet.as_view({"post": "create"}),
        name="instance-imports",
    ),
    *router.urls,
]
