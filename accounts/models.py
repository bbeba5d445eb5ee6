"""Who is who: users, organizations, their workspaces, memberships and API keys."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from accounts import scopes as scope_names
from accounts.querysets import ApiKeyQuerySet, MembershipQuerySet
from config.ids import CuidField
from config.versioning import VersionedModel


class User(AbstractUser):
    """Custom from day one so that later changes need no swap of the user model."""

    id = CuidField()
    email = models.EmailField("email address", blank=True)

    class Meta:
        db_table = "accounts_user"


class Organization(models.Model):
    """A utility, retailer, VPP operator or device maker. Owns workspaces and private programs."""

    id = CuidField()
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def validate_time_zone(value: str) -> None:
    """An IANA time zone name this system knows (America/New_York, Europe/Madrid, UTC)."""
    import zoneinfo

    from django.core.exceptions import ValidationError

    if value not in zoneinfo.available_timezones() and value != "UTC":
        raise ValidationError(
            f"“{value}” is not a time zone name; use one like America/New_York or UTC."
        )


class Workspace(models.Model):
    """The tenant boundary: instances, enrollments, customers, events and keys live in one."""

    class Environment(models.TextChoices):
        PRODUCTION = "production", "Production"
        SANDBOX = "sandbox", "Sandbox"

    id = CuidField()
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="workspaces"
    )
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    environment = models.CharField(
        max_length=20, choices=Environment.choices, default=Environment.PRODUCTION
    )
    # The zone the dashboard shows times in and counts days by (an IANA name, e.g.
    # America/New_York); stored times stay UTC.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)
    require_if_match = models.BooleanField(
        "require If-Match on API changes",
        default=False,
        help_text="API PATCH requests without an If-Match header are refused (428), so that "
        "no integration overwrites a change it has not seen.",
    )

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="workspace_slug_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} / {self.name}"


class Membership(models.Model):
    """A user's role in one workspace; the role decides the user's scopes in the dashboard."""

    class Role(models.TextChoices):
        OWNER = scope_names.ROLE_OWNER, "Owner"
        ADMIN = scope_names.ROLE_ADMIN, "Admin"
        OPERATOR = scope_names.ROLE_OPERATOR, "Operator"
        VIEWER = scope_names.ROLE_VIEWER, "Viewer"

    id = CuidField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["workspace", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def scopes(self) -> frozenset[str]:
        return scope_names.ROLE_SCOPES[self.role]


class ApiKey(VersionedModel):
    """A workspace's API credential. Only a SHA-256 hash of the raw key is stored.

    Raw keys carry 238 bits of randomness, so a fast hash is safe here (unlike passwords) and
    lets authentication find the key with one indexed lookup.
    """

    FULL_PREFIX = "api_"
    SCOPED_PREFIX = "scoped_"

    id = CuidField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=200)
    prefix = models.CharField(
        max_length=24, help_text="The first characters of the key, shown to tell keys apart."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_api_keys",
    )
    created_by_key = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="created_keys"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    require_if_match = models.BooleanField(
        "require If-Match",
        default=False,
        help_text="This key's PATCH requests need an If-Match header (428 without one).",
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_full(self) -> bool:
        return set(scope_names.WORKSPACE_SCOPES) <= set(self.scopes)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.is_revoked and (self.expires_at is None or self.expires_at > now)

    @property
    def created_by_label(self) -> str:
        if self.created_by_user_id:
            return f"user {self.created_by_user}"
        if self.created_by_key_id:
            return f"API key {self.created_by_key}"
        return "command line"


class IdempotencyRecord(models.Model):
    """One `Idempotency-Key` of one caller (an API key or a dashboard user), for 24 hours.

    The row is inserted (and committed) BEFORE the request runs: its unique (owner, key) pair is
    the lock that makes a concurrent retry a 409 instead of a second execution, in every web
    process and on both databases. Once the request has finished, the row keeps the response
    to replay. `config.api.idempotency` reads and writes it; the worker prunes expired rows.
    """

    owner = models.CharField(
        max_length=80, help_text="key:<API key hash> or user:<user id>: whose key value this is."
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of method, path and body of the first request."
    )
    locked_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while the first request is still running."
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class Invitation(models.Model):
    """An offer to join a workspace, accepted by the invited person (issue 14: membership with
    consent). Until `accepted_at` is set there is no Membership, so the workspace is not theirs.
    The link carries a signed, expiring token of the id (accounts.invitations)."""

    id = CuidField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace} ({self.role})"
