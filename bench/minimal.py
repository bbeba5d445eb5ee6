"""The yardstick of `GET /api/v1/enrollments/{id}`: a minimal hand-written Django view that
returns the same JSON from the same row with the same API-key check, and nothing else (no DRF,
no ETag, no throttle). Bench only: `bench.settings` mounts it at /bench/enrollments/{id} for
`make bench BENCH_ARGS=--http`, which measures both side by side (docs/benchmarks.md).
tests/test_bench_minimal.py checks that its JSON is the API's, byte for byte.
"""

from django.http import JsonResponse
from django.urls import include, path

from accounts.services import api_key_authenticate
from enrollments.models import Enrollment


def _when(value):
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def enrollment_body(e: Enrollment) -> dict:
    return {
        "id": e.id,
        "programInstanceId": e.program_instance_id,
        "identificationType": e.identification_type,
        "leadId": e.lead_id,
        "customerId": e.customer_id,
        "enrollmentId": e.previous_enrollment_id,
        "firstName": e.first_name,
        "lastName": e.last_name,
        "email": e.email,
        "phone": e.phone,
        "address": {
            "streetOne": e.street_one,
            "streetTwo": e.street_two,
            "city": e.city,
            "state": e.state,
            "postalCode": e.postal_code,
            "country": e.country,
        },
        "manufacturerSlugs": list(e.manufacturer_slugs),
        "deviceType": e.device_type,
        "deviceCapacity": float(e.device_capacity) if e.device_capacity is not None else None,
        "serialNumber": e.serial_number,
        "referenceId": e.reference_id,
        "referenceDescription": e.reference_description,
        "tags": list(e.tags),
        "metadata": e.metadata,
        "meta": e.metadata,
        "eligibilityStatus": e.status,
        "eligibilityReason": e.eligibility_reason,
        "eligibility": {
            "status": e.status,
            "reason": e.eligibility_reason,
            "programInstanceId": e.program_instance_id,
        },
        "enrollmentStartDate": _when(e.enrollment_start_date),
        "exitReason": e.exit_reason,
        "allowedTransitions": e.allowed_transitions,
        "source": e.source,
        "consent": dict(e.consent) if e.consent else None,
        "language": e.language,
        "createdAt": _when(e.created_at),
        "updatedAt": _when(e.updated_at),
    }


def enrollment_detail(request, pk):
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    key = api_key_authenticate(raw_key=raw.strip()) if scheme.lower() == "bearer" else None
    if key is None or "enrollments:read" not in key.scopes:
        return JsonResponse({"code": "UNAUTHENTICATED"}, status=401)
    enrollment = (
        Enrollment.objects.for_workspace(key.workspace)
        .select_related("program_instance")
        .filter(pk=pk)
        .first()
    )
    if enrollment is None:
        return JsonResponse({"code": "NOT_FOUND"}, status=404)
    return JsonResponse(enrollment_body(enrollment))


urlpatterns = [
    path("bench/enrollments/<str:pk>", enrollment_detail),
    path("", include("config.urls")),
]
