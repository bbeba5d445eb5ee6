"""Factories for customers, leads and enrollments; every graph stays inside one workspace.

ProgramFactory / ProgramInstanceFactory are the shared ones of tests/factories.py (re-exported
here for convenience).
"""

import factory
from factory.django import DjangoModelFactory

from enrollments.models import Customer, Enrollment, EnrollmentStatus, Lead
from enrollments.services import enrollment_sync_terms
from tests.factories import ProgramFactory, ProgramInstanceFactory, WorkspaceFactory


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    workspace = factory.SubFactory(WorkspaceFactory)
    first_name = "Suzie"
    last_name = factory.Sequence(lambda n: f"Homeowner{n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = "+1234567890"
    street_one = "123 Main St"
    city = "New York"
    state = "NY"
    postal_code = "10001"
    country = "USA"


class LeadFactory(DjangoModelFactory):
    class Meta:
        model = Lead

    workspace = factory.SubFactory(WorkspaceFactory)
    first_name = "Larry"
    last_name = factory.Sequence(lambda n: f"Lead{n}")
    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    state = "CA"
    postal_code = "94105"


class EnrollmentFactory(DjangoModelFactory):
    """`status=` builds a row directly in that status (test set-up only; real code transitions
    through enrollments.services)."""

    class Meta:
        model = Enrollment
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    program_instance = factory.SubFactory(
        ProgramInstanceFactory, workspace=factory.SelfAttribute("..workspace")
    )
    customer = factory.SubFactory(CustomerFactory, workspace=factory.SelfAttribute("..workspace"))
    identification_type = "customerInfo"
    first_name = factory.SelfAttribute("customer.first_name")
    last_name = factory.SelfAttribute("customer.last_name")
    email = factory.SelfAttribute("customer.email")
    phone = "+1234567890"
    street_one = "123 Main St"
    city = "New York"
    state = "NY"
    postal_code = "10001"
    country = "USA"
    manufacturer_slugs = factory.LazyFunction(lambda: ["tesla"])
    device_type = "battery"
    serial_number = factory.Sequence(lambda n: f"SN{n:06d}")
    tags = factory.LazyFunction(lambda: ["demo"])
    status = EnrollmentStatus.CANDIDATE

    @factory.post_generation
    def terms(obj, create, extracted, **kwargs):
        if create:
            enrollment_sync_terms(enrollments=[obj], replace=False)


__all__ = [
    "CustomerFactory",
    "EnrollmentFactory",
    "LeadFactory",
    "ProgramFactory",
    "ProgramInstanceFactory",
]
