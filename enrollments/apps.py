from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "enrollments"
