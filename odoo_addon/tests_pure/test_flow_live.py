"""The encrypted-field flow with the REAL KeyBridge client and server, counting HTTP requests.

Needs KEYBRIDGE_TEST_URL and KEYBRIDGE_TEST_ADMIN_SECRET (scripts/test.sh sets them).
"""

import os
import secrets
import unittest

import _paths  # noqa: F401
from client.keybridge_client import KeyBridgeClient
from logic.blind_search import rewrite_domain
from logic.encrypted_fields import BlindIndexSpec, EncryptionConfig, is_ciphertext
from stand_in_orm import StandInModel

URL = os.environ.get("KEYBRIDGE_TEST_URL")
SECRET = os.environ.get("KEYBRIDGE_TEST_ADMIN_SECRET")


@unittest.skipUnless(URL and SECRET, "needs the real KeyBridge (scripts/test.sh)")
class LiveFlowTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = KeyBridgeClient(URL, "admin", SECRET)
        cls.bidx_key = f"registry-bidx-{secrets.token_hex(4)}"
        cls.client.create_key(cls.bidx_key, "hmac-sha256")
        cls.config = EncryptionConfig(
            "res.partner",
            ("name", "kb_national_id"),
            blind_index_key=cls.bidx_key,
            blind_indexes={"kb_national_id": BlindIndexSpec("kb_national_id_bidx", "casefold")},
        )

    def test_80_partners_round_trip_with_one_decrypt_request(self):
        orm = StandInModel(self.config, self.client)
        before = self.client.stats["jsonrpc"]
        ids = orm.create([{"name": f"Registrant {i}", "kb_national_id": f"NID-{i:03}"} for i in range(80)])
        self.assertEqual(self.client.stats["jsonrpc"] - before, 2, "one encrypt_data + one blind_index request")
        for rid in ids:
            self.assertTrue(is_ciphertext(orm.db[rid]["name"]))
            self.assertNotIn("Registrant", orm.db[rid]["name"])
        orm.invalidate()
        before = self.client.stats["jsonrpc"]
        rows = orm.read(ids, ["name", "kb_national_id"])
        self.assertEqual(self.client.stats["jsonrpc"] - before, 1, "ONE decrypt_data request for 80 records")
        self.assertEqual([r["name"] for r in rows], [f"Registrant {i}" for i in range(80)])

    def test_multi_write_and_blind_index_search(self):
        orm = StandInModel(self.config, self.client)
        ids = orm.create([{"name": "a"}, {"name": "b"}, {"name": "c"}])
        orm.write_records(ids, {"name": "Shared", "kb_national_id": "X-1"})
        self.assertEqual(len({orm.db[rid]["name"] for rid in ids}), 3)
        for rid in ids:
            context = {"model": "res.partner", "field": "name", "id": rid}
            self.assertEqual(self.client.decrypt_text(orm.db[rid]["name"], context=context), "Shared")
        ((column, _op, token),) = rewrite_domain([("kb_national_id", "=", " x-1")], self.config.active_blind_indexes, orm.engine.tokens)
        self.assertEqual([rid for rid in ids if orm.db[rid][column] == token], ids)


if __name__ == "__main__":
    unittest.main()
