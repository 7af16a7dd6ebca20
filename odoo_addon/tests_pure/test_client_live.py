"""KeyBridgeClient against a REAL KeyBridge server (started by scripts/test.sh).

Needs KEYBRIDGE_TEST_URL and KEYBRIDGE_TEST_ADMIN_SECRET; skipped without them.
"""

import os
import secrets
import socket
import unittest

import _paths  # noqa: F401
from client.keybridge_client import KeyBridgeClient, KeyBridgeError

URL = os.environ.get("KEYBRIDGE_TEST_URL")
SECRET = os.environ.get("KEYBRIDGE_TEST_ADMIN_SECRET")
CTX = {"model": "res.partner", "field": "name", "id": 42}


def unique(prefix):
    return f"{prefix}-{secrets.token_hex(4)}"


@unittest.skipUnless(URL and SECRET, "set KEYBRIDGE_TEST_URL and KEYBRIDGE_TEST_ADMIN_SECRET (scripts/test.sh does)")
class LiveClientTests(unittest.TestCase):
    def client(self, **kwargs):
        return KeyBridgeClient(URL, "admin", SECRET, timeout=10, **kwargs)

    def test_text_round_trip_with_context(self):
        c = self.client()
        ciphertext = c.encrypt_text("Amina Yusuf \u00e9\u4e2d", context=CTX)
        self.assertTrue(ciphertext.startswith("kb:"))
        self.assertNotIn("Amina", ciphertext)
        self.assertEqual(c.decrypt_text(ciphertext, context=CTX), "Amina Yusuf \u00e9\u4e2d")

    def test_bytes_round_trip(self):
        c = self.client()
        data = bytes(range(256))
        self.assertEqual(c.decrypt_bytes(c.encrypt_bytes(data)), data)

    def test_each_encryption_is_fresh(self):
        c = self.client()
        self.assertNotEqual(c.encrypt_text("same", context=CTX), c.encrypt_text("same", context=CTX))

    def test_other_context_fails_with_context_mismatch(self):
        c = self.client()
        ciphertext = c.encrypt_text("x", context=CTX)
        with self.assertRaises(KeyBridgeError) as caught:
            c.decrypt_text(ciphertext, context={**CTX, "id": 43})
        self.assertEqual(caught.exception.name, "context_mismatch")
        self.assertEqual(caught.exception.code, 3002)

    def test_items_batch_keeps_order_and_isolates_failures(self):
        c = self.client()
        items = [{"text": f"v{i}", "context": {**CTX, "id": i}} for i in range(50)]
        ciphertexts = c.encrypt_many(items)
        self.assertEqual(len(ciphertexts), 50)
        decrypt_items = [{"ciphertext": ct, "context": {**CTX, "id": i}} for i, ct in enumerate(ciphertexts)]
        decrypt_items[7]["context"] = {**CTX, "id": 999}  # swapped record: must fail alone
        decrypt_items[9]["ciphertext"] = "kb:garbage"
        before = c.stats["jsonrpc"]
        results = c.decrypt_many(decrypt_items)
        self.assertEqual(c.stats["jsonrpc"] - before, 1, "one HTTP request for the whole batch")
        self.assertEqual(results[7].name, "context_mismatch")
        self.assertEqual(results[9].name, "ciphertext_malformed")
        self.assertEqual([r for i, r in enumerate(results) if i not in (7, 9)], [f"v{i}" for i in range(50) if i not in (7, 9)])

    def test_jsonrpc_batch_array(self):
        c = self.client()
        results = c.call_batch([("random_bytes", {"length": 8}), ("no.such.method", None), ("random_bytes", {"length": 2000})])
        self.assertEqual(len(c.random_bytes(8)), 8)
        self.assertIn("data", results[0])
        self.assertEqual(results[1].name, "method_not_found")
        self.assertEqual(results[1].code, -32601)
        self.assertEqual(results[2].name, "invalid_params")

    def test_errors_carry_their_names(self):
        c = self.client()
        with self.assertRaises(KeyBridgeError) as caught:
            c.call("encrypt_data", {"text": "x", "no_such_param": 1})
        self.assertEqual(caught.exception.name, "invalid_params")
        with self.assertRaises(KeyBridgeError) as caught:
            c.encrypt_text("x", key=unique("missing"))
        self.assertEqual(caught.exception.name, "key_not_found")
        with self.assertRaises(KeyBridgeError) as caught:
            c.create_key(unique("bad"), "no-such-type")
        self.assertIn(caught.exception.name, ("invalid_params", "invalid_policy", "unsupported_operation"))

    def test_blind_index_is_deterministic_and_normalized(self):
        c = self.client()
        key = unique("bidx")
        c.create_key(key, "hmac-sha256")
        a, b, other = c.blind_index(key, ["  AB-12 ", "ab-12", "ab-13"], normalize="casefold")
        self.assertEqual(a, b)
        self.assertNotEqual(a, other)
        digits = c.blind_index(key, ["+91 98-76", "9198 76"], normalize="digits")
        self.assertEqual(digits[0], digits[1])
        with self.assertRaises(KeyBridgeError) as caught:
            c.blind_index("default-encryption", ["x"])
        self.assertEqual(caught.exception.name, "unsupported_operation")

    def test_wrong_secret_is_refused_by_the_token_endpoint(self):
        with self.assertRaises(KeyBridgeError) as caught:
            KeyBridgeClient(URL, "admin", "wrong-secret").random_bytes(4)
        self.assertEqual(caught.exception.name, "invalid_client")

    def test_token_is_cached_between_calls(self):
        c = self.client()
        for _ in range(5):
            c.random_bytes(4)
        self.assertEqual(c.stats["token"], 1)

    def test_token_is_renewed_when_it_expires(self):
        now = [1000.0]
        c = self.client(clock=lambda: now[0])
        c.random_bytes(4)
        now[0] += 60  # well inside the server's lifetime: still cached
        c.random_bytes(4)
        self.assertEqual(c.stats["token"], 1)
        now[0] += 3600  # past exp minus the margin
        c.random_bytes(4)
        self.assertEqual(c.stats["token"], 2)

    def test_rejected_token_triggers_one_reauthentication(self):
        c = self.client()
        c.random_bytes(4)
        c._token = c._token[:-4] + "AAAA"  # a token the server refuses (bad signature)
        self.assertEqual(len(c.random_bytes(4)), 4)
        self.assertEqual(c.stats["token"], 2)

    def test_unreachable_server_fails_after_retries_with_backoff(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        sleeps = []
        c = KeyBridgeClient(f"http://127.0.0.1:{port}", "admin", SECRET, timeout=2, retries=2, backoff=0.1, sleep=sleeps.append)
        with self.assertRaises(KeyBridgeError) as caught:
            c.random_bytes(4)
        self.assertEqual(caught.exception.name, "connection_failed")
        self.assertEqual(sleeps, [0.1, 0.2])

    def test_discover_lists_the_data_methods(self):
        names = {m["name"] for m in self.client().discover()["methods"]}
        self.assertTrue({"encrypt_data", "decrypt_data", "blind_index"} <= names)


if __name__ == "__main__":
    unittest.main()
