"""The public pages. Thin: parse with the presenter, call the services, draw the answer.

Every page: the instance's branding, the customer's language (`?lang=`, Accept-Language),
CSP frame-ancestors from `formConfig.embedOrigins`. Every POST: CSRF (middleware), a per-IP
rate limit and a body size limit; bad input is a form error, never a 500.
"""

import uuid

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.errors import ConflictError, DomainError
from enroll import selectors
from enroll.framing import apply_framing
from enroll.guards import body_too_large, client_ip, rate_limited
from enroll.language import with_language
from enroll.presenter import EnrollmentForm
from enroll.words import closed_words, ineligible_words, status_words
from enrollments.services.selfservice import (
    enrollment_complete_invitation,
    enrollment_customer_unenroll,
    enrollment_self_enroll,
)
from events.notifications import branding
from events.tasks import enqueue
from instances.formconfig import form_config_text
from instances.terms import terms_current

HONEYPOT = "website"  # hidden from people (CSS, aria-hidden); bots fill it in


def _context(request, instance, **extra) -> dict:
    lang = request.enroll_lang
    config = (instance.form_config if instance else None) or {}
    return {
        "instance": instance,
        "brand": branding(instance),
        "lang": lang,
        "other_languages": [("en", "English"), ("es", "Español")],
        "intro_text": form_config_text(config, "introText", lang),
        **extra,
    }


def _page(request, template, instance, *, status=200, **extra):
    response = render(request, template, _context(request, instance, **extra), status=status)
    return apply_framing(response, instance)


def _guard_post(request, instance):
    """The abuse guards of every public POST; a response when the POST must stop here."""
    if body_too_large(request):
        return _page(request, "enroll/error.html", instance, status=413, kind="too_large")
    wait = rate_limited(request)
    if wait:
        response = _page(request, "enroll/error.html", instance, status=429, kind="rate")
        response["Retry-After"] = str(wait)
        return response
    return None


def _not_found(request):
    return _page(request, "enroll/error.html", None, status=404, kind="not_found")


def _send_status_link(enrollment, lang: str) -> None:
    from enrollments import tasks

    enqueue(tasks.enrollment_status_link_email, enrollment.pk, lang, uuid.uuid4().hex)


def _consent(request) -> dict:
    return {
        "ip_address": client_ip(request) if client_ip(request) != "unknown" else None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:500],
    }


def render_form(request, instance, form, *, status=200, preview=False, invite="", **extra):
    config = instance.form_config or {}
    terms = terms_current(instance=instance)
    terms_text = form_config_text(config, "customTerms", request.enroll_lang, instance.custom_terms)
    return _page(
        request,
        "enroll/page.html",
        instance,
        status=status,
        form=form,
        sections=form.sections(),
        terms=terms,
        terms_text=terms_text if terms else "",
        preview=preview,
        invite=invite,
        honeypot=HONEYPOT,
        **extra,
    )


@require_http_methods(["GET", "POST"])
@with_language
def enrollment_page(request, slug):
    instance = selectors.instance_get_public(slug=slug)
    if instance is None:
        return _not_found(request)
    if request.method == "POST":
        stop = _guard_post(request, instance)  # before the body is read
        if stop:
            return stop
    token = request.POST.get("invite") or request.GET.get("invite") or ""
    invited = (
        selectors.enrollment_by_invite_token(token=token, instance=instance) if token else None
    )
    if token and invited is None:
        return _page(request, "enroll/error.html", instance, status=404, kind="bad_link")
    block = instance.enrollment_block()
    if block:
        return _page(request, "enroll/closed.html", instance, reason=closed_words(block[0]))
    lang = request.enroll_lang
    if request.method == "GET":
        initial = _initial(invited) if invited else {}
        form = EnrollmentForm(instance, lang=lang, initial=initial, invited=invited)
        return render_form(request, instance, form, invite=token)
    form = EnrollmentForm(instance, lang=lang, data=request.POST, invited=invited)
    if request.POST.get(HONEYPOT):
        # A bot: answer as if it worked, create nothing, teach it nothing.
        return _confirmation(request, instance)
    data = form.parse()
    terms = terms_current(instance=instance)
    if terms and request.POST.get("consent") != "yes":
        form.errors.append(("consent", _("Please accept the terms to enroll.")))
        form.consent_error = True
    if data is None or form.errors:
        return render_form(request, instance, form, status=400, invite=token)
    try:
        if invited:
            result = enrollment_complete_invitation(
                enrollment=invited, data=data, consent=_consent(request), language=lang
            )
        else:
            result = enrollment_self_enroll(
                instance=instance, data=data, consent=_consent(request), language=lang
            )
    except ConflictError as error:
        return _conflict_page(request, instance, form, error, token)
    except DomainError as error:
        form.add_domain_error(error)
        return render_form(request, instance, form, status=400, invite=token)
    if result.outcome.startswith("duplicate"):
        _send_status_link(result.enrollment, lang)
    if result.outcome == "duplicate":
        return _confirmation(request, instance)
    if result.outcome in ("ineligible", "duplicate_ineligible"):
        words = ineligible_words(result.rules, result.reason)
        return _page(request, "enroll/ineligible.html", instance, reason=words)
    return _confirmation(request, instance)


