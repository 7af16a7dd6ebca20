"""The encrypted-field flow (logic/orm_flow.py) on a stand-in ORM and an in-memory KeyBridge."""

import unittest

import _paths
from logic.encrypted_fields import (
    HIDDEN_PLACEHOLDER,
    PENDING_PLACEHOLDER,
    UNAVAILABLE_PLACEHOLDER,
    UNDECRYPTABLE_PLACEHOLDER,
    BlindIndexSpec,
    EncryptionConfig,
    PlaintextRefused,
    field_refusal,
    is_ciphertext,
)
from stand_in_orm import StandInModel

memory = _paths.memory_keybridge()

CONFIG = EncryptionConfig(
    model="res.partner",
    fields=("name", "kb_national_id", "phone"),
    blind_index_key="registry-blind-index",
    blind_indexes={
        "kb_national_id": BlindIndexSpec("kb_national_id_bidx", "casefold"),
        "phone": BlindIndexSpec("kb_phone_bidx", "digits"),
        "email": BlindIndexSpec("kb_email_bidx", "casefold"),  # not encrypted: no tokens
    },
)


class FieldSelectionTests(unittest.TestCase):
    def test_only_plain_stored_text_fields_are_eligible(self):
        self.assertIsNone(field_refusal("char", True, False, False))
        self.assertIsNone(field_refusal("text", True, False, False))
        self.assertIn("Char and Text", field_refusal("html", True, False, False))
        self.assertIn("Char and Text", field_refusal("char", False, False, False))
        self.assertIn("computed", field_refusal("char", True, True, False))
        self.assertIn("translated", field_refusal("char", True, False, True))
        self.assertIn("search-token", field_refusal("char", True, False, False, is_token_column=True))

    def test_touched_keeps_configuration_order_and_ignores_other_fields(self):
        self.assertEqual(CONFIG.touched({"phone": 1, "email": 2, "name": 3}), ["name", "phone"])

    def test_blind_indexes_only_for_encrypted_fields_and_with_a_key(self):
        self.assertEqual(set(CONFIG.active_blind_indexes), {"kb_national_id", "phone"})
        no_key = EncryptionConfig("res.partner", CONFIG.fields, blind_indexes=CONFIG.blind_indexes)
        self.assertEqual(no_key.active_blind_indexes, {})


