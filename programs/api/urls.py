from config.api.routers import ApiRouter
from programs.api.views import ProgramViewSet

router = ApiRouter()
router.register("programs", ProgramViewSet, basename="program")

urlpatterns = router.urls
