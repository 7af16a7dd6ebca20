"""Blind-index domain rewriting (logic/blind_search.py)."""

import unittest

import _paths
from logic.blind_search import UnsupportedSearch, rewrite_domain
from logic.encrypted_fields import BlindIndexSpec, EncryptionConfig, EncryptionEngine
from stand_in_orm import StandInModel

memory = _paths.memory_keybridge()

SPECS = {
    "kb_national_id": BlindIndexSpec("kb_national_id_bidx", "casefold"),
    "phone": BlindIndexSpec("kb_phone_bidx", "digits"),
}


class BlindSearchTests(unittest.TestCase):
    def setUp(self):
        self.kb = memory.MemoryKeyBridge()
        config = EncryptionConfig("res.partner", ("kb_national_id", "phone"), blind_index_key="bidx", blind_indexes=SPECS)
        self.engine = EncryptionEngine(config, self.kb)

    def token(self, value, normalize):
        return self.kb.blind_index("bidx", [value], normalize)[0]

    def test_equality_becomes_token_equality(self):
        domain = rewrite_domain([("kb_national_id", "=", "AB-1")], SPECS, self.engine.tokens)
        self.assertEqual(domain, [("kb_national_id_bidx", "=", self.token("ab-1", "casefold"))])

    def test_other_leaves_and_operators_are_kept(self):
        domain = ["|", ("name", "ilike", "x"), "!", ("phone", "!=", "+1 555"), ("is_company", "=", True)]
        out = rewrite_domain(domain, SPECS, self.engine.tokens)
        self.assertEqual(out[:3], ["|", ("name", "ilike", "x"), "!"])
        self.assertEqual(out[3], ("kb_phone_bidx", "!=", self.token("1555", "digits")))
        self.assertEqual(out[4], ("is_company", "=", True))

    def test_all_values_use_one_call_per_normalisation(self):
        calls = len(self.kb.calls)
        rewrite_domain(
            [("kb_national_id", "in", ["a", "b", "c"]), ("phone", "=", "1"), ("kb_national_id", "ilike", "d")],
            SPECS,
            self.engine.tokens,
        )
        self.assertEqual(sorted(self.kb.calls[calls:]), [("blind_index", 1), ("blind_index", 4)])

    def test_in_lists_and_empty_values(self):
        out = rewrite_domain([("phone", "not in", ["1", False]), ("kb_national_id", "=", False)], SPECS, self.engine.tokens)
        self.assertEqual(out[0], ("kb_phone_bidx", "not in", [self.token("1", "digits"), False]))
        self.assertEqual(out[1], ("kb_national_id_bidx", "=", False))

    def test_like_means_exact_identifier(self):
        out = rewrite_domain([("kb_national_id", "ilike", "ab-1")], SPECS, self.engine.tokens)
        self.assertEqual(out, [("kb_national_id_bidx", "=", self.token("AB-1", "casefold"))])

    def test_range_operators_are_refused(self):
        with self.assertRaises(UnsupportedSearch):
            rewrite_domain([("kb_national_id", ">", "A")], SPECS, self.engine.tokens)

    def test_domain_without_encrypted_fields_makes_no_call(self):
        domain = [("name", "=", "x")]
        self.assertIs(rewrite_domain(domain, SPECS, self.engine.tokens), domain)
        self.assertEqual(self.kb.calls, [])

    def test_search_finds_a_record_without_decrypting(self):
        orm = StandInModel(self.engine.config, self.kb)
        ids = orm.create([{"kb_national_id": f"NID-{i}"} for i in range(20)])
        decrypts = self.kb.count("decrypt_data")
        ((column, _op, token),) = rewrite_domain([("kb_national_id", "=", "nid-7 ")], SPECS, self.engine.tokens)
        found = [rid for rid in ids if orm.db[rid][column] == token]
        self.assertEqual(found, [ids[7]])
        self.assertEqual(self.kb.count("decrypt_data"), decrypts)


if __name__ == "__main__":
    unittest.main()
