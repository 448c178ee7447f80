import {registry} from "@web/core/registry";

// The approver opens the approval activity from the activity menu of the
// navbar, follows its link to the time waiting, approves three entries from
// the list and rejects the fourth from its form with a reason
// (tests/test_tour_approver.py sets the data up and checks the result).
const REASON = "Travel is not billable on this contract";
const CONTRACT_ROW = ".o_data_row:contains(Tour Contract):not(:contains(Other))";

function selectLine(description) {
    return {
        content: `Select "${description}"`,
        trigger:
            `.o_list_view .o_data_row:contains(${description}) ` +
            ".o_list_record_selector input",
        run: "click",
    };
}

registry.category("web_tour.tours").add("time_billing_approver_reviews_time", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the activity menu",
            trigger: ".o_menu_systray i[aria-label='Activities']",
            run: "click",
        },
        {
            content: "The approval activity is due in a few days: open the future ones",
            trigger:
                ".o-mail-ActivityGroup[data-model_name='time.billing.contract'] " +
                "span:contains(Future)",
            run: "click",
        },
        {
            content: "Only the contracts with my activities are listed",
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains(Other Tour Contract))) " +
                CONTRACT_ROW,
        },
        {
            content: "Open the contract",
            trigger: `.o_list_view ${CONTRACT_ROW} td[name='name']`,
            run: "click",
        },
        {
            content: "The activity tells what waits; follow its link",
            trigger:
                ".o-mail-Activity:contains(4 time entries wait for your approval) " +
                ".o-mail-Activity-note a:contains(Review and approve them)",
            run: "click",
        },
        {
            content: "The four entries waiting are listed",
            trigger:
                ".o_list_view:has(.o_data_row:contains(Workshop))" +
                ":has(.o_data_row:contains(Travel to site))",
        },
        selectLine("Workshop"),
        selectLine("Design review"),
        selectLine("Client call"),
        {
            content: "Approve the selected entries",
            trigger: ".o_selection_container button[name='action_billing_approve']",
            run: "click",
        },
        {
            content: "Only the entry to reject still waits",
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains(Workshop))) " +
                ".o_data_row:contains(Travel to site) td[name='name']",
            run: "click",
        },
        {
            content: "Reject it",
            trigger:
                ".o_form_view .o_form_statusbar " +
                "button[name='action_billing_open_reject_wizard']",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal div[name='reason'] textarea",
            run: `edit ${REASON}`,
        },
        {
            content: "Confirm the rejection",
            trigger: ".modal button[name='action_reject']",
            run: "click",
        },
        {
            content: "The entry shows it was rejected, and why",
            trigger: `.o_form_view .alert-danger:contains(${REASON})`,
        },
        {
            content: "Open the activity menu again",
            trigger: ".o_menu_systray i[aria-label='Activities']",
            run: "click",
        },
        {
            content: "Nothing is left to approve: the approval activity is done",
            trigger:
                ".o-mail-ActivityMenu:not(:has(" +
                ".o-mail-ActivityGroup[data-model_name='time.billing.contract']))",
        },
    ],
});
