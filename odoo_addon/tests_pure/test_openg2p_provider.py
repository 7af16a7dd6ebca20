"""OpenG2P provider interface on KeyBridge (client/openg2p_provider.py).

Signing, verification and JWKS against the fake server (those methods are built in parallel,
coded to SPEC §5); encrypt/decrypt also against the real server when it is available.
"""

import base64
import hashlib
import json
import os
import unittest

import _paths  # noqa: F401
from client.keybridge_client import KeyBridgeClient, KeyBridgeError
from client.openg2p_provider import InvalidSignature, OpenG2PProvider
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from fake_keybridge_server import FakeKeyBridge, unb64u

URL = os.environ.get("KEYBRIDGE_TEST_URL")
SECRET = os.environ.get("KEYBRIDGE_TEST_ADMIN_SECRET")


def jws_parts(token):
    head, body, sig = token.split(".")
    return json.loads(unb64u(head)), body, sig


class ProviderSigningTests(unittest.TestCase):
    def setUp(self):
        self.fake = FakeKeyBridge().start()
        self.addCleanup(self.fake.stop)
        self.provider = OpenG2PProvider(KeyBridgeClient(self.fake.url, "odoo", "s3cret"))

    def test_flags_reach_keybridge(self):
        token = self.provider.jwt_sign(b"\x00raw-bytes", include_payload=False, include_certificate=True, include_cert_hash=True)
        (request,) = self.fake.jsonrpc_requests("jwt_sign")
        params = request["params"]
        self.assertEqual(
            (params["include_payload"], params["include_certificate"], params["include_cert_hash"]), (False, True, True)
        )
        self.assertEqual(unb64u(params["payload"]), b"\x00raw-bytes")
        header, body, _sig = jws_parts(token)
        self.assertEqual(body, "", "detached payload")
        self.assertIn("x5c", header)
        der = base64.b64decode(header["x5c"][0])
        self.assertEqual(header["x5t#S256"], base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode())

    def test_dict_payload_is_signed_as_json_and_verifies_independently(self):
        token = self.provider.jwt_sign({"amount": "10.00", "sub": "ben-1"})
        header, body, sig = jws_parts(token)
        self.assertEqual(json.loads(unb64u(body)), {"amount": "10.00", "sub": "ben-1"})
        self.assertNotIn("x5c", header)
        jwk = self.provider.get_jwks()["keys"][0]
        self.assertEqual(jwk["kid"], header["kid"])
        # independent check with `cryptography`, using only the JWKS
        public = ec.EllipticCurvePublicNumbers(
            int.from_bytes(unb64u(jwk["x"]), "big"), int.from_bytes(unb64u(jwk["y"]), "big"), ec.SECP256R1()
        ).public_key()
        raw = unb64u(sig)
        signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        head = token.split(".")[0]
        public.verify(signature, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        x509.load_der_x509_certificate(base64.b64decode(jwk["x5c"][0]))

    def test_str_payload_is_sent_as_bytes(self):
        self.provider.jwt_sign("plain text")
        (request,) = self.fake.jsonrpc_requests("jwt_sign")
        self.assertEqual(unb64u(request["params"]["payload"]), b"plain text")

    def test_certificate_url_and_signing_key_are_forwarded(self):
        provider = OpenG2PProvider(self.provider.client, signing_key="voucher-signing")
        provider.jwt_sign({"a": 1}, certificate_url="https://example.org/cert.pem")
        params = self.fake.jsonrpc_requests("jwt_sign")[0]["params"]
        self.assertEqual((params["key"], params["certificate_url"]), ("voucher-signing", "https://example.org/cert.pem"))

    def test_verify_returns_claims(self):
        token = self.provider.jwt_sign({"sub": "x", "n": 1})
        self.assertEqual(self.provider.jwt_verify(token), {"sub": "x", "n": 1})

    def test_verify_raises_value_error_on_a_tampered_token(self):
        token = self.provider.jwt_sign({"amount": "10.00"})
        head, _body, sig = token.split(".")
        forged = base64.urlsafe_b64encode(b'{"amount":"99.00"}').rstrip(b"=").decode()
        with self.assertRaises(ValueError) as caught:
            self.provider.jwt_verify(f"{head}.{forged}.{sig}")
        self.assertIsInstance(caught.exception, InvalidSignature)
        self.assertEqual(caught.exception.reason, "signature_invalid")

    def test_encrypt_requires_bytes(self):
        with self.assertRaises(TypeError):
            self.provider.encrypt_data("not bytes")


@unittest.skipUnless(URL and SECRET, "needs the real KeyBridge (scripts/test.sh)")
class ProviderEncryptionLiveTests(unittest.TestCase):
    def setUp(self):
        self.provider = OpenG2PProvider(KeyBridgeClient(URL, "admin", SECRET))

    def test_bytes_in_bytes_out(self):
        data = json.dumps({"name": "Amina", "birth_place": "Mombasa"}).encode() + b"\xff\x00"
        ciphertext = self.provider.encrypt_data(data)
        self.assertIsInstance(ciphertext, bytes)
        self.assertTrue(ciphertext.startswith(b"kb:"))
        ciphertext.decode("ascii")  # the ASCII of the kb: text form
        self.assertEqual(self.provider.decrypt_data(ciphertext), data)

    def test_tampered_ciphertext_raises_a_named_error(self):
        ciphertext = bytearray(self.provider.encrypt_data(b"secret"))
        ciphertext[-3] = ord("A") if ciphertext[-3] != ord("A") else ord("B")
        with self.assertRaises(KeyBridgeError) as caught:
            self.provider.decrypt_data(bytes(ciphertext))
        self.assertIn(caught.exception.name, ("context_mismatch", "ciphertext_malformed"))

    def test_non_ascii_input_is_not_a_ciphertext(self):
        with self.assertRaises(ValueError):
            self.provider.decrypt_data("\u00e9".encode())


if __name__ == "__main__":
    unittest.main()
