# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An in-memory stand-in for KeyBridge's data methods, for tests only (NOT real encryption).

It has the client methods the addon uses (``encrypt_many``, ``decrypt_many``,
``blind_index``), keeps KeyBridge's observable rules (``kb:`` text form, a fresh ciphertext
per call, context binding: another context fails with ``context_mismatch``), and counts calls.
Standard library only, so the plain-Python tests and the Odoo tests can both use it.
"""

import base64
import hashlib
import hmac
import json
import os
import unicodedata


try:  # inside Odoo: odoo.addons.keybridge_base.tests
    from ..client.keybridge_client import KeyBridgeError
except ImportError:  # plain-python tests put keybridge_base/ on sys.path
    from client.keybridge_client import KeyBridgeError


class MemoryKeyBridgeError(KeyBridgeError):
    """Raised (or returned per item) like the client raises KeyBridge's errors."""


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class MemoryKeyBridge:
    def __init__(self, secret=b"memory-keybridge-test-key"):
        self._key = hashlib.sha256(secret).digest()
        self.calls = []  # (method, number of items)
        self.fail_with = None  # a MemoryKeyBridgeError raised by the next call, then cleared

    def count(self, method):
        return sum(1 for m, _n in self.calls if m == method)

    def _enter(self, method, n):
        self.calls.append((method, n))
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error

    def _stream(self, nonce, length):
        out = b""
        counter = 0
        while len(out) < length:
            out += hashlib.sha256(self._key + nonce + counter.to_bytes(4, "big")).digest()
            counter += 1
        return out[:length]

    def _tag(self, nonce, body, context):
        aad = json.dumps(context or {}, sort_keys=True).encode()
        return hmac.new(self._key, nonce + body + aad, hashlib.sha256).digest()[:16]

    def encrypt_one(self, text, context=None):
        plaintext = text.encode("utf-8")
        nonce = os.urandom(12)
        body = bytes(a ^ b for a, b in zip(plaintext, self._stream(nonce, len(plaintext))))
        return "kb:" + _b64(nonce + body + self._tag(nonce, body, context))

    def decrypt_one(self, ciphertext, context=None):
        if not isinstance(ciphertext, str) or not ciphertext.startswith("kb:"):
            return MemoryKeyBridgeError("ciphertext_malformed", "not a kb: ciphertext", 3001)
        raw = _unb64(ciphertext[3:])
        nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
        if len(raw) < 28 or not hmac.compare_digest(tag, self._tag(nonce, body, context)):
            return MemoryKeyBridgeError("context_mismatch", "the ciphertext does not authenticate", 3002)
        return bytes(a ^ b for a, b in zip(body, self._stream(nonce, len(body)))).decode("utf-8")

    # -- the client methods used by the addon

    def encrypt_many(self, items, key=None):
        self._enter("encrypt_data", len(items))
        return [self.encrypt_one(i["text"], i.get("context")) for i in items]

    def decrypt_many(self, items):
        self._enter("decrypt_data", len(items))
        return [self.decrypt_one(i["ciphertext"], i.get("context")) for i in items]

    def blind_index(self, key, values, normalize=None):
        self._enter("blind_index", len(values))
        return [_b64(hmac.new(self._key, _normalize(v, normalize).encode(), hashlib.sha256).digest()) for v in values]


def _normalize(value, normalize):
    if normalize in (None, "none"):
        return value
    if normalize == "trim":
        return value.strip()
    if normalize == "casefold":
        return unicodedata.normalize("NFKC", value.strip()).upper().lower()
    if normalize == "digits":
        return "".join(c for c in value if c.isascii() and c.isdigit())
    raise MemoryKeyBridgeError("invalid_params", "bad normalize", -32602)
