# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Looking up the candidates of every kind for a page, one query each."""

from odoo import api, models
from odoo.fields import Domain
from odoo.tools import escape_psql

from ...importer import matching, staging


class TimeBillingImporter(models.AbstractModel):
    _inherit = "time.billing.importer"

    # ------------------------------------------------------------------
    # Lookups
    # ------------------------------------------------------------------

    @api.model
    def _ilike_any(self, fname, values):
        """Domain matching ``fname`` case-insensitively against any value."""
        return Domain.OR(
            Domain(fname, "=ilike", escape_psql(value)) for value in sorted(values)
        )

    @api.model
    def _build_lookups(self, backend, entries):
        """Gather the candidates of every kind for ``entries``, one query each."""
        company = backend.company_id
        lookups = matching.Lookups(
            default_project_id=backend.default_project_id.id,
            import_without_task=backend.import_without_task,
            source_approved_only=backend.bill_source_approved_only,
            source_label=backend.provider == "csv"
            and self.env._("the file")
            or backend._provider_label(),
            phone_region=company.country_id.code or "",
        )
        if entries:
            self._lookup_mappings(backend, lookups)
            if any(matching.identifiers("user", entry) for entry in entries):
                self._lookup_employees(company, lookups)
            self._lookup_projects(company, entries, lookups)
            self._lookup_tasks(entries, lookups)
            self._lookup_clients(company, entries, lookups)
        return lookups

    @api.model
    def _lookup_mappings(self, backend, lookups):
        """Explicit mappings of the backend (they win over automatic matches)."""
        mappings = self.env["time.billing.mapping"].search_fetch(
            [("backend_id", "=", backend.id)],
            ["kind", "external_ref", "employee_id", "project_id", "task_id"]
            + ["partner_id"],
        )
        for mapping in mappings:
            target = mapping._get_target()
            key = (mapping.kind, staging.normalise_key(mapping.external_ref))
            lookups.mappings[key] = target.id
        if mappings.task_id:
            mappings.task_id.fetch(["project_id"])
            lookups.task_projects = {t.id: t.project_id.id for t in mappings.task_id}
        lookups.project_names = dict.fromkeys(
            mappings.project_id.ids + list(lookups.task_projects.values()), ""
        )

    @api.model
    def _lookup_employees(self, company, lookups):
        """The active employees of the company (a firm's staff, not a big
        table), by work e-mail, user e-mail or login, and name."""
        key = staging.normalise_key
        employees = self.env["hr.employee"].search_fetch(
            [("company_id", "=", company.id)], ["name", "work_email", "user_id"]
        )
        employees.user_id.fetch(["email", "login"])
        for employee in employees:
            user = employee.user_id
            emails = {employee.work_email, user.email}
            if user.login and "@" in user.login:
                emails.add(user.login)
            for email in filter(None, emails):
                lookups.employees_by_email[key(email)].add(employee.id)
            lookups.employees_by_name[key(employee.name)].add(employee.id)

    @api.model
    def _lookup_projects(self, company, entries, lookups):
        """Projects by analytic account code, then by name."""
        key = staging.normalise_key
        project_ids = set(lookups.project_names)
        if lookups.default_project_id:
            project_ids.add(lookups.default_project_id)
        codes = {e.project_code for e in entries if e.project_code}
        names = {e.project_name for e in entries if e.project_name}
        if codes or names:
            domains = []
            if codes:
                domains.append(self._ilike_any("account_id.code", codes))
            if names:
                domains.append(self._ilike_any("name", names))
            projects = self.env["project.project"].search_fetch(
                Domain("company_id", "in", [company.id, False]) & Domain.OR(domains),
                ["name", "account_id"],
            )
            projects.account_id.fetch(["code"])
            for project in projects:
                if project.account_id.code:
                    code = key(project.account_id.code)
                    lookups.projects_by_code[code].add(project.id)
                lookups.projects_by_name[key(project.name)].add(project.id)
            project_ids.update(projects.ids)
        projects = self.env["project.project"].browse(project_ids)
        lookups.project_names = {p.id: p.display_name for p in projects}

    @api.model
    def _lookup_tasks(self, entries, lookups):
        """Tasks by name within the candidate projects."""
        names = {e.task_name for e in entries if e.task_name}
        if not names or not lookups.project_names:
            return
        tasks = self.env["project.task"].search_fetch(
            Domain("project_id", "in", list(lookups.project_names))
            & self._ilike_any("name", names),
            ["name", "project_id"],
        )
        for task in tasks:
            name = staging.normalise_key(task.name)
            lookups.tasks_by_name[(task.project_id.id, name)].add(task.id)

    @api.model
    def _lookup_clients(self, company, entries, lookups):
        """Clients by name, e-mail or phone (E.164)."""
        key = staging.normalise_key
        names = {e.client_name for e in entries if e.client_name}
        emails = {e.client_email for e in entries if e.client_email}
        phones = {
            staging.normalise_phone(e.client_phone, lookups.phone_region)
            for e in entries
            if e.client_phone
        } - {""}
        domains = []
        if names:
            domains.append(self._ilike_any("name", names))
        if emails:
            domains.append(self._ilike_any("email", emails))
        if phones:
            domains.append(Domain("phone_sanitized", "in", list(phones)))
        if not domains:
            return
        partners = self.env["res.partner"].search_fetch(
            Domain("company_id", "in", [company.id, False]) & Domain.OR(domains),
            ["name", "email", "phone_sanitized"],
        )
        for partner in partners:
            lookups.partners_by_name[key(partner.name)].add(partner.id)
            if partner.email:
                lookups.partners_by_email[key(partner.email)].add(partner.id)
            if partner.phone_sanitized:
                lookups.partners_by_phone[partner.phone_sanitized].add(partner.id)