def _conflict_page(request, instance, form, error, token):
    """A service's 409 in the customer's words: an excluded program is a reason not to be
    eligible, a instance that closed meanwhile is the closed page, anything else (e.g. an
    invitation already used) a message at the top of the form."""
    details = error.details or {}
    if "serial_number" in details:
        # Another customer enrolled this device: create nothing, email no one, and say so.
        form.add_error(
            "serialNumber",
            _(
                "This device is already enrolled in this program. If you think that is a "
                "mistake, contact the program."
            ),
        )
        return render_form(request, instance, form, status=409, invite=token)
    if "exclude_program_slugs" in details:
        words = ineligible_words([{"rule": "excludeProgramSlugs", "passed": False}], "")
        return _page(request, "enroll/ineligible.html", instance, status=409, reason=words)
    block = instance.enrollment_block()
    if block:
        return _page(request, "enroll/closed.html", instance, reason=closed_words(block[0]))
    form.errors.append(
        (
            "",
            _(
                "We could not take this enrollment. Please check the link you used or "
                "start again from the enrollment page."
            ),
        )
    )
    return render_form(request, instance, form, status=409, invite=token)


def _initial(enrollment) -> dict:
    values = {
        "firstName": enrollment.first_name,
        "lastName": enrollment.last_name,
        "email": enrollment.email,
        "phone": enrollment.phone,
        "deviceType": enrollment.device_type,
        "manufacturerSlugs": enrollment.manufacturer_slugs,
        "deviceCapacity": enrollment.device_capacity,
        "serialNumber": enrollment.serial_number,
        "referenceId": enrollment.reference_id,
        "referenceDescription": enrollment.reference_description,
        "streetOne": enrollment.street_one,
        "streetTwo": enrollment.street_two,
        "city": enrollment.city,
        "state": enrollment.state,
        "postalCode": enrollment.postal_code,
    }
    return {k: v for k, v in values.items() if v not in (None, "", [])}


def _confirmation(request, instance):
    """The same page for a new enrollment and for an address that already has one (which
    gets its status link by email): the page never tells whether an address is known."""
    message = form_config_text(
        instance.form_config, "successMessage", request.enroll_lang, _("Thank you for enrolling.")
    )
    return _page(request, "enroll/confirmation.html", instance, success_message=message)


@require_http_methods(["GET", "POST"])
@with_language
def status_request(request, slug):
    """Ask for a fresh status link by email. The answer is the same whether or not the
    address has an enrollment here."""
    instance = selectors.instance_get_public(slug=slug)
    if instance is None:
        return _not_found(request)
    if request.method == "GET":
        return _page(request, "enroll/status_request.html", instance)
    stop = _guard_post(request, instance)
    if stop:
        return stop
    email = (request.POST.get("email") or "").strip()
    if not email or "@" not in email or len(email) > 254:
        return _page(
            request,
            "enroll/status_request.html",
            instance,
            status=400,
            email=email,
            error=_("Enter the email address you enrolled with."),
        )
    if not request.POST.get(HONEYPOT):
        enrollment = selectors.enrollment_for_email(instance=instance, email=email)
        if enrollment is not None:
            _send_status_link(enrollment, request.enroll_lang)
    return _page(request, "enroll/status_request.html", instance, sent=True)


@require_http_methods(["GET", "POST"])
@with_language
def status_page(request, token):
    enrollment = selectors.enrollment_by_status_token(token=token)
    if enrollment is None:
        return _page(request, "enroll/error.html", None, status=404, kind="bad_link")
    instance = enrollment.program_instance
    error = ""
    if request.method == "POST":
        stop = _guard_post(request, instance)
        if stop:
            return stop
        reason = (request.POST.get("reason") or "").strip()[:2000]
        if not reason:
            error = _("Please tell us why you are leaving.")
        else:
            try:
                enrollment_customer_unenroll(enrollment=enrollment, reason=reason)
            except DomainError:
                error = _("Your enrollment cannot be ended from here now. Please contact us.")
            else:
                url = reverse("enroll:status", kwargs={"token": token})
                return redirect(f"{url}?lang={request.enroll_lang}&left=1")
    history_rows = selectors.enrollment_public_history(enrollment=enrollment)
    history = [(enrollment.created_at, status_words("candidate"))] + [
        (change.created_at, status_words(change.to_status)) for change in history_rows
    ]
    return _page(
        request,
        "enroll/status.html",
        instance,
        status=400 if error else 200,
        enrollment=enrollment,
        status_text=status_words(enrollment.status),
        history=history,
        error=error,
        can_unenroll=enrollment.status == "approved",
        left=request.GET.get("left") == "1",
        ineligible_reason=_ineligible_reason(enrollment, history_rows),
    )


def _ineligible_reason(enrollment, history_rows) -> str:
    if enrollment.status != "ineligible":
        return ""
    verdicts = [c for c in history_rows if c.to_status == "ineligible"]
    rules = (
        ((verdicts[-1].metadata or {}).get("evaluation") or {}).get("rules", []) if verdicts else []
    )
    return ineligible_words(rules, enrollment.eligibility_reason)


@with_language
def preview_page(request, instance):
    """The dashboard's Preview (its view checks the operator's workspace): the form as
    customers see it, whatever the instance's state, with a banner."""
    block = instance.enrollment_block()
    form = EnrollmentForm(instance, lang=request.enroll_lang)
    return render_form(
        request, instance, form, preview=True, closed_reason=closed_words(block[0]) if block else ""
    )
