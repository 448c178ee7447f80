# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Resolve the user, project, task and client of an entry to Odoo ids.

The ORM side fills a :class:`Lookups` once per page (one query per kind of
record); :func:`resolve` then works on plain dictionaries. Explicit mappings
always win over automatic matches:

- users: mapping, then employee e-mail, then employee name;
- projects: mapping, then code (the project's analytic account code), then
  name, then the backend's default project;
- tasks: mapping (if the task belongs to the project), then name within the
  project;
- clients: mapping, then name, e-mail, phone (E.164).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from .staging import normalise_key, normalise_phone

MAPPING_KINDS = ("user", "project", "task", "client")


@dataclass
class Problem:
    """Why an entry cannot become a timesheet line (rendered by the ORM)."""

    code: str  # missing, unknown, ambiguous, no_date, negative_hours
    kind: str = ""  # user, project, task, client ("" for entry-level problems)
    label: str = ""  # the identifier to show (e-mail, code, reference...)
    name: str = ""  # the name at the source, when it adds something
    count: int = 0  # candidates, for ambiguous matches
    context: str = ""  # e.g. the project a task was looked for in
    value: float = 0.0  # e.g. the negative duration


@dataclass
class Resolution:
    employee_id: int = 0
    project_id: int = 0
    task_id: int = 0
    partner_id: int = 0
    problems: list = field(default_factory=list)

    @property
    def kinds(self):
        """Kinds of records that could not be matched, in a stable order."""
        found = {problem.kind for problem in self.problems if problem.kind}
        return [kind for kind in MAPPING_KINDS if kind in found]


@dataclass
class Lookups:
    """Candidate Odoo ids by normalised key, gathered for one page."""

    mappings: dict = field(default_factory=dict)  # (kind, key) -> id
    task_projects: dict = field(default_factory=dict)  # task id -> project id
    employees_by_email: dict = field(default_factory=lambda: defaultdict(set))
    employees_by_name: dict = field(default_factory=lambda: defaultdict(set))
    projects_by_code: dict = field(default_factory=lambda: defaultdict(set))
    projects_by_name: dict = field(default_factory=lambda: defaultdict(set))
    tasks_by_name: dict = field(default_factory=lambda: defaultdict(set))
    partners_by_name: dict = field(default_factory=lambda: defaultdict(set))
    partners_by_email: dict = field(default_factory=lambda: defaultdict(set))
    partners_by_phone: dict = field(default_factory=lambda: defaultdict(set))
    project_names: dict = field(default_factory=dict)  # project id -> name
    default_project_id: int = 0
    import_without_task: bool = False
    # Time the source has not approved waits (the backend's option), the
    # source named by ``source_label`` in the reason.
    source_approved_only: bool = False
    source_label: str = ""
    phone_region: str = ""


def identifiers(kind, entry):
    """The entry's identifiers of ``kind``, most specific first (raw values)."""
    if kind == "user":
        values = (entry.user_ref, entry.user_email, entry.user_name)
    elif kind == "project":
        values = (entry.project_ref, entry.project_code, entry.project_name)
    elif kind == "task":
        values = (entry.task_ref, entry.task_name)
    else:
        values = (
            entry.client_ref,
            entry.client_name,
            entry.client_email,
            entry.client_phone,
        )
    return [value for value in values if value]


def display_name(kind, entry):
    """The human name of the entry's ``kind`` at the source."""
    return {
        "user": entry.user_name,
        "project": entry.project_name,
        "task": entry.task_name,
        "client": entry.client_name,
    }[kind] or ""


def mapping_reference(kind, entry):
    """The external reference a new mapping of ``kind`` should be keyed on."""
    values = identifiers(kind, entry)
    return values[0] if values else ""


def _label(kind, entry):
    """The identifier shown in messages: the most readable one."""
    if kind == "user":
        return entry.user_email or entry.user_ref or entry.user_name
    if kind == "project":
        return entry.project_code or entry.project_ref or entry.project_name
    if kind == "task":
        return entry.task_name or entry.task_ref
    return (
        entry.client_name
        or entry.client_email
        or entry.client_phone
        or entry.client_ref
    )


def _from_mapping(lookups, kind, entry):
    for value in identifiers(kind, entry):
        target = lookups.mappings.get((kind, normalise_key(value)))
        if target:
            return target
    return 0


def _problem(code, kind, entry, **kwargs):
    label = _label(kind, entry)
    name = display_name(kind, entry)
    return Problem(
        code=code,
        kind=kind,
        label=label,
        name=name if normalise_key(name) != normalise_key(label) else "",
        **kwargs,
    )


def _pick(candidates_list, kind, entry, problems):
    """The id of the first unambiguous candidate set in ``candidates_list``.

    None when nothing matched; 0 after adding an "ambiguous" problem when
    candidates matched, but never exactly one.
    """
    ambiguous = 0
    for candidates in candidates_list:
        if len(candidates) == 1:
            return next(iter(candidates))
        ambiguous = max(ambiguous, len(candidates))
    if ambiguous:
        problems.append(_problem("ambiguous", kind, entry, count=ambiguous))
        return 0
    return None


def _resolve_user(lookups, entry, problems):
    if not identifiers("user", entry):
        problems.append(Problem(code="missing", kind="user"))
        return 0
    mapped = _from_mapping(lookups, "user", entry)
    if mapped:
        return mapped
    found = _pick(
        [
            lookups.employees_by_email.get(normalise_key(entry.user_email), ()),
            lookups.employees_by_name.get(normalise_key(entry.user_name), ()),
        ],
        "user",
        entry,
        problems,
    )
    if found is None:
        problems.append(_problem("unknown", "user", entry))
        return 0
    return found


def _resolve_project(lookups, entry, problems, task_project_id=0):
    """The entry's project; when the entry does not name one that matches,
    the project of its mapped task (``task_project_id``), then the backend's
    default project."""
    fallback = task_project_id or lookups.default_project_id
    if not identifiers("project", entry):
        if fallback:
            return fallback
        problems.append(Problem(code="missing", kind="project"))
        return 0
    mapped = _from_mapping(lookups, "project", entry)
    if mapped:
        return mapped
    found = _pick(
        [
            lookups.projects_by_code.get(normalise_key(entry.project_code), ()),
            lookups.projects_by_name.get(normalise_key(entry.project_name), ()),
        ],
        "project",
        entry,
        problems,
    )
    if found is None:
        if fallback:
            return fallback
        problems.append(_problem("unknown", "project", entry))
        return 0
    return found


def _resolve_task(lookups, entry, project_id, problems):
    if not identifiers("task", entry):
        return 0
    mapped = _from_mapping(lookups, "task", entry)
    if mapped and lookups.task_projects.get(mapped) == project_id:
        return mapped
    candidates = lookups.tasks_by_name.get(
        (project_id, normalise_key(entry.task_name)), ()
    )
    found = _pick([candidates], "task", entry, problems)
    if found is None:
        if lookups.import_without_task:
            return 0
        problems.append(
            _problem(
                "unknown",
                "task",
                entry,
                context=lookups.project_names.get(project_id, ""),
            )
        )
        return 0
    return found


def _resolve_client(lookups, entry, problems):
    if not identifiers("client", entry):
        return 0
    mapped = _from_mapping(lookups, "client", entry)
    if mapped:
        return mapped
    phone = normalise_phone(entry.client_phone, lookups.phone_region)
    found = _pick(
        [
            lookups.partners_by_name.get(normalise_key(entry.client_name), ()),
            lookups.partners_by_email.get(normalise_key(entry.client_email), ()),
            lookups.partners_by_phone.get(phone, ()) if phone else (),
        ],
        "client",
        entry,
        problems,
    )
    if found is None:
        problems.append(_problem("unknown", "client", entry))
        return 0
    return found


def resolve(lookups, entry):
    """Match ``entry`` against ``lookups``; return a :class:`Resolution`."""
    problems = []
    if not entry.date:
        problems.append(Problem(code="no_date"))
    if (entry.hours or 0.0) < 0:
        problems.append(Problem(code="negative_hours", value=entry.hours))
    employee_id = _resolve_user(lookups, entry, problems)
    # A source that names only the task (a Jira issue in Tempo) bills the
    # project of the task it is mapped to.
    mapped_task = _from_mapping(lookups, "task", entry)
    project_id = _resolve_project(
        lookups, entry, problems, lookups.task_projects.get(mapped_task, 0)
    )
    task_id = 0
    if project_id:
        task_id = _resolve_task(lookups, entry, project_id, problems)
    partner_id = _resolve_client(lookups, entry, problems)
    return Resolution(
        employee_id=employee_id or 0,
        project_id=project_id or 0,
        task_id=task_id or 0,
        partner_id=partner_id or 0,
        problems=problems,
    )
