import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

// The test starts the tour on /odoo?tbb_api_url=<address of its fake Harvest>:
// the fake listens on a port chosen when it starts. Read when the test
// assets load, before the web client moves to another screen.
const params = new URLSearchParams(window.location.search);
const apiUrl = params.get("tbb_api_url") || "";

registry.category("web_tour.tours").add("time_billing_admin_connects_backend", {
    steps: () => [
        ...stepUtils.goToAppSteps(
            "hr_timesheet.timesheet_menu_root",
            "Open Timesheets"
        ),
        {
            content: "Open the Billing menu",
            trigger: "button[data-menu-xmlid='time_billing_bridge.time_billing_menu_root']",
            run: "click",
        },
        {
            content: "Open Imports > Backends",
            trigger: "a[data-menu-xmlid='time_billing_bridge.time_billing_backend_menu']",
            run: "click",
        },
        {
            content: "Create a backend",
            trigger: ".o_control_panel:has(.o_breadcrumb:contains('Backends')) .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Harvest Bridge Consulting",
        },
        {
            content: "Choose Harvest",
            trigger: ".o_field_widget[name='provider'] input[data-value='harvest']",
            run: "click",
        },
        {
            content: "The Connection tab opens, with Harvest's public API",
            trigger: ".o_field_widget[name='api_url'] input:value('https://api.harvestapp.com/v2')",
        },
        {
            content: "Point the backend at the Harvest server",
            trigger: ".o_field_widget[name='api_url'] input",
            run: `edit ${apiUrl}`,
        },
        {
            content: "Paste the personal access token",
            trigger: ".o_field_widget[name='api_token'] input",
            run: "edit tour-harvest-token",
        },
        {
            content: "Enter the Harvest account ID",
            trigger: ".o_field_widget[name='account_ref'] input",
            run: "edit 7654321",
        },
        ...stepUtils.saveForm(),
        {
            content: "Check the connection",
            trigger: ".o_form_view button[name='action_check_connection']",
            run: "click",
        },
        {
            content: "Harvest answers",
            trigger: ".o_notification:contains('Connected to Harvest account 7654321')",
        },
        {
            content: "Synchronise now",
            trigger: ".o_form_view button[name='action_sync_now']",
            run: "click",
        },
        {
            content: "The run imported one entry and holds the other back",
            trigger: ".o_form_view:has(.o_field_widget[name='created_count']:contains('1')) .o_field_widget[name='error_count']:contains('1')",
        },
        {
            content: "Back to the backend",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Harvest Bridge Consulting')",
            run: "click",
        },
        {
            content: "Open its exceptions",
            trigger: "button.oe_stat_button[name='action_view_exceptions']:contains('Exceptions')",
            run: "click",
        },
        {
            content: "Open the entry of the unknown person",
            trigger: ".o_list_view .o_data_row:contains('Alex Outsider') .o_data_cell",
            run: "click",
        },
        {
            content: "Map the person",
            trigger: ".o_form_view .o_form_statusbar button[name='action_open_map_wizard']",
            run: "click",
        },
        {
            content: "The wizard proposes the source's person, only",
            trigger: ".modal:not(:has(.o_field_widget[name='kind'])) .o_field_widget[name='external_label']:contains('Alex Outsider')",
        },
        {
            content: "Choose the employee",
            trigger: ".modal .o_field_widget[name='employee_id'] input",
            run: "edit Robin",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Robin Contractor')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='employee_id'] input:value('Robin Contractor')",
        },
        {
            content: "Map and re-process",
            trigger: ".modal button[name='action_map']",
            run: "click",
        },
        {
            content: "The entry is imported",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Imported')",
        },
        {
            content: "Its timesheet line is shown",
            trigger: ".o_form_view .o_field_widget[name='timesheet_id']:contains('Website Redesign')",
        },
    ],
});
