"""A short-lived cache of API key → key row (with its workspace, organization and scopes), so
that an API request does not pay a database lookup to authenticate.

Entries live API_KEY_CACHE_SECONDS (default 10) in the default cache. Every change to a key
(revocation, scopes, require-If-Match, deletion) and to a workspace deletes the entries it
touches at once, through the model signals below, so a revoked key is refused by the next
request: in every process when the cache is shared (CACHE_URL), in the revoking process
otherwise, and within API_KEY_CACHE_SECONDS in the others (README, docs/api.md).
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save


def _name(key_hash: str) -> str:
    return f"apikey:{key_hash}"


def cached_key(key_hash: str):
    if not settings.API_KEY_CACHE_SECONDS:
        return None
    return cache.get(_name(key_hash))


def remember(api_key) -> None:
    if settings.API_KEY_CACHE_SECONDS:
        cache.set(_name(api_key.key_hash), api_key, settings.API_KEY_CACHE_SECONDS)


def forget(*key_hashes: str) -> None:
    cache.delete_many([_name(h) for h in key_hashes])


def _key_changed(sender, instance, **kwargs):
    forget(instance.key_hash)


def _workspace_changed(sender, instance, **kwargs):
    from accounts.models import ApiKey

    forget(*ApiKey.objects.filter(workspace_id=instance.pk).values_list("key_hash", flat=True))


def connect() -> None:
    """Called from AccountsConfig.ready()."""
    from accounts.models import ApiKey, Organization, Workspace

    for signal in (post_save, post_delete):
        signal.connect(_key_changed, sender=ApiKey, dispatch_uid=f"apikey-cache-{signal}")
        signal.connect(
            _workspace_changed, sender=Workspace, dispatch_uid=f"ws-apikey-cache-{signal}"
        )
    post_save.connect(_organization_changed, sender=Organization, dispatch_uid="org-apikey-cache")


def _organization_changed(sender, instance, **kwargs):
    from accounts.models import ApiKey

    forget(
        *ApiKey.objects.filter(workspace__organization_id=instance.pk).values_list(
            "key_hash", flat=True
        )
    )
