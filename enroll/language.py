"""The public pages' language: `?lang=` first, then the browser's Accept-Language; English
otherwise. Only these pages switch language (the dashboard stays English), so this is a
per-view choice instead of LocaleMiddleware."""

from django.utils import translation

from instances.formconfig import LANGUAGES


def language_of(request) -> str:
    asked = (request.GET.get("lang") or request.POST.get("lang") or "").lower()
    if asked in LANGUAGES:
        return asked
    header = translation.get_language_from_request(request) or "en"
    code = header.split("-")[0].lower()
    return code if code in LANGUAGES else "en"


def with_language(view):
    """Run the view in the request's language; the answer says which (Content-Language) and
    varies by Accept-Language for caches."""

    def wrapped(request, *args, **kwargs):
        lang = language_of(request)
        with translation.override(lang):
            request.enroll_lang = lang
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response["Content-Language"] = lang
        response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Accept-Language"]))
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped
