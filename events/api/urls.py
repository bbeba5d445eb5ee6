from config.api.routers import ApiRouter
from events.api.views import EventViewSet, WebhookViewSet

router = ApiRouter()
router.register("events", EventViewSet, basename="event")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = router.urls
