"""Client behaviour a real server does not show on demand: 503s, dropped connections, 401 on a
valid-looking token, transient error names. Against fake_keybridge_server (loopback)."""

import unittest

import _paths  # noqa: F401
from client.keybridge_client import KeyBridgeClient, KeyBridgeError
from fake_keybridge_server import FakeKeyBridge


class ClientFaultTests(unittest.TestCase):
    def setUp(self):
        self.fake = FakeKeyBridge().start()
        self.addCleanup(self.fake.stop)
        self.sleeps = []
        self.client = KeyBridgeClient(self.fake.url, "odoo", "s3cret", timeout=5, retries=2, backoff=0.5, sleep=self.sleeps.append)

    def test_503_is_retried_with_exponential_backoff(self):
        self.fake.faults = ["503", "503"]
        self.assertEqual(len(self.client.random_bytes(4)), 4)
        self.assertEqual(self.sleeps, [0.5, 1.0])

    def test_503_beyond_the_retries_raises_http_error(self):
        self.fake.faults = ["503"] * 3
        with self.assertRaises(KeyBridgeError) as caught:
            self.client.random_bytes(4)
        self.assertEqual((caught.exception.name, caught.exception.data["status"]), ("http_error", 503))

    def test_dropped_connection_is_retried(self):
        self.fake.faults = ["drop"]
        self.assertEqual(len(self.client.random_bytes(4)), 4)
        self.assertEqual(self.sleeps, [0.5])

    def test_storage_unavailable_is_retried(self):
        self.fake.faults = ["storage_unavailable"]
        self.assertEqual(len(self.client.random_bytes(4)), 4)
        self.assertEqual(self.sleeps, [0.5])

    def test_401_reauthenticates_exactly_once(self):
        self.client.random_bytes(4)
        self.fake.faults = ["401"]
        self.client.random_bytes(4)
        self.assertEqual(self.client.stats["token"], 2)
        self.fake.faults = ["401", "401"]
        with self.assertRaises(KeyBridgeError) as caught:
            self.client.random_bytes(4)
        self.assertEqual((caught.exception.name, caught.exception.code), ("authentication_failed", 1001))
        self.assertEqual(self.client.stats["token"], 3, "one new token, not a loop")

    def test_non_transient_errors_are_not_retried(self):
        with self.assertRaises(KeyBridgeError) as caught:
            self.client.call("no.such")
        self.assertEqual(caught.exception.name, "method_not_found")
        self.assertEqual(self.sleeps, [])
        self.assertEqual(self.client.stats["jsonrpc"], 1)

    def test_secret_and_token_never_appear_in_repr_or_errors(self):
        self.client.random_bytes(4)
        self.assertNotIn("s3cret", repr(self.client))
        self.assertNotIn(self.client._token, repr(self.client))
        with self.assertRaises(KeyBridgeError) as caught:
            KeyBridgeClient(self.fake.url, "odoo", "wrong").random_bytes(4)
        self.assertEqual(caught.exception.name, "invalid_client")
        self.assertNotIn("wrong", str(caught.exception))

    def test_missing_configuration_is_a_named_error(self):
        with self.assertRaises(KeyBridgeError) as caught:
            KeyBridgeClient("", "odoo", "x")
        self.assertEqual(caught.exception.name, "not_configured")


if __name__ == "__main__":
    unittest.main()
