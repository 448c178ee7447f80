"""Demo run of the time billing pipeline, inside ``odoo-bin shell``.

scripts/demo.sh pipes this file into ``odoo-bin shell -d tbb_demo``, which runs
it with ``env`` (superuser) already defined. It prints a short summary of the
demo data; the steps of the pipeline are added here as the addon grows.
Changes are committed at the end (the shell rolls back otherwise).
"""

MODEL_COUNTS = [
    ("time.billing.backend", "backends"),
    ("time.billing.mapping", "mappings"),
    ("time.billing.entry", "staged entries"),
    ("time.billing.sync.run", "sync runs"),
    ("time.billing.contract", "contracts"),
    ("time.billing.rate.rule", "rate rules"),
    ("project.project", "projects"),
    ("hr.employee", "employees"),
]


def count(env, model, domain=()):
    if model not in env:
        return None
    return env[model].with_context(active_test=False).search_count(list(domain))


def lines_by_billing_state(env):
    """Timesheet lines per billing state, or None before the addon adds it."""
    lines = env["account.analytic.line"]
    if "billing_state" not in lines._fields:
        return None
    labels = dict(lines._fields["billing_state"]._description_selection(env))
    groups = lines._read_group(
        [("project_id", "!=", False)], ["billing_state"], ["__count"]
    )
    return [(labels.get(state, "not set"), total) for state, total in groups]


def check_admin_login(env):
    """True when admin / admin logs in, as the demo's hint promises."""
    from odoo.exceptions import AccessDenied

    admin = env.ref("base.user_admin")
    credential = {"type": "password", "login": admin.login, "password": "admin"}
    try:
        admin.with_user(admin)._check_credentials(credential, {"interactive": False})
    except AccessDenied:
        return False
    return admin.login == "admin"


def main(env):
    print()
    print(f"Demo database {env.cr.dbname}")
    if "time.billing.backend" not in env:
        print("  time_billing_bridge is not installed in this database")
    width = max(
        len(label) for _model, label in MODEL_COUNTS + [("", "timesheet lines")]
    )
    for model, label in MODEL_COUNTS:
        total = count(env, model)
        if total is not None:
            print(f"  {label:<{width}}  {total}")
    timesheets = count(env, "account.analytic.line", [("project_id", "!=", False)])
    if timesheets is not None:
        print(f"  {'timesheet lines':<{width}}  {timesheets}")
    states = lines_by_billing_state(env)
    if states:
        for label, total in states:
            print(f"    {label:<{width - 2}}  {total}")
    print(f"  admin / admin login: {'ok' if check_admin_login(env) else 'REFUSED'}")
    env.cr.commit()


if __name__ == "__main__":
    main(env)  # noqa: F821 (provided by odoo-bin shell)
