"""What the enrollment API tests share: the spec's request example and `enroll`, a POST to an
instance's enrollments (the `instance` fixture is in conftest.py).
"""

# The spec's request example (enrollments.md, "Creating an Enrollment"), with the JSON's
# missing closing braces restored; nothing else changed.
SPEC_EXAMPLE = {
    "identificationType": "customerInfo",
    "firstName": "Suzie",
    "lastName": "Homeowner",
    "email": "suzie.homeowner@example.com",
    "phone": "+1234567890",
    "address": {
        "streetOne": "123 Main St",
        "streetTwo": "Apt 4B",
        "city": "New York",
        "state": "NY",
        "postalCode": "10001",
        "country": "USA",
    },
    "manufacturerSlugs": ["tesla", "enphase"],
    "serialNumber": "1234567890",
    "referenceId": "1234567890",
    "referenceDescription": "Tesla Grid Services id.",
    "tags": ["tag1", "tag2"],
}


def enroll(api, instance, body):
    return api.post(f"/api/v1/programInstances/{instance.pk}/enrollments", body, format="json")
