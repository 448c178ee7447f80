# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Time Billing Bridge",
    "summary": "Import external time, price it against client contracts, "
    "route approvals, draft invoices and follow up unpaid ones",
    "version": "19.0.1.0.0",
    "category": "Services/Timesheets",
    "license": "LGPL-3",
    "author": "time_billing_bridge contributors",
    "website": "https://github.com/time-billing-bridge/time_billing_bridge",
    "development_status": "Alpha",
    "maintainers": [],
    "depends": ["hr_timesheet", "account", "mail", "phone_validation"],
    "external_dependencies": {"python": ["requests", "phonenumbers", "openpyxl"]},
    "data": [
        "security/time_billing_bridge_security.xml",
        "security/ir.model.access.csv",
        "data/mail_activity_type_budget_data.xml",
        "views/time_billing_backend_views.xml",
        "views/time_billing_mapping_views.xml",
        "views/time_billing_entry_views.xml",
        "views/time_billing_sync_run_views.xml",
        "views/time_billing_contract_views.xml",
        "views/account_analytic_line_views.xml",
        "views/res_config_settings_views.xml",
        "views/time_billing_webhook_event_views.xml",
        "wizards/time_billing_import_file_views.xml",
        "views/time_billing_menus.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "wizards/time_billing_entry_map_wizard_views.xml",
    ],
    "demo": [
        "demo/time_billing_demo.xml",
    ],
    "installable": True,
    "application": False,
}
