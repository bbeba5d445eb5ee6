from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "enrollments"

    def ready(self) -> None:
        from config import lookups

        lookups.register()  # `__in_array`, for the bulk paths' long id and email lists
