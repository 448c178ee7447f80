# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The CSV / XLSX reader (providers/files/): column mapping.

Without the ORM. The expectations below were checked by hand against the sample
files, which tests/samples/make_samples.py writes.
"""

import json

from odoo.tests import BaseCase, tagged

from ..exceptions import FileFormatError
from ..providers.files.columns import (
    ColumnMapping,
    _alias_key,
    resolve_mapping,
    suggest_mapping,
)
from ..providers.files.formats import HEADER_ALIASES, KNOWN_FORMATS, ROLES
from ..providers.files.rows import parse_rows
from .common_files import read


@tagged("post_install", "-at_install")
class TestColumnMapping(BaseCase):
    def test_json_round_trip(self):
        mapping = ColumnMapping(
            columns={"date": "Datum", "hours": "Stunden", "user_name": "Mitarbeiter"},
            date_format="%d.%m.%Y",
            decimal_separator=",",
            hours_format="hh:mm",
            repeated_rows="import",
            default_user="",
        )
        text = mapping.to_json()
        self.assertIsInstance(json.loads(text), dict)
        self.assertEqual(ColumnMapping.from_json(text), mapping)
        self.assertEqual(ColumnMapping.from_dict(mapping.to_dict()), mapping)

    def test_invalid_mappings(self):
        for text, message in (
            ("not json", "not JSON"),
            ("[1, 2]", "expected a JSON object"),
            ('{"columns": {"colour": "Colour"}}', "unknown column roles: colour"),
            ('{"columns": ["Date"]}', "columns must be an object"),
            ('{"hours_format": "minutes"}', "hours_format must be one of"),
            ('{"decimal_separator": ";"}', "decimal_separator must be one of"),
            ('{"date_format": "dd/mm"}', "date_format must be auto, dmy, mdy"),
            ('{"repeated_rows": "skip"}', "repeated_rows must be one of"),
            ('{"sheet": "1"}', "unknown keys sheet"),
        ):
            with self.subTest(text=text), self.assertRaisesRegex(ValueError, message):
                ColumnMapping.from_json(text)

    def test_check(self):
        headers = ["Date", "Who", "Hours"]
        self.assertEqual(
            ColumnMapping(
                columns={"date": " date ", "hours": "HOURS", "user_name": "Who"}
            ).check(headers),
            [],
        )
        self.assertEqual(
            ColumnMapping(columns={"project_name": "Project"}).check(headers),
            [
                "the column 'Project' (Project) is not in the file",
                "no column is mapped to Date",
                "no column is mapped to Hours or Duration (or to both Start time and "
                "End time)",
                "no column is mapped to a user (e-mail, name or ID) and no default "
                "user is set",
            ],
        )

    def test_resolve(self):
        table = read("tab_separated_us.tsv")
        mapping = suggest_mapping(table.headers)
        for given in (mapping, mapping.to_dict(), mapping.to_json()):
            self.assertEqual(resolve_mapping(table, given), mapping)
        with self.assertRaisesRegex(
            FileFormatError, "not a recognised export .*Harvest detailed time report"
        ):
            parse_rows(table)
        with self.assertRaisesRegex(FileFormatError, "Unknown export format 'tempo'"):
            parse_rows(table, "tempo")
        with self.assertRaisesRegex(
            FileFormatError,
            "The column mapping does not fit this file: the column 'Datum' \\(Date\\) "
            "is not in the file",
        ):
            parse_rows(table, mapping.to_dict() | {"columns": {"date": "Datum"}})
        with self.assertRaisesRegex(FileFormatError, "unknown column roles"):
            parse_rows(table, {"columns": {"when": "Work Date"}})

    def test_suggest_mapping(self):
        cases = {
            (
                "Date",
                "Employee",
                "Email",
                "Client",
                "Project",
                "Task",
                "Notes",
                "Hours",
            ): {
                "date": "Date",
                "user_name": "Employee",
                "user_email": "Email",
                "client_name": "Client",
                "project_name": "Project",
                "task_name": "Task",
                "description": "Notes",
                "hours": "Hours",
            },
            ("Datum", "Mitarbeiter", "Projekt", "Tätigkeit", "Stunden", "Bemerkung"): {
                "date": "Datum",
                "user_name": "Mitarbeiter",
                "project_name": "Projekt",
                "task_name": "Tätigkeit",
                "hours": "Stunden",
                "description": "Bemerkung",
            },
            (
                "Fecha",
                "Empleado",
                "Correo electrónico",
                "Cliente",
                "Proyecto",
                "Tarea",
                "Descripción",
                "Horas",
                "Facturable",
            ): {
                "date": "Fecha",
                "user_name": "Empleado",
                "user_email": "Correo electrónico",
                "client_name": "Cliente",
                "project_name": "Proyecto",
                "task_name": "Tarea",
                "description": "Descripción",
                "hours": "Horas",
                "billable": "Facturable",
            },
            ("Jour", "Collaborateur", "Projet", "Heures", "Libellé"): {
                "date": "Jour",
                "user_name": "Collaborateur",
                "project_name": "Projet",
                "hours": "Heures",
                "description": "Libellé",
            },
            ("Entry ID", "Start", "End", "User Email", "Duration", "Colour"): {
                "external_id": "Entry ID",
                "start_time": "Start",
                "end_time": "End",
                "user_email": "User Email",
                "duration": "Duration",
            },
            ("Date worked", "Hours billed", "Staff member"): {
                "date": "Date worked",
                "hours": "Hours billed",
                "user_name": "Staff member",
            },
        }
        for headers, expected in cases.items():
            with self.subTest(headers=headers):
                mapping = suggest_mapping(list(headers))
                self.assertEqual(mapping.columns, expected)
                self.assertEqual(mapping.format_key, "")
        # A recognised export gets its own mapping.
        mapping = suggest_mapping(read("toggl_detailed_report.csv").headers)
        self.assertEqual(mapping.format_key, "toggl")
        self.assertEqual(mapping.columns["duration"], "Duration")
        self.assertEqual(mapping.columns["end_date"], "End date")

    def test_roles_and_aliases_are_consistent(self):
        self.assertEqual(set(HEADER_ALIASES), set(ROLES))
        for spec in KNOWN_FORMATS.values():
            self.assertLessEqual(set(spec["columns"]), set(ROLES))
        for role, aliases in HEADER_ALIASES.items():
            for alias in aliases:
                self.assertEqual(_alias_key(alias), alias, role)
