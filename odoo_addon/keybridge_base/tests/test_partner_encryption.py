# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..logic.encrypted_fields import HIDDEN_PLACEHOLDER, UNDECRYPTABLE_PLACEHOLDER
from .common import KeyBridgeCase


@tagged("post_install", "-at_install")
class TestPartnerEncryption(KeyBridgeCase):
    def test_columns_hold_only_ciphertext(self):
        partner = self.env["res.partner"].create(
            {"name": "Amina Yusuf", "kb_national_id": "NID-1", "phone": "+254 700 000 001", "street": "1 Moi Ave"}
        )
        for column in ("name", "kb_national_id", "phone", "street"):
            self.assertTrue(self.raw(partner, column).startswith("kb:"), column)
        self.assertEqual(partner.name, "Amina Yusuf")
        # stored fields computed from encrypted ones never hold the plaintext
        for column in ("complete_name", "contact_address_complete", "commercial_company_name"):
            if column not in partner._fields or not partner._fields[column].store:
                continue
            self.assertNotIn("Amina", self.raw(partner, column) or "")
            self.assertNotIn("Moi Ave", self.raw(partner, column) or "")

    def test_read_after_invalidation_round_trips(self):
        partner = self.env["res.partner"].create({"name": "Juma", "phone": "0700"})
        self.env.invalidate_all()
        self.assertEqual(partner.read(["name", "phone"])[0]["name"], "Juma")
        self.assertEqual(partner.display_name, "Juma")

    def test_list_of_80_partners_makes_one_decrypt_call(self):
        partners = self.env["res.partner"].create([{"name": f"Registrant {i}", "phone": f"07{i:03}"} for i in range(80)])
        self.env.invalidate_all()
        before = self.kb.count("decrypt_data")
        rows = self.env["res.partner"].search_read([("id", "in", partners.ids)], ["name", "phone"], order="id")
        self.assertEqual(self.kb.count("decrypt_data") - before, 1)
        self.assertEqual([r["name"] for r in rows], [f"Registrant {i}" for i in range(80)])

    def test_multi_record_write_encrypts_each_record(self):
        partners = self.env["res.partner"].create([{"name": f"P{i}"} for i in range(3)])
        partners.write({"name": "Same", "comment": "<p>common</p>"})
        ciphertexts = {self.raw(p, "name") for p in partners}
        self.assertEqual(len(ciphertexts), 3)
        self.env.invalidate_all()
        self.assertEqual(partners.mapped("name"), ["Same"] * 3)

    def test_swapped_ciphertext_does_not_decrypt(self):
        a, b = self.env["res.partner"].create([{"name": "Alice"}, {"name": "Bob"}])
        self.env.cr.execute("UPDATE res_partner SET name = %s WHERE id = %s", [self.raw(a, "name"), b.id])
        self.env.invalidate_all()
        self.assertEqual(a.name, "Alice")
        self.assertEqual(b.name, UNDECRYPTABLE_PLACEHOLDER)

    def test_search_by_blind_index(self):
        target = self.env["res.partner"].create({"name": "Target", "kb_national_id": "AB-123"})
        self.env["res.partner"].create({"name": "Other", "kb_national_id": "AB-124"})
        decrypts = self.kb.count("decrypt_data")
        found = self.env["res.partner"].search([("kb_national_id", "=", " ab-123")])
        self.assertEqual(found, target)
        self.assertEqual(self.kb.count("decrypt_data"), decrypts, "search decrypts nothing")
        self.assertEqual(self.env["res.partner"].search_count([("phone", "=", "1")]), 0)

    def test_user_without_decrypt_group_sees_placeholder(self):
        partner = self.env["res.partner"].create({"name": "Hidden"})
        user = new_test_user(self.env, login="kb-no-decrypt", groups="base.group_user")
        self.env.invalidate_all()
        self.assertEqual(partner.with_user(user).read(["name"])[0]["name"], HIDDEN_PLACEHOLDER)
        with self.assertRaises(UserError):
            partner.with_user(user).write({"name": HIDDEN_PLACEHOLDER})

    def test_keybridge_errors_become_user_errors_with_their_name(self):
        from .memory_keybridge import MemoryKeyBridgeError

        self.kb.fail_with = MemoryKeyBridgeError("storage_unavailable", "database down", 4002)
        with self.assertRaisesRegex(UserError, "storage_unavailable"):
            self.env["res.partner"].create({"name": "Nope"})

    def test_encrypted_fields_are_not_tracked(self):
        partner = self.env["res.partner"].create({"name": "Tracked?", "phone": "111"})
        self.assertTrue({"name", "phone"}.isdisjoint(partner._track_get_fields() or set()))
