"""config.bulk_insert: rows as `bulk_create` would write them (defaults, ids, stamps in
order), conflicts skipped with the written keys returned, and the statement counted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.bulk_insert import JsonText, insert_rows
from config.ids import new_ids
from enrollments.models import Customer, EnrollmentStatusChange
from tests.enrollments.factories import CustomerFactory, EnrollmentFactory


def test_defaults_ids_and_rising_stamps(workspace):
    enrollment = EnrollmentFactory(workspace=workspace)
    rows = [
        {
            "workspace_id": workspace.pk,
            "enrollment_id": enrollment.pk,
            "enrollment_ref": enrollment.pk,
            "program_instance_ref": enrollment.program_instance_id,
            "from_status": "candidate",
            "to_status": "eligible",
            "actor_label": "system",
            "metadata": {"n": n} if n else JsonText('{"given": "as text"}'),
        }
        for n in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        written = insert_rows(EnrollmentStatusChange, rows)
    assert len(queries) == 1  # one COPY (PostgreSQL) or executemany (SQLite), counted
    stored = list(
        EnrollmentStatusChange.objects.filter(enrollment=enrollment).order_by("created_at")
    )
    assert {c.pk for c in stored} == written and len(written) == 3
    assert [c.metadata for c in stored] == [{"given": "as text"}, {"n": 1}, {"n": 2}]
    assert stored[0].reason == "" and stored[0].actor_user_id is None  # the model's defaults
    assert stored[0].created_at < stored[1].created_at < stored[2].created_at


def test_conflicting_rows_are_skipped_and_the_written_keys_returned(workspace):
    taken = CustomerFactory(workspace=workspace, email="taken@example.com")
    ids = new_ids(2)
    rows = [
        {"id": ids[0], "workspace_id": workspace.pk, "email": "taken@example.com"},
        {"id": ids[1], "workspace_id": workspace.pk, "email": "new@example.com"},
    ]
    for row in rows:
        row.update(first_name="Ana", last_name="Lee")
    assert insert_rows(Customer, rows, ignore_conflicts=True) == {ids[1]}
    assert Customer.objects.get(email="taken@example.com").pk == taken.pk
    assert Customer.objects.get(email="new@example.com").version == 1


def test_ids_have_the_cuid_shape_and_do_not_repeat():
    ids = new_ids(20_000)
    assert len(set(ids)) == 20_000
    assert all(len(i) == 25 and i[0].isalpha() and i.isalnum() and i.islower() for i in ids)


def test_in_array_finds_what_in_finds(workspace):
    customers = [CustomerFactory(workspace=workspace) for _ in range(3)]
    emails = [c.email for c in customers[:2]] + ["nobody@example.com"]
    by_array = set(Customer.objects.filter(email__in_array=emails).values_list("pk", flat=True))
    assert by_array == set(Customer.objects.filter(email__in=emails).values_list("pk", flat=True))
    assert len(by_array) == 2
    assert not Customer.objects.filter(email__in_array=[]).exists()


def test_built_objects_are_what_the_constructor_makes(workspace):
    """`build_objects` gives each row the instance `Model(**shared, **row)` would be: every
    default, the shared foreign key, the row's values; its own lists and dicts, its own id."""
    import pytest

    from config.bulk_insert import build_objects
    from enrollments.models import Enrollment
    from tests.enrollments.factories import ProgramInstanceFactory

    instance = ProgramInstanceFactory(workspace=workspace)
    shared = {"workspace_id": workspace.pk, "program_instance": instance, "source": "import"}
    rows = [{"first_name": "Ana", "tags": ["a"]}, {"first_name": "Bo", "email": "bo@x.com"}]
    built = build_objects(Enrollment, rows, **shared)
    for obj, row in zip(built, rows, strict=True):
        usual = Enrollment(**shared, **row)
        for field in Enrollment._meta.concrete_fields:
            if not field.primary_key and field.name != "idempotency_key":
                assert getattr(obj, field.attname) == getattr(usual, field.attname), field.name
        assert obj.program_instance is instance and obj._state.adding
        assert obj.allowed_transitions == usual.allowed_transitions
    assert built[0].pk != built[1].pk and len(built[0].pk) == 25
    built[1].metadata["x"] = 1
    built[1].manufacturer_slugs.append("tesla")
    assert built[0].metadata == {} and built[0].manufacturer_slugs == []
    assert build_objects(Enrollment, [rows[1]], **shared)[0].metadata == {}
    with pytest.raises(ValueError, match="program_instance"):
        build_objects(Enrollment, [{"program_instance": instance}], workspace_id=workspace.pk)


def test_fetched_objects_are_what_the_queryset_loads(workspace):
    """`fetch_objects` (the bulk paths' chunk read) gives every row the state `list(queryset)`
    would: every column converted (JSON, decimals, dates), a loaded `_state`, and django-fsm's
    remembered status per row, so a later `save()` of one of them is still guarded."""
    from decimal import Decimal

    from django_fsm import ConcurrentTransition

    from config.bulk_insert import fetch_objects
    from enrollments.models import Enrollment

    made = [
        EnrollmentFactory(workspace=workspace, status=status, device_capacity=Decimal("13.5"))
        for status in ("candidate", "eligible", "submitted")
    ]
    made[1].metadata = {"meter": {"id": 7}}
    made[1].save()
    queryset = Enrollment.objects.filter(pk__in=[e.pk for e in made]).order_by("pk")
    fetched, loaded = fetch_objects(queryset), list(queryset)

    def state(obj):
        return {k: v for k, v in vars(obj).items() if k != "_state"}

    assert [state(f) for f in fetched] == [state(o) for o in loaded]
    assert [f.status for f in fetched] == [o.status for o in loaded]
    assert all(not f._state.adding and f._state.db == "default" for f in fetched)
    assert fetch_objects(Enrollment.objects.none()) == []
    # A concurrent move between the read and the save is refused, as for a loaded row.
    row = next(f for f in fetched if f.status == "eligible")
    Enrollment.objects.filter(pk=row.pk).update(status="submitted")
    row.first_name = "Changed"
    with pytest.raises(ConcurrentTransition):
        row.save()
