#!/usr/bin/env python3
"""Read the log of an ``odoo-bin ... --test-tags ... --stop-after-init`` run.

Two uses, both for scripts/test.sh:

``odoo_log.py filter``
    Copy stdin to stdout keeping only what a person wants to see while the
    tests run: test failures and skips with their tracebacks, the runner's
    summaries, and every WARNING, ERROR or CRITICAL record.

``odoo_log.py errors LOGFILE``
    Print one line per ERROR or CRITICAL record of a server log (nothing when
    the log is clean); used for the server the system tests talk to.

``odoo_log.py summary LOGFILE [--rc RC] [--fail-on-warnings]``
    Print one line ``passed=N failed=M skipped=K tests=T warnings=W
    browser_skipped=B`` followed
    by one ``note: ...`` line per problem found. Failures are the runner's own
    failed and errored tests, plus every ERROR / CRITICAL record that is not
    the runner reporting such a test (house rule: a clean run logs none), plus
    one when odoo-bin exited non-zero without saying why, or when the log has
    no summary at all.

Odoo's log format (``odoo/netsvc.py``) is
``YYYY-MM-DD HH:MM:SS,mmm PID LEVEL DBNAME LOGGER: MESSAGE``; a record that
spans several lines (tracebacks) continues on lines without that prefix.
"""

import argparse
import re
import sys
from dataclasses import dataclass, field

RECORD_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ "
    r"(?P<level>DEBUG|INFO|RUNBOT|WARNING|ERROR|CRITICAL|\?|[A-Z]+) "
    r"(?P<db>\S+) (?P<logger>[^\s:]+): (?P<message>.*)$"
)
# odoo/service/server.py: "%s when loading database %r" with the result's
# __str__ from odoo/tests/result.py.
SUMMARY_RE = re.compile(
    r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database '(?P<db>[^']*)'"
)
# odoo/tests/result.py addSkip: "skipped %s : %s"
SKIP_RE = re.compile(r"^skipped \S.* : ")
# Skip reasons of HttpCase browser tests when Chromium or websocket-client is
# missing or unusable (odoo/tests/common.py).
BROWSER_SKIP_RE = re.compile(r"chrome|websocket-client", re.IGNORECASE)
# odoo/tests/result.py logError: "%s: %s\n%s" with FAIL or ERROR
TEST_PROBLEM_RE = re.compile(r"^(FAIL|ERROR): ")
# Error records that only restate test results the runner already counts.
RESTATEMENT_RES = (
    TEST_PROBLEM_RE,
    SUMMARY_RE,
    re.compile(r"^Module \S+: \d+ failures, \d+ errors of \d+ tests$"),
    re.compile(r"^Test suite halted: max failed tests already reached"),
    re.compile(r"^At least one test failed when loading the modules\.$"),
)
# INFO records worth showing while the tests run.
SHOWN_INFO_RES = (
    SKIP_RE,
    SUMMARY_RE,
    re.compile(r"^Starting post tests$"),
    re.compile(r"^\d+ post-tests in "),
    re.compile(r"^Module \S+ loaded in .*\(incl\. [\d.]+s test\)"),
    re.compile(r"^\S+: \d+ tests [\d.]+s \d+ queries$"),  # odoo.tests.stats
)
PROBLEM_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
# Lines odoo-bin prints outside its log that are not worth showing.
NOISE_LINES = {"Running as user 'root' is a security risk."}


@dataclass
class Record:
    level: str
    db: str
    logger: str
    message: str
    lines: list = field(default_factory=list)

    @property
    def text(self):
        return "\n".join(self.lines)


def iter_records(lines):
    """Group raw log lines into records; stray lines form their own record."""
    current = None
    for raw in lines:
        line = raw.rstrip("\n")
        match = RECORD_RE.match(line)
        if match:
            if current is not None:
                yield current
            current = Record(
                level=match["level"],
                db=match["db"],
                logger=match["logger"],
                message=match["message"].rstrip(),
                lines=[line],
            )
        elif current is not None:
            current.lines.append(line)
        elif line.strip():
            # Output before the first log record (e.g. an import crash).
            yield Record(level="STDERR", db="-", logger="-", message=line, lines=[line])
    if current is not None:
        yield current