class EncryptedFieldFlowTests(unittest.TestCase):
    def setUp(self):
        self.kb = memory.MemoryKeyBridge()
        self.orm = StandInModel(CONFIG, self.kb)

    def decrypt_db(self, rid, field):
        return self.kb.decrypt_one(self.orm.db[rid][field], {"model": "res.partner", "field": field, "id": rid})

    def test_create_stores_only_per_record_ciphertext(self):
        ids = self.orm.create(
            [
                {"name": "Amina", "kb_national_id": "AB-1", "email": "a@example.org"},
                {"name": "Amina", "phone": False, "is_company": False},
            ]
        )
        for rid in ids:
            self.assertTrue(is_ciphertext(self.orm.db[rid]["name"]))
            self.assertNotIn("Amina", self.orm.db[rid]["name"])
        self.assertNotEqual(self.orm.db[ids[0]]["name"], self.orm.db[ids[1]]["name"])
        self.assertEqual(self.decrypt_db(ids[0], "name"), "Amina")
        self.assertEqual(self.decrypt_db(ids[1], "name"), "Amina")
        self.assertEqual(self.orm.db[ids[0]]["email"], "a@example.org", "unconfigured fields are untouched")
        self.assertIs(self.orm.db[ids[1]]["phone"], False, "empty values are not encrypted")
        # the row was inserted with a placeholder, never with the plaintext
        self.assertEqual(self.orm.inserted[0]["name"], PENDING_PLACEHOLDER)
        self.assertEqual(self.kb.count("encrypt_data"), 1, "one encrypt call for the whole create")

    def test_create_leaves_plaintext_in_cache_and_reads_round_trip(self):
        (rid,) = self.orm.create([{"name": "Juma", "phone": "+255 700 1"}])
        self.assertEqual(self.orm.read([rid], ["name", "phone"])[0]["name"], "Juma")
        self.orm.invalidate()
        self.assertEqual(self.orm.read([rid], ["name", "phone"]), [{"id": rid, "name": "Juma", "phone": "+255 700 1"}])

    def test_reading_80_records_makes_exactly_one_decrypt_call(self):
        ids = self.orm.create([{"name": f"Person {i}", "kb_national_id": f"ID{i}", "phone": f"0700{i}"} for i in range(80)])
        self.orm.invalidate()
        calls_before = len(self.kb.calls)
        rows = self.orm.read(ids, ["name", "kb_national_id", "phone", "email"])
        self.assertEqual(self.kb.calls[calls_before:], [("decrypt_data", 240)])
        self.assertEqual([r["name"] for r in rows], [f"Person {i}" for i in range(80)])
        # a second read is served from the cache
        self.orm.read(ids, ["name"])
        self.assertEqual(self.kb.count("decrypt_data"), 1)

    def test_multi_record_write_gives_each_record_its_own_ciphertext(self):
        ids = self.orm.create([{"name": f"P{i}"} for i in range(3)])
        self.orm.write_records(ids, {"name": "Same Name", "phone": "123", "comment": "common"})
        ciphertexts = {self.orm.db[rid]["name"] for rid in ids}
        self.assertEqual(len(ciphertexts), 3, "no ciphertext stamped onto several records")
        for rid in ids:
            self.assertEqual(self.decrypt_db(rid, "name"), "Same Name")
            self.assertEqual(self.decrypt_db(rid, "phone"), "123")
            self.assertEqual(self.orm.db[rid]["comment"], "common")
        self.orm.invalidate()
        self.assertEqual({r["name"] for r in self.orm.read(ids, ["name"])}, {"Same Name"})

    def test_write_of_other_fields_does_not_touch_ciphertexts(self):
        (rid,) = self.orm.create([{"name": "Keep"}])
        before = self.orm.db[rid]["name"]
        calls = len(self.kb.calls)
        self.orm.write_records([rid], {"comment": "x"})
        self.assertEqual(self.orm.db[rid]["name"], before)
        self.assertEqual(len(self.kb.calls), calls)

    def test_write_false_clears_value_and_token(self):
        (rid,) = self.orm.create([{"kb_national_id": "X1"}])
        self.assertTrue(self.orm.db[rid]["kb_national_id_bidx"])
        self.orm.write_records([rid], {"kb_national_id": False})
        self.assertIs(self.orm.db[rid]["kb_national_id"], False)
        self.assertIs(self.orm.db[rid]["kb_national_id_bidx"], False)

    def test_ciphertext_swapped_between_records_does_not_decrypt(self):
        a, b = self.orm.create([{"name": "Alice"}, {"name": "Bob"}])
        self.orm.db[b]["name"] = self.orm.db[a]["name"]  # an attacker with database access
        self.orm.invalidate()
        rows = self.orm.read([a, b], ["name"])
        self.assertEqual(rows[0]["name"], "Alice")
        self.assertEqual(rows[1]["name"], UNDECRYPTABLE_PLACEHOLDER)

    def test_users_without_decrypt_permission_see_a_placeholder_and_cause_no_call(self):
        ids = self.orm.create([{"name": "Secret", "phone": False}])
        self.orm.invalidate()
        self.orm.may_decrypt = False
        calls = len(self.kb.calls)
        row = self.orm.read(ids, ["name", "phone"])[0]
        self.assertEqual(row["name"], HIDDEN_PLACEHOLDER)
        self.assertIs(row["phone"], False, "empty stays empty")
        self.assertEqual(len(self.kb.calls), calls)

    def test_placeholders_are_never_stored(self):
        (rid,) = self.orm.create([{"name": "Real"}])
        for placeholder in (HIDDEN_PLACEHOLDER, UNAVAILABLE_PLACEHOLDER, UNDECRYPTABLE_PLACEHOLDER, PENDING_PLACEHOLDER):
            with self.assertRaises(PlaintextRefused):
                self.orm.write_records([rid], {"name": placeholder})
            with self.assertRaises(PlaintextRefused):
                self.orm.create([{"name": placeholder}])
        self.assertEqual(self.decrypt_db(rid, "name"), "Real")

    def test_foreign_ciphertext_is_refused_but_a_known_one_is_re_encrypted(self):
        a, b = self.orm.create([{"name": "Alice"}, {"name": "Bob"}])
        # code copying a value it read from the cache between write and flush
        self.orm.write_records([b], {"name": self.orm.db[a]["name"]})
        self.assertEqual(self.decrypt_db(b, "name"), "Alice")
        with self.assertRaises(PlaintextRefused):
            self.orm.write_records([b], {"name": self.kb.encrypt_one("x", {"id": 1})})

    def test_unreachable_keybridge_shows_placeholders_and_reports_the_failure(self):
        ids = self.orm.create([{"name": "N"}])
        self.orm.invalidate()
        self.kb.fail_with = memory.MemoryKeyBridgeError("connection_failed", "down")
        for rid in ids:
            for name in ("name",):
                self.orm.cache[(rid, name)] = self.orm.db[rid][name]
        count, failure = self.orm.flow.after_fetch(ids, {"name"})
        self.assertEqual((count, failure.name), (1, "connection_failed"))
        self.assertEqual(self.orm.cache[(ids[0], "name")], UNAVAILABLE_PLACEHOLDER)

    def test_failed_encryption_stores_nothing(self):
        (rid,) = self.orm.create([{"name": "Before"}])
        self.kb.fail_with = memory.MemoryKeyBridgeError("storage_unavailable", "db down")
        with self.assertRaises(memory.MemoryKeyBridgeError):
            self.orm.write_records([rid], {"name": "After"})
        self.assertEqual(self.decrypt_db(rid, "name"), "Before")

    def test_blind_index_tokens_follow_the_normalisation(self):
        a, b = self.orm.create([{"kb_national_id": " ab-1 ", "phone": "+1 (555) 01"}, {"kb_national_id": "AB-1", "phone": "1555 01"}])
        self.assertEqual(self.orm.db[a]["kb_national_id_bidx"], self.orm.db[b]["kb_national_id_bidx"])
        self.assertEqual(self.orm.db[a]["kb_phone_bidx"], self.orm.db[b]["kb_phone_bidx"])
        self.assertNotIn("kb_email_bidx", self.orm.db[a], "no token for a field that is not encrypted")
        # one blind_index call per normalisation, for both records at once
        self.assertEqual(self.kb.count("blind_index"), 2)

    def test_reencrypt_skips_rows_holding_placeholders(self):
        ids = self.orm.create([{"name": "One"}, {"name": "Two"}])
        old = dict(self.orm.db[ids[0]])
        skipped = self.orm.flow.reencrypt({ids[0]: {"name": "One"}, ids[1]: {"name": UNDECRYPTABLE_PLACEHOLDER}})
        self.assertEqual(skipped, [ids[1]])
        self.assertNotEqual(self.orm.db[ids[0]]["name"], old["name"], "fresh ciphertext")
        self.assertEqual(self.decrypt_db(ids[0], "name"), "One")
        self.assertEqual(self.decrypt_db(ids[1], "name"), "Two")


if __name__ == "__main__":
    unittest.main()
