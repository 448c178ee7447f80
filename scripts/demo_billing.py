"""The billing half of the demo month, for ``scripts/demo_pipeline.py``:
the retainers prepaid, the month's time approved, invoiced and posted, and
the daily payment reminder job replayed up to today; and how each is
printed. Every function takes the ``env`` of ``odoo-bin shell``."""

from datetime import timedelta

# Days from the invoice date to the last payment reminder of the default
# policy (an escalation on day 35).
REMINDER_DAYS = 35


def demo_month(today):
    """``(first day, last day, invoice date)`` of the demo month: the last
    month whose invoices, dated the first of the next month, are
    REMINDER_DAYS old today."""
    invoice_date = (today - timedelta(days=REMINDER_DAYS)).replace(day=1)
    last = invoice_date - timedelta(days=1)
    return last.replace(day=1), last, invoice_date


def pay(env, invoices, day):
    """Register the payment of ``invoices`` on ``day`` in full."""
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=invoices.ids
    ).create({"payment_date": day, "group_payment": False})._create_payments()


def prepay_retainers(env, first):
    """Invoice the prepaid block of the retainer contracts before the month:
    posted on the day before it starts, paid on its first day."""
    contracts = env["time.billing.contract"].search(
        [("billing_mode", "=", "retainer"), ("retainer_topup", "=", True)]
    )
    topups = env["account.move"]
    for contract in contracts:
        action = contract.action_invoice_retainer_topup()
        topups |= env["account.move"].browse(action["res_id"])
    if topups:
        topups.invoice_date = first - timedelta(days=1)
        topups.action_post()
        pay(env, topups, first)
    return topups


def approve_month(env, last):
    """The approver of each contract approves its time of the month that
    waits for approval, except what pricing held (over a cap): that waits
    for the client's word. Returns ``[(approver, contract, approved, held)]``."""
    waiting = env["account.analytic.line"].search(
        [("billing_state", "=", "to_approve"), ("date", "<=", last)]
    )
    done = []
    for contract, lines in waiting.grouped("billing_contract_id").items():
        approver = contract.approver_id or env.user
        held = lines.filtered("billing_hold_reason")
        if lines - held:
            (lines - held).with_user(approver).action_billing_approve()
        done.append((approver, contract, lines - held, held))
    return done


def invoice_month(env, last, invoice_date):
    """Draft the month's invoices with an invoice run of every active
    contract, then post them on ``invoice_date``."""
    contracts = env["time.billing.contract"].search([("state", "=", "active")])
    invoices = contracts.action_create_invoices(date_to=last)
    run = invoices.billing_run_id[:1]
    invoices.invoice_date = invoice_date
    invoices.action_post()
    return run, invoices


def replay_reminders(env, invoice_date, today):
    """Run the daily payment reminder job for each day from ``invoice_date``
    to ``today``, as the scheduler would have; returns the reminders."""
    Move = env["account.move"]
    day = invoice_date
    while day <= today:
        moves = Move.search(Move._billing_reminder_get_domain(), order="id")
        for company, company_moves in moves.grouped("company_id").items():
            company_moves.with_company(company)._billing_reminder_send_due(day)
        day += timedelta(days=1)
    return env["time.billing.reminder"].search([], order="date, id")


def money(move, amount):
    # Odoo marks the sign with an invisible character for right-to-left text.
    return move.currency_id.format(amount).replace("\ufeff", "")


def print_topups(topups):
    print()
    print("Retainers prepaid before the month")
    if not topups:
        print("  none")
    for move in topups:
        print(
            f"  {move.name}  {move.partner_id.name}: {money(move, move.amount_total)}"
            f", posted {move.invoice_date}, {move.payment_state.replace('_', ' ')}"
        )


def print_approvals(approvals):
    print()
    print("Approval")
    if not approvals:
        print("  nothing waited for approval")
    for approver, contract, lines, held in approvals:
        if lines:
            print(
                f"  {approver.name} approved {len(lines)} entries of {contract.name} "
                f"({sum(lines.mapped('billable_hours')):.2f} h)"
            )
        if held:
            reason = held[0].billing_hold_reason
            print(
                f"  {len(held)} entries of {contract.name} held by pricing still "
                f"wait: {reason}"
            )


def print_invoices(run, invoices):
    print()
    if run:
        print(f"Invoices of {run.display_name}: {len(invoices)} drafted and posted")
        reasons = dict(skip_reasons(run))
        for skip in run.skip_ids:
            what = (
                f", {skip.line_count} lines, {skip.hours:.2f} h"
                if skip.line_count
                else ""
            )
            print(
                f"  left out of {skip.contract_id.name}: {reasons[skip.reason]}{what}"
            )
    for move in invoices.sorted("name"):
        print(
            f"  {move.name}  {move.billing_contract_id.name}, "
            f"{move.billing_timesheet_count} timesheet lines"
        )
        for line in move.invoice_line_ids:
            if line.display_type == "product":
                print(
                    f"      {line.name[:64]:<64} {line.quantity:>7.2f} "
                    f"{money(move, line.price_subtotal):>14}"
                )
            else:
                print(f"      {line.name}")
        print(
            f"      {'untaxed ' + money(move, move.amount_untaxed):>87}\n"
            f"      {'total ' + money(move, move.amount_total):>87}"
            f"  due {move.invoice_date_due}"
        )


def skip_reasons(run):
    field = run.skip_ids._fields["reason"]
    return field._description_selection(run.env)


def print_reminders(reminders, invoice_date, today):
    print()
    print(f"Payment reminders, the daily job from {invoice_date} to {today}")
    if not reminders:
        print("  none fell due")
    for reminder in reminders:
        move = reminder.move_id
        days = (reminder.date - move.invoice_date).days
        print(
            f"  {reminder.date}  day {days:>2}  {move.name} "
            f"{move.partner_id.name}: {reminder.level_id.name} "
            f"({reminder.channel}, {reminder.state})"
        )
