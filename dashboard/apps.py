from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"

    def ready(self):
        # After the admin's autodiscovery (django.contrib.admin comes first in INSTALLED_APPS).
        from config.datetimes import install_admin_datetime_rule

        install_admin_datetime_rule()
