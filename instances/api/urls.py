from django.urls import re_path

from config.api.routers import ApiRouter
from instances.api.views import ProgramInstanceOfProgramViewSet, ProgramInstanceViewSet

router = ApiRouter()
router.register("programInstances", ProgramInstanceViewSet, basename="programinstance")

urlpatterns = [
    *router.urls,
    re_path(
        r"^programs/(?P<programSlug>[^/]+)/instances/?$",
        ProgramInstanceOfProgramViewSet.as_view({"post": "create"}),
        name="program-instances",
    ),
]
