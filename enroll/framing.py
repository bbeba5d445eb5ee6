"""Who may frame the public page: `formConfig.embedOrigins` (validated https origins) become
the CSP `frame-ancestors`; without them the page cannot be framed ('none' and X-Frame-Options
DENY). Works with Django's ContentSecurityPolicyMiddleware (the response's CSP config is
overridden, as `csp_override` does, keeping the site policy's other directives) and without it
(the header is then set here)."""

from django.conf import settings
from django.utils.csp import CSP, build_policy

CSP_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"
# The page's own policy when the site has none (SECURE_CSP empty or absent).
PAGE_POLICY = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "https:", "data:"],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "script-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
}


def frame_ancestors(instance) -> list[str]:
    origins = ((instance.form_config if instance else None) or {}).get("embedOrigins") or []
    return [o for o in origins if isinstance(o, str) and o.startswith("https://")]


def apply_framing(response, instance):
    origins = frame_ancestors(instance)
    policy = dict(getattr(settings, "SECURE_CSP", None) or PAGE_POLICY)
    policy["frame-ancestors"] = origins or [CSP.NONE]
    response._csp_config = policy
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(policy)
    if origins:
        # frame-ancestors decides; X-Frame-Options cannot name several origins.
        response.xframe_options_exempt = True
    return response
