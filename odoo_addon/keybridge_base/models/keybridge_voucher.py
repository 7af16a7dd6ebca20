# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..client.keybridge_client import KeyBridgeError
from ..logic.vouchers import amount_string, idempotency_key, qr_data_uri, rfc3339, standard_base64


class KeyBridgeVoucher(models.Model):
    """A voucher signed by KeyBridge (``voucher.issue``), with its QR code for printing."""

    _name = "keybridge.voucher"
    _description = "KeyBridge voucher"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    program = fields.Char(required=True)
    partner_id = fields.Many2one("res.partner", string="Beneficiary")
    beneficiary_ref = fields.Char(
        "Beneficiary reference",
        compute="_compute_beneficiary_ref",
        store=True,
        readonly=False,
        required=True,
        help="Pseudonymous reference carried in the voucher (never personal data).",
    )
    amount = fields.Monetary(required=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    valid_until = fields.Datetime(required=True)
    qr_format = fields.Selection([("png", "PNG"), ("svg", "SVG")], default="png", required=True)
    state = fields.Selection([("draft", "Draft"), ("issued", "Issued")], default="draft", readonly=True)
    voucher_id = fields.Char("Voucher ID", readonly=True, copy=False)
    token = fields.Text(readonly=True, copy=False, help="The signed voucher (compact JWS) encoded in the QR code.")
    qr_image = fields.Binary("QR code", readonly=True, copy=False, attachment=True)
    qr_data_uri = fields.Char(compute="_compute_qr_data_uri")

    @api.depends("voucher_id", "program")
    def _compute_name(self):
        for voucher in self:
            voucher.name = voucher.voucher_id or _("%(program)s (draft)", program=voucher.program or "")

    @api.depends("partner_id")
    def _compute_beneficiary_ref(self):
        for voucher in self:
            if voucher.partner_id and not voucher.beneficiary_ref:
                voucher.beneficiary_ref = f"res.partner-{voucher.partner_id.id}"

    @api.depends("qr_image", "qr_format")
    def _compute_qr_data_uri(self):
        for voucher in self:
            voucher.qr_data_uri = qr_data_uri(voucher.qr_image, voucher.qr_format) if voucher.qr_image else False

    def action_issue(self):
        """Issue the voucher on KeyBridge and keep its id, token and QR image."""
        client = self.env["keybridge.backend"].default_client()
        database_uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        for voucher in self.filtered(lambda v: v.state == "draft"):
            try:
                result = client.voucher_issue(
                    program=voucher.program,
                    beneficiary=voucher.beneficiary_ref,
                    amount=amount_string(voucher.amount, voucher.currency_id.decimal_places),
                    currency=voucher.currency_id.name,
                    valid_until=rfc3339(voucher.valid_until),
                    idempotency_key=idempotency_key(database_uuid, self._name, voucher.id),
                    qr=voucher.qr_format,
                )
            except KeyBridgeError as e:
                raise self.env["keybridge.backend"].user_error(e) from e
            if not result.get("qr"):
                raise UserError(_("KeyBridge returned no QR image for voucher %s.", result.get("voucher_id")))
            voucher.write(
                {
                    "state": "issued",
                    "voucher_id": result["voucher_id"],
                    "token": result["token"],
                    "qr_image": standard_base64(result["qr"]),
                }
            )
        return True

    def action_print(self):
        return self.env.ref("keybridge_base.action_report_keybridge_voucher").report_action(self)
