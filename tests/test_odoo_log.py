"""scripts/odoo_log.py reads odoo-bin test logs the way scripts/test.sh needs."""

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import odoo_log  # noqa: E402

PREFIX = "2026-01-02 03:04:05,678 4242"


def rec(level, logger, message, db="tbb_test"):
    # Odoo 19 ends each record's first line with a space (empty perf info).
    first, sep, rest = message.partition("\n")
    return f"{PREFIX} {level} {db} {logger}: {first} {sep}{rest}\n"


CLEAN = "".join(
    [
        rec("INFO", "?", "odoo.modules.loading: loading 1 modules...", db="?"),
        rec("INFO", "odoo.addons.mod.tests.test_a", "Starting TestA.test_one ..."),
        rec("INFO", "odoo.addons.mod.tests.test_a", "Starting TestA.test_two ..."),
        rec(
            "INFO",
            "odoo.addons.mod.tests.test_a",
            "skipped TestA.test_two : needs a fixture this run lacks",
        ),
        rec(
            "INFO",
            "odoo.modules.loading",
            "Module mod loaded in 1.00s (incl. 0.50s test), 10 queries (+10 test)",
        ),
        rec("INFO", "odoo.service.server", "Starting post tests"),
        rec("INFO", "odoo.addons.mod.tests.test_b", "Starting TestB.test_three ..."),
        rec("INFO", "odoo.service.server", "1 post-tests in 0.20s, 5 queries"),
        rec(
            "INFO",
            "odoo.tests.result",
            "0 failed, 0 error(s) of 3 tests when loading database 'tbb_test'",
        ),
    ]
)


def summarize(text, **kwargs):
    return odoo_log.summarize(io.StringIO(text), **kwargs)


def test_clean_run_counts_passed_and_skipped():
    summary = summarize(CLEAN)
    assert (summary.passed, summary.failed, summary.skipped) == (2, 0, 1)
    assert summary.notes == []


def test_failed_test_is_counted_once():
    text = CLEAN.replace("0 failed, 0 error(s) of 3", "1 failed, 0 error(s) of 3")
    text += rec(
        "ERROR",
        "odoo.addons.mod.tests.test_b",
        "FAIL: TestB.test_three\nTraceback (most recent call last):\n  ...\n"
        "AssertionError: 1 != 2",
    )
    text += rec(
        "ERROR", "odoo.modules.loading", "Module mod: 1 failures, 0 errors of 3 tests"
    )
    summary = summarize(text, rc=1)
    assert (summary.passed, summary.failed, summary.skipped) == (1, 1, 1)


def test_error_logged_outside_a_test_fails_the_run():
    text = CLEAN + rec("ERROR", "odoo.addons.mod.models.thing", "boom\nTraceback ...")
    summary = summarize(text)
    assert summary.failed == 1
    assert "boom" in summary.notes[0]


def test_warnings_are_counted_and_only_fail_when_asked():
    text = CLEAN + rec("WARNING", "odoo.models", "Two fields have the same label")
    assert summarize(text).failed == 0
    assert summarize(text).warnings == 1
    assert summarize(text, fail_on_warnings=True).failed == 1


def test_missing_summary_or_bad_exit_code_fails():
    truncated = CLEAN.rsplit(PREFIX, 1)[0]
    assert summarize(truncated).failed == 1
    assert summarize(CLEAN, rc=1).failed == 1


def test_filter_keeps_results_problems_and_tracebacks():
    text = CLEAN + rec("ERROR", "odoo.addons.mod.models.thing", "boom\nTraceback ...")
    out = io.StringIO()
    odoo_log.filter_stream(io.StringIO(text), out)
    shown = out.getvalue()
    assert "Starting TestA.test_one" not in shown
    assert "loading 1 modules" not in shown
    assert "skipped TestA.test_two" in shown
    assert "0 failed, 0 error(s) of 3 tests" in shown
    assert "thing: boom \nTraceback ...\n" in shown


def test_browser_skips_are_told_apart():
    text = CLEAN.replace(
        "0 failed, 0 error(s) of 3 tests", "0 failed, 0 error(s) of 4 tests"
    ) + rec(
        "INFO",
        "odoo.addons.mod.tests.test_tour",
        "skipped TestTour.test_tour : Chrome executable not found",
    )
    summary = summarize(text)
    assert (summary.skipped, summary.browser_skipped) == (2, 1)
