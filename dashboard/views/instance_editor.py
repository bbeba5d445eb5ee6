"""The instance editor's extras: every error at once (the services' own validators run on each
part before saving), and the "test an address against these rules" panel, which runs the API's
dry run (`instances.selectors.eligibility_dry_run`) on the rules being edited."""

from config.errors import DomainError
from dashboard.eligibility import RULE_LABELS
from dashboard.forms.instances import DryRunForm
from instances.eligibility import validate_criteria
from instances.formconfig import form_config_validate


def precheck(view, forms) -> bool:
    """Run the service's validators part by part (each rule on its own, then the rules
    together, then the form configuration), routing every problem to its field. True when
    nothing was found; the service still validates everything again when saving."""
    ok = True
    rules = forms["rules"]
    if rules.is_valid():
        criteria = rules.criteria()
        if isinstance(criteria, dict):
            for key, value in criteria.items():
                try:
                    validate_criteria({key: value})
                except DomainError as error:
                    view.route_error(forms, error)
                    ok = False
            if ok:
                try:
                    validate_criteria(criteria)
                except DomainError as error:
                    view.route_error(forms, error)
                    ok = False
    if forms["settings"].is_valid() and forms["fields"].is_valid():
        try:
            form_config_validate(forms["settings"].form_config(forms["fields"].form_fields()))
        except DomainError as error:
            view.route_error(forms, error)
            ok = False
    return ok


def dry_run_context(view, forms, data, program_states=()) -> dict:
    """Context of the panel: the test form, and its result when it was asked for."""
    from instances.selectors import eligibility_dry_run

    form = DryRunForm(data, prefix="try")
    if data is None or "dry_run" not in data:
        return {"try_form": DryRunForm(prefix="try")}
    result, problem = None, ""
    rules = forms["rules"]
    if not rules.is_valid():
        problem = "Fix the rules above first."
    elif not form.is_valid():
        problem = "Check the test values."
    else:
        try:
            criteria = validate_criteria(rules.criteria())
            result = eligibility_dry_run(
                workspace=view.workspace,
                criteria=criteria,
                program_states=program_states,
                **form.subject(),
            )
        except DomainError as error:
            view.route_error(forms, error)
            problem = "Fix the rules above first."
    rows = (
        [
            {"label": RULE_LABELS.get(r.rule, r.rule), "passed": r.passed, "detail": r.detail}
            for r in result.rules
        ]
        if result
        else []
    )
    return {"try_form": form, "try_result": result, "try_rows": rows, "try_problem": problem}


def error_count(forms) -> int:
    """How many problems the four parts of the editor show (for the summary on top)."""
    count = 0
    for name, form in forms.items():
        if name == "fields":
            count += len(form.non_form_errors()) + sum(len(f.errors) for f in form.forms)
        else:
            count += sum(len(errors) for errors in form.errors.values())
    return count


def preview_unsaved(request, instance, data: dict):
    """The editor's "Preview these changes": the public enrollment page drawn from the edits
    as they are in the form, not saved (a copy of the instance in memory; nothing is written),
    with the page's own preview banner."""
    import copy

    from enroll.views import preview_page

    draft = copy.copy(instance)
    for name, value in data.items():
        if hasattr(draft, name):
            setattr(draft, name, value)
    return preview_page(request, draft)
