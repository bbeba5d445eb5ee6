from django.urls import re_path

from accounts.api.views import ApiKeyViewSet, MeViewSet
from config.api.routers import ApiRouter

router = ApiRouter()
router.register("apiKeys", ApiKeyViewSet, basename="apikey")

urlpatterns = [
    re_path(r"^me/?$", MeViewSet.as_view({"get": "retrieve"}), name="me"),
    *router.urls,
]
