# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""OpenG2P's encryption-provider interface (``g2p.encryption.provider``) on KeyBridge.

Plain Python: the Odoo addon ``g2p_encryption_keybridge`` delegates its ``*_keybridge``
methods here. The interface, as OpenG2P documents it:

* ``encrypt_data(data: bytes) -> bytes`` and ``decrypt_data(data: bytes) -> bytes``: raw bytes
  in and out, not base64. KeyBridge receives the plaintext as base64url ``data``; the
  ciphertext bytes are the ASCII of KeyBridge's ``kb:`` text form.
* ``jwt_sign(data, include_payload=True, include_certificate=False, include_cert_hash=False)
  -> str``: ``data`` is a dict (signed as a JSON object) or str/bytes.
* ``jwt_verify(data: str) -> dict``: the claims, or ``ValueError`` when the JWS is invalid.
* ``get_jwks() -> {"keys": [...]}``.
"""

from .keybridge_client import b64url_decode, b64url_encode


class InvalidSignature(ValueError):
    """``jwt_verify`` of an invalid JWS (OpenG2P's callers expect a ValueError)."""

    def __init__(self, reason):
        super().__init__(f"invalid jwt signature: {reason}")
        self.reason = reason


class OpenG2PProvider:
    """Adapter from the provider interface to a :class:`KeyBridgeClient`.

    :param encryption_key: KeyBridge key for ``encrypt_data`` (None: the server's default)
    :param signing_key: KeyBridge key for ``jwt_sign`` (None: the server's default)
    :param context: fixed encryption context; OpenG2P's callers pass none, so the default is
        none, matching the re-encryption job's ``context: none`` mode
    """

    def __init__(self, client, encryption_key=None, signing_key=None, context=None):
        self.client = client
        self.encryption_key = encryption_key or None
        self.signing_key = signing_key or None
        self.context = context or None

    def encrypt_data(self, data, **kwargs):
        data = _as_bytes(data, "data")
        context = kwargs.get("context", self.context)
        ciphertext = self.client.encrypt_bytes(data, context=context, key=kwargs.get("key") or self.encryption_key)
        return ciphertext.encode("ascii")

    def decrypt_data(self, data, **kwargs):
        data = _as_bytes(data, "data")
        try:
            ciphertext = data.decode("ascii")
        except UnicodeDecodeError as e:
            raise ValueError("not a KeyBridge ciphertext (expected the ASCII kb: text form)") from e
        return self.client.decrypt_bytes(ciphertext, context=kwargs.get("context", self.context))

    def jwt_sign(self, data, include_payload=True, include_certificate=False, include_cert_hash=False, **kwargs):
        if isinstance(data, dict):
            payload = data
        else:
            payload = _as_bytes(data.encode("utf-8") if isinstance(data, str) else data, "data")
        return self.client.jwt_sign(
            payload,
            key=kwargs.get("key") or self.signing_key,
            algorithm=kwargs.get("algorithm"),
            include_payload=include_payload,
            include_certificate=include_certificate,
            include_cert_hash=include_cert_hash,
            certificate_url=kwargs.get("certificate_url"),
        )

    def jwt_verify(self, data, **kwargs):
        if isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode("ascii")
        result = self.client.jwt_verify(data, payload=kwargs.get("payload"), key=kwargs.get("key"))
        if not result.get("valid"):
            raise InvalidSignature(result.get("reason") or "signature_invalid")
        claims = result.get("claims")
        return claims if isinstance(claims, dict) else {}

    def get_jwks(self, **kwargs):
        result = self.client.get_jwks(keys=kwargs.get("keys"))
        keys = result.get("keys") if isinstance(result, dict) else None
        return {"keys": list(keys or [])}


def _as_bytes(data, name):
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"{name} must be bytes (the provider interface is bytes in, bytes out)")


__all__ = ["InvalidSignature", "OpenG2PProvider", "b64url_decode", "b64url_encode"]
