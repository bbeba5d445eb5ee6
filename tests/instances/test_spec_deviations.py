"""Spec deviations fixed for instances (issue 9, section 4 and 5): the program's states bound
eligibility, no new instances of inactive or ended programs, `autoEvaluate`, and an unchanged
save in the dashboard editor changes nothing."""

import datetime as dt

import pytest
from django import forms
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from events.models import Event
from instances.models import ProgramInstance
from tests.factories import MembershipFactory, ProgramFactory, ProgramInstanceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(workspace):
    """A signed-in dashboard client (Django's test Client) of `workspace` with a role."""

    def make(role="operator"):
        user = UserFactory()
        MembershipFactory(user=user, workspace=workspace, role=role)
        client = Client()
        client.force_login(user)
        return client

    return make


PERSON = {"identificationType": "customerInfo", "firstName": "Tex", "lastName": "Ranger"}


def enroll(api, instance, state, email):
    body = {**PERSON, "email": email, "address": {"state": state, "postalCode": "75001"}}
    response = api.post(f"/api/v1/programInstances/{instance.pk}/enrollments", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


# --- the program's states -------------------------------------------------------------------
def test_an_address_outside_the_programs_states_is_ineligible(api, workspace):
    program = ProgramFactory(states=["NY"])
    instance = ProgramInstanceFactory(workspace=workspace, program=program, eligibility_criteria={})
    texan = enroll(api, instance, "TX", "tex@example.com")
    body = api.post(f"/api/v1/enrollments/{texan['id']}/evaluate").json()
    assert body["eligibilityStatus"] == "ineligible"
    assert "outside the program's states (NY)" in body["eligibilityReason"]
    new_yorker = enroll(api, instance, "NY", "ny@example.com")
    body = api.post(f"/api/v1/enrollments/{new_yorker['id']}/evaluate").json()
    assert body["eligibilityStatus"] == "eligible"
    # The dry run says the same.
    dry = api.post(
        f"/api/v1/programInstances/{instance.pk}/eligibility",
        {"address": {"state": "TX"}},
        format="json",
    ).json()
    assert dry["eligible"] is False and dry["rules"][0]["rule"] == "programStates"


# --- no new instances of inactive or ended programs ------------------------------------------
@pytest.mark.parametrize(
    ("program_kwargs", "words"),
    [
        ({"active": False}, "is inactive"),
        ({"end_time": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)}, "ended on 2024-01-01"),
    ],
)
def test_closed_programs_get_no_new_instances_on_any_door(
    api, member, workspace, program_kwargs, words
):
    program = ProgramFactory(slug="closed", **program_kwargs)
    response = api.post(
        "/api/v1/programInstances", {"programSlug": "closed", "name": "X"}, format="json"
    )
    assert response.status_code == 409 and words in response.json()["message"]
    nested = api.post("/api/v1/programs/closed/instances", {"name": "X"}, format="json")
    assert nested.status_code == 409 and words in nested.json()["message"]
    if program.active:  # the dashboard lists active programs only; an ended one is refused
        from tests.dashboard.test_instances import editor_post

        page = member(role="admin").post("/instances/new/", editor_post("closed"))
        assert page.status_code == 400 and words in page.content.decode()
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="instances"))
    MembershipFactory(user=staff, workspace=workspace, role="admin")
    admin = Client()
    admin.force_login(staff)
    page = admin.post(
        "/admin/instances/programinstance/add/",
        {"program": program.pk, "workspace": workspace.pk, "name": "X", "form_config": "{}"},
    )
    assert page.status_code == 200 and words in page.content.decode()
    assert not ProgramInstance.objects.exists()


