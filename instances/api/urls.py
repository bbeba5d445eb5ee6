from config.api.routers import ApiRouter
from instances.api.views import ProgramInstanceViewSet

router = ApiRouter()
router.register("programInstances", ProgramInstanceViewSet, basename="programinstance")

urlpatterns = router.urls
