from audit.api.views import AuditEntryViewSet
from config.api.routers import ApiRouter

router = ApiRouter()
router.register("auditLog", AuditEntryViewSet, basename="audit-entry")

urlpatterns = router.urls
