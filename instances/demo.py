"""Demo program instances in the demo workspace, with machine-checked rules. Idempotent: an
existing slug is left as it is."""

import datetime as dt

from instances.models import ProgramInstance
from instances.services import instance_create, instance_set_status
from programs.models import Program


def _at(year, month, day, end=False) -> dt.datetime:
    clock = dt.time(23, 59, 59) if end else dt.time(0, 0)
    return dt.datetime.combine(dt.date(year, month, day), clock, tzinfo=dt.UTC)


def _instances(context) -> list[tuple[str, dict]]:
    this_year = dt.date.today().year
    return [
        (
            "ca-dsgs",
            {
                "slug": f"{context.organization.slug}-dsgs",
                "name": "DSGS for Pacific Grid members",
                "description": "Earn up to $150/kWh a season for letting your battery support "
                "the California grid during emergencies.",
                "eligibility_criteria": {
                    "regions": ["CA"],
                    "deviceTypes": ["battery"],
                    "manufacturers": ["tesla", "enphase", "franklinwh"],
                    "minimumCapacity": 5,
                    "excludeProgramSlugs": ["tx-demand-response"],
                },
                "custom_terms": "You agree to let your battery discharge during up to 60 "
                "grid events a season.",
                "form_config": {
                    "fields": [
                        {"name": "phone", "required": True, "label": "Mobile phone"},
                        {"name": "address", "required": True},
                        {"name": "deviceType", "required": True},
                        {"name": "manufacturerSlugs", "required": True},
                        {"name": "deviceCapacity", "required": True},
                    ],
                    "brandColor": "#0b6bcb",
                    "notifications": {"customer": True, "staff": True},
                },
                "start_date": _at(this_year, 1, 1),
                "end_date": _at(this_year, 12, 31, end=True),
                "metadata": {"season": str(this_year), "incentivePerKwh": 150},
            },
        ),
        (
            "battery-rebate",
            {
                "slug": f"{context.organization.slug}-battery-rebate-ny",
                "name": "NY Battery Rebate",
                "description": "Rebate for home batteries installed in New York.",
                "eligibility_criteria": {
                    "regions": ["NY"],
                    "postalCodes": ["100*", "112*"],
                    "deviceTypes": ["battery"],
                    "minimumCapacity": 5.0,
                    "maximumCapacity": 40,
                    "requireReferenceId": True,
                },
                "custom_terms": "Participants must be NYC residents with proof of purchase.",
                "form_config": {
                    "fields": [
                        {"name": "referenceId", "required": True, "label": "ConEd account no."},
                        {"name": "serialNumber", "required": True},
                    ],
                    "notifications": {"customer": True, "staff": False},
                },
            },
        ),
        (
            f"{context.organization.slug}-battery-peak-shaving",
            {
                "slug": f"{context.organization.slug}-peak-shaving-pilot",
                "name": "Peak Shaving Pilot",
                "description": "Private pilot of the co-op's peak shaving program.",
                "eligibility_criteria": "Members with a battery of 10 kWh or more, on the "
                "co-op's residential rate.",
                "status": ProgramInstance.Status.INACTIVE,
            },
        ),
        (
            "tx-demand-response",
            {
                "slug": f"{context.organization.slug}-tx-dr-2024",
                "name": "Texas Demand Response 2024",
                "description": "Last season's Texas deployment, kept for its history.",
                "eligibility_criteria": {"regions": ["TX"], "deviceTypes": ["thermostat"]},
                "start_date": _at(2024, 5, 1),
                "end_date": _at(2024, 9, 30, end=True),
            },
        ),
    ]


def seed(context) -> None:
    for program_slug, data in _instances(context):
        if ProgramInstance.objects.filter(slug=data["slug"]).exists():
            continue
        program = Program.objects.for_workspace(context.workspace).get(slug=program_slug)
        instance = instance_create(workspace=context.workspace, program=program, data=dict(data))
        if data["slug"].endswith("tx-dr-2024"):
            instance_set_status(instance=instance, status=ProgramInstance.Status.ARCHIVED)
    seed_sandbox(context)


def seed_sandbox(context) -> None:
    """One instance in the sandbox workspace, for trying the API without touching production."""
    sandbox = context.organization.workspaces.filter(slug="sandbox").first()
    slug = f"{context.organization.slug}-sandbox-dsgs"
    if sandbox is None or ProgramInstance.objects.filter(slug=slug).exists():
        return
    program = Program.objects.for_workspace(sandbox).get(slug="ca-dsgs")
    instance_create(
        workspace=sandbox,
        program=program,
        data={
            "slug": slug,
            "name": "DSGS test instance (sandbox)",
            "description": "A copy of the production rules for trying integrations.",
            "eligibility_criteria": {
                "regions": ["CA"],
                "deviceTypes": ["battery"],
                "minimumCapacity": 5,
            },
        },
    )
