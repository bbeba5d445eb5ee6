"""The demo data: realistic, idempotent, and respecting visibility."""

from accounts import demo as accounts_demo
from events.models import Event
from instances import demo as instances_demo
from instances.models import ProgramInstance
from programs import demo as programs_demo
from programs.models import Program, ProgramState


def _seed():
    context = accounts_demo.seed()
    programs_demo.seed(context)
    instances_demo.seed(context)
    return context


def _counts():
    return (
        Program.objects.count(),
        ProgramState.objects.count(),
        ProgramInstance.objects.count(),
        Event.objects.count(),
    )


def test_demo_seed_is_idempotent_and_visible_per_organization(db):
    context = _seed()
    first = _counts()
    _seed()
    assert _counts() == first

    visible = set(Program.objects.for_workspace(context.workspace).values_list("slug", flat=True))
    assert {"ca-dsgs", "nyc-battery-program-2025", "tx-demand-response"} <= visible
    private = Program.objects.filter(visibility="private")
    assert private.filter(organization=context.organization).count() == 1
    hidden = private.get(organization=context.other_organization)
    assert hidden.slug not in visible

    dsgs = Program.objects.get(slug="ca-dsgs")
    assert (dsgs.visibility, dsgs.states, dsgs.type) == ("public", ["CA"], "demand_response")
    instances = ProgramInstance.objects.for_workspace(context.workspace)
    assert 3 <= instances.count() <= 4
    assert any(isinstance(i.eligibility_criteria, dict) for i in instances)
    assert set(instances.values_list("status", flat=True)) == {"active", "inactive", "archived"}
