from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and access"

    def ready(self):
        from accounts.admin_platform import restrict_platform_admins

        restrict_platform_admins()
        from accounts import key_cache

        key_cache.connect()
