# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.tests import TransactionCase

from .memory_keybridge import MemoryKeyBridge


class KeyBridgeCase(TransactionCase):
    """Runs the addon against an in-memory KeyBridge (memory_keybridge.py) that counts calls."""

    encrypted_fields = ("name", "kb_national_id", "phone", "street")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kb = MemoryKeyBridge()
        backend_class = type(cls.env["keybridge.backend"])
        cls.startClassPatcher(patch.object(backend_class, "client", lambda self: cls.kb))
        cls.backend = cls.env.ref("keybridge_base.backend_default")
        fields = cls.env["ir.model.fields"].search(
            [("model", "=", "res.partner"), ("name", "in", list(cls.encrypted_fields))]
        )
        cls.backend.write(
            {
                "url": "http://keybridge.invalid",
                "client_id": "odoo",
                "new_client_secret": "secret",
                "blind_index_key": "registry-blind-index",
                "partner_field_ids": [(6, 0, fields.ids)],
            }
        )

    def raw(self, partner, column):
        """What PostgreSQL holds, bypassing the ORM."""
        self.env.flush_all()
        self.env.cr.execute(f'SELECT "{column}" FROM res_partner WHERE id = %s', [partner.id])
        return self.env.cr.fetchone()[0]
