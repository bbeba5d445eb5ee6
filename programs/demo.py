"""Demo programs for `make run`: three public programs and one private to the demo organization
(plus one private to the other organization, which the demo workspace must never see).
Idempotent: an existing slug is left as it is."""

from programs.models import Program
from programs.services import ProgramData, program_create

PUBLIC_PROGRAMS = [
    {
        "slug": "ca-dsgs",
        "name": "California Demand Side Grid Support (DSGS)",
        "description": "State-run incentive for reducing load or exporting battery power during "
        "California grid emergencies (CEC DSGS).",
        "type": Program.Type.DEMAND_RESPONSE,
        "states": ["CA"],
        "year": 2025,
    },
    {
        "slug": "nyc-battery-program-2025",
        "name": "NYC Battery Program 2025",
        "description": "Upfront incentive and peak-event payments for residential batteries in "
        "New York City.",
        "type": Program.Type.REBATE,
        "states": ["NY"],
        "year": 2025,
    },
    {
        "slug": "battery-rebate",
        "name": "Battery Rebate",
        "description": "A generic residential battery rebate that utilities brand per region.",
        "type": Program.Type.REBATE,
        "states": ["NY", "NJ", "CT"],
        "year": 2025,
    },
    {
        "slug": "tx-demand-response",
        "name": "Texas Residential Demand Response",
        "description": "Thermostat and battery curtailment during ERCOT peak events.",
        "type": Program.Type.DEMAND_RESPONSE,
        "states": ["TX"],
        "year": 2025,
    },
]


def _ensure(organization=None, **fields) -> Program:
    existing = Program.objects.filter(slug=fields["slug"]).first()
    if existing is not None:
        return existing
    visibility = Program.Visibility.PRIVATE if organization else Program.Visibility.PUBLIC
    return program_create(
        data=ProgramData(visibility=visibility, organization=organization, **fields)
    )


def seed(context) -> None:
    for fields in PUBLIC_PROGRAMS:
        _ensure(**fields)
    _ensure(
        organization=context.organization,
        slug=f"{context.organization.slug}-battery-peak-shaving",
        name=f"{context.organization.name} Battery Peak Shaving",
        description="Private program: member batteries discharge during the co-op's monthly "
        "peak to cut demand charges.",
        type=Program.Type.VPP,
        states=["CA", "NV"],
        year=2025,
    )
    _ensure(
        organization=context.other_organization,
        slug=f"{context.other_organization.slug}-smart-thermostat",
        name=f"{context.other_organization.name} Smart Thermostat Program",
        description="Private to another organization: invisible to the demo workspace.",
        type=Program.Type.DEMAND_RESPONSE,
        states=["NY"],
        year=2025,
    )
