from django.apps import AppConfig


class EnrollConfig(AppConfig):
    name = "enroll"
    verbose_name = "Public enrollment page"
