# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import hashlib
import json

from odoo import api, fields, models


class TimeBillingFileFormat(models.Model):
    """Column mapping of a spreadsheet layout, saved on a backend.

    The next file with the same column headers (same names, same order,
    ignoring case and surrounding spaces) is read with it without asking.
    """

    _name = "time.billing.file.format"
    _description = "Time Billing File Format"
    _order = "backend_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    backend_id = fields.Many2one(
        comodel_name="time.billing.backend",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
    header_key = fields.Char(
        required=True,
        readonly=True,
        help="Fingerprint of the column headers this format applies to.",
    )
    headers = fields.Text(string="Columns", readonly=True)
    mapping = fields.Json(
        required=True, help="Which column holds what, as the file reader expects it."
    )
    last_used_date = fields.Datetime(readonly=True)

    _backend_header_key_uniq = models.Constraint(
        "UNIQUE(backend_id, header_key)",
        "This backend already has a format for these columns.",
    )

    @api.model
    def _make_header_key(self, headers):
        """Fingerprint of a header row: same columns, same order."""
        normalised = [
            " ".join(str(h or "").replace("\ufeff", "").split()).casefold()
            for h in headers
        ]
        return hashlib.sha256(json.dumps(normalised).encode()).hexdigest()

    @api.model
    def _find_for_headers(self, backend, headers):
        """The format saved on ``backend`` for these headers, if any."""
        return self.search(
            [
                ("backend_id", "=", backend.id),
                ("header_key", "=", self._make_header_key(headers)),
            ],
            limit=1,
        )

    @api.model
    def _save_for_headers(self, backend, headers, mapping, name):
        """Create or update the format of ``backend`` for these headers."""
        fmt = self._find_for_headers(backend, headers)
        vals = {
            "name": name,
            "mapping": mapping,
            "headers": "\n".join(str(h or "") for h in headers),
            "last_used_date": fields.Datetime.now(),
        }
        if fmt:
            fmt.write(vals)
            return fmt
        return self.create(
            {
                **vals,
                "backend_id": backend.id,
                "header_key": self._make_header_key(headers),
            }
        )
