/* Copyright 2026 time_billing_bridge contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0). */
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

// An accountant invoices the approved time of Contract A from Timesheets >
// Billing > Invoicing > Time to Bill, reviews the draft, confirms and sends
// it by e-mail. TestTourAccountant sets the data up and checks the outcome.
const invoice = ".o_form_view_container";
const draftInvoice = `${invoice}:has(.o_arrow_button_current[data-value=draft])`;
const postedInvoice = `${invoice}:has(.o_arrow_button_current[data-value=posted])`;
const invoiceLine = `${draftInvoice} div[name=invoice_line_ids] .o_data_row`;
const timeRow = ".o_list_view .o_data_row";

registry.category("web_tour.tours").add("time_billing_accountant_invoices_contract", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Timesheets",
            trigger: ".o_app[data-menu-xmlid='hr_timesheet.timesheet_menu_root']",
            run: "click",
        },
        {
            content: "Open the Billing menu",
            trigger:
                "button[data-menu-xmlid='time_billing_bridge.time_billing_menu_root']",
            run: "click",
        },
        {
            content: "Open the time waiting for an invoice",
            trigger:
                ".dropdown-item[data-menu-xmlid='time_billing_bridge.account_analytic_line_to_bill_menu']",
            run: "click",
        },
        {
            content: "Unfold the contract's time",
            trigger: ".o_list_view .o_group_header:contains('Contract A')",
            run: "click",
        },
        {
            content: "Select the board pack (Task A)",
            trigger: `${timeRow}:contains('Board pack') .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Select the filing (Task B)",
            trigger: `${timeRow}:contains('Filing') .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Invoice the selected time",
            trigger: "button[name=action_billing_open_invoice_wizard]",
            run: "click",
        },
        {
            content: "The wizard invoices Contract A",
            trigger: ".modal div[name=contract_ids] .o_tag:contains('Contract A')",
        },
        {
            content: "Draft the invoice",
            trigger: ".modal button[name=action_invoice]",
            run: "click",
        },
        {
            content: "A draft for the contract's client",
            trigger: `${draftInvoice} div[name=partner_id] input:value('Client A')`,
        },
        {
            content: "The draft bills the time on Task A: 2 hours",
            trigger: `${invoiceLine}:contains('Project A / Task A') td[name=quantity]:contains('2.00')`,
        },
        {
            content: "and the time on Task B: 1.5 hours",
            trigger: `${invoiceLine}:contains('Project A / Task B') td[name=quantity]:contains('1.50')`,
        },
        {
            content: "3.5 hours at 100.00, plus 15% tax",
            trigger: `${draftInvoice} div[name=tax_totals]:contains('350.00'):contains('402.50')`,
        },
        {
            content: "The two time lines it bills are one click away",
            trigger: `${draftInvoice} button[name=action_view_billing_timesheets]:contains('2')`,
        },
        {
            content: "Confirm the invoice",
            trigger: `${draftInvoice} button[name=action_post]:contains('Confirm')`,
            run: "click",
        },
        {
            content: "Send it",
            trigger: `${postedInvoice} button[name=action_invoice_sent]`,
            run: "click",
        },
        {
            content: "By e-mail",
            trigger:
                ".modal div[name=sending_method_checkboxes] .o-checkbox:contains('by Email') input:checked",
        },
        {
            content: "to the client",
            trigger: ".modal div[name=mail_partner_ids] .o_tag:contains('Client A')",
        },
        {
            content: "Send the e-mail",
            trigger: ".modal button[name=action_send_and_print]:contains('Send')",
            run: "click",
        },
        {
            content: "The invoice is marked sent",
            trigger: `body:not(:has(.modal)) ${postedInvoice} .ribbon:contains('Sent')`,
        },
    ],
});