def is_shown(record):
    if record.level in PROBLEM_LEVELS or record.level == "STDERR":
        return True
    return any(rx.search(record.message) for rx in SHOWN_INFO_RES)


def is_restatement(record):
    return any(rx.search(record.message) for rx in RESTATEMENT_RES)


def filter_stream(src, dst):
    """Copy the shown records of ``src`` to ``dst`` as they arrive."""
    shown = True  # stray lines before the first record (crashes) are shown
    for raw in src:
        line = raw.rstrip("\n")
        match = RECORD_RE.match(line)
        if match:
            shown = is_shown(
                Record(
                    match["level"],
                    match["db"],
                    match["logger"],
                    match["message"].rstrip(),
                )
            )
        if shown and (match or line.strip()) and line not in NOISE_LINES:
            dst.write(line + "\n")
            dst.flush()


@dataclass
class Summary:
    tests: int = 0  # tests the runner started (skipped ones included)
    failed_tests: int = 0  # failed or errored tests, as the runner counts them
    failed: int = 0  # failed_tests plus the problems found in the log
    skipped: int = 0
    browser_skipped: int = 0  # skipped for want of a usable browser
    warnings: int = 0
    notes: list = field(default_factory=list)

    @property
    def passed(self):
        return max(self.tests - self.failed_tests - self.skipped, 0)


def problem_records(lines):
    """ERROR / CRITICAL records that are not the runner restating test results."""
    return [
        record
        for record in iter_records(lines)
        if record.level in ("ERROR", "CRITICAL") and not is_restatement(record)
    ]


def describe(record):
    return f"{record.level} {record.logger}: {record.message[:200]}"


def summarize(lines, rc=0, fail_on_warnings=False):
    summary = Summary()
    found_summary = False
    unexpected = []
    for record in iter_records(lines):
        match = SUMMARY_RE.search(record.message)
        if match:
            found_summary = True
            summary.tests += int(match["run"])
            summary.failed_tests += int(match["failed"]) + int(match["errors"])
        if record.level == "INFO" and SKIP_RE.search(record.message):
            summary.skipped += 1
            reason = record.message.split(" : ", 1)[-1]
            if BROWSER_SKIP_RE.search(reason):
                summary.browser_skipped += 1
        if record.level == "WARNING" and not is_restatement(record):
            summary.warnings += 1
            if fail_on_warnings:
                unexpected.append(record)
        if record.level in ("ERROR", "CRITICAL") and not is_restatement(record):
            unexpected.append(record)
    summary.failed = summary.failed_tests + len(unexpected)
    for record in unexpected:
        summary.notes.append(f"logged outside a test result: {describe(record)}")
    if not found_summary:
        summary.failed += 1
        summary.notes.append("no test summary in the log (odoo-bin stopped early?)")
    elif rc != 0 and summary.failed == 0:
        summary.failed += 1
        summary.notes.append(f"odoo-bin exited with code {rc}")
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("filter", help="filter a log stream from stdin")
    p_err = sub.add_parser("errors", help="list the ERROR/CRITICAL records of a log")
    p_err.add_argument("logfile")
    p_sum = sub.add_parser("summary", help="count the results of a finished log")
    p_sum.add_argument("logfile")
    p_sum.add_argument("--rc", type=int, default=0, help="exit code of odoo-bin")
    p_sum.add_argument(
        "--fail-on-warnings",
        action="store_true",
        help="count WARNING records as failures too",
    )
    args = parser.parse_args(argv)
    if args.command == "filter":
        filter_stream(sys.stdin, sys.stdout)
        return 0
    if args.command == "errors":
        with open(args.logfile, encoding="utf-8", errors="replace") as fh:
            for record in problem_records(fh):
                print(describe(record))
        return 0
    with open(args.logfile, encoding="utf-8", errors="replace") as fh:
        summary = summarize(fh, rc=args.rc, fail_on_warnings=args.fail_on_warnings)
    print(
        f"passed={summary.passed} failed={summary.failed} "
        f"skipped={summary.skipped} tests={summary.tests} "
        f"warnings={summary.warnings} browser_skipped={summary.browser_skipped}"
    )
    for note in summary.notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