# --- autoEvaluate ------------------------------------------------------------------------------
def test_auto_evaluate_evaluates_new_enrollments_at_once(api, member, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={"regions": ["NY"]})
    url = f"/api/v1/programInstances/{instance.pk}"
    assert api.get(url).json()["autoEvaluate"] is False
    assert enroll(api, instance, "TX", "before@example.com")["eligibilityStatus"] == "candidate"
    assert api.patch(url, {"autoEvaluate": True}, format="json").json()["autoEvaluate"] is True
    body = enroll(api, instance, "TX", "after@example.com")
    assert body["eligibilityStatus"] == "ineligible"
    assert "outside NY" in body["eligibilityReason"]
    # The dashboard's create form goes through the same service.
    client = member(role="operator")
    client.post(
        f"/instances/{instance.pk}/enrollments/new/",
        {"first_name": "Nia", "last_name": "York", "email": "nia@example.com", "state": "NY"},
    )
    created = instance.enrollments.get(email="nia@example.com")
    assert created.status == "eligible"
    # The dashboard's editor shows and saves the switch.
    editor = member(role="admin").get(f"/instances/{instance.pk}/edit/")
    assert editor.context["form"].initial["auto_evaluate"] is True


# --- an unchanged save changes nothing --------------------------------------------------------
def browser_post(page) -> dict:
    """What a browser posts back from the editor page untouched: each field's shown value,
    dates to the minute (datetime-local), a multiple select in its option order."""
    data = {}
    formset = page.context["fields"]
    bound_forms = [page.context[k] for k in ("form", "rules", "settings")]
    bound_forms += [formset.management_form, *formset.forms]
    for form in bound_forms:
        for field in form:
            value = field.value()
            if isinstance(field.field, forms.BooleanField):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(field.field, forms.MultipleChoiceField):
                chosen = set(value or [])
                data[field.html_name] = [c for c, _ in field.field.choices if c in chosen]
            elif isinstance(value, dt.datetime):
                local = timezone.localtime(value) if timezone.is_aware(value) else value
                data[field.html_name] = local.strftime("%Y-%m-%dT%H:%M")
            else:
                data[field.html_name] = "" if value is None else str(value)
    return data


def test_an_unchanged_dashboard_save_changes_nothing(api, member, workspace):
    ProgramFactory(slug="steady")
    created = api.post(
        "/api/v1/programInstances",
        {
            "programSlug": "steady",
            "name": "Steady",
            "eligibilityCriteria": {"regions": ["NY", "CA"], "postalCodes": ["100*"]},
            "formConfig": {"fields": [{"name": "phone", "required": True}]},
            "startDate": "2025-01-01T08:30:45Z",
            "endDate": "2030-12-31",
        },
        format="json",
    ).json()
    instance = ProgramInstance.objects.get(pk=created["id"])
    events = Event.objects.count()
    client = member(role="admin")
    page = client.get(f"/instances/{instance.pk}/edit/")
    response = client.post(f"/instances/{instance.pk}/edit/", browser_post(page))
    assert response.status_code == 302
    saved = ProgramInstance.objects.get(pk=instance.pk)
    assert saved.criteria_version == instance.criteria_version
    assert saved.eligibility_criteria == {"regions": ["NY", "CA"], "postalCodes": ["100*"]}
    assert list(saved.eligibility_criteria["regions"]) == ["NY", "CA"]
    assert saved.form_config == instance.form_config
    assert (saved.start_date, saved.end_date) == (instance.start_date, instance.end_date)
    assert saved.updated_at == instance.updated_at
    assert Event.objects.count() == events
    # Staff emails stay on (the real default) when the editor is saved as it is shown.
    assert page.context["settings"].initial["notify_staff"] is True


def test_the_editor_previews_unsaved_changes_without_saving_them(api, member, workspace):
    """Issue 13, point 7: the branded public page as the edits would make it, before saving."""
    ProgramFactory(slug="preview-me", states=[])
    created = api.post(
        "/api/v1/programInstances",
        {"programSlug": "preview-me", "name": "Old name", "status": "inactive"},
        format="json",
    ).json()
    client = member(role="admin")
    page = client.get(f"/instances/{created['id']}/edit/")
    assert "Preview these changes" in page.content.decode()
    data = browser_post(page)
    data.update({"name": "Sunny Days", "form-intro_text": "Save on your bill."})
    response = client.post(f"/instances/{created['id']}/edit/", {**data, "preview": "1"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Sunny Days" in text and "Save on your bill." in text
    assert "Preview: customers do not see this banner." in text
    saved = ProgramInstance.objects.get(pk=created["id"])
    assert saved.name == "Old name" and not (saved.form_config or {}).get("introText")
