# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from odoo.addons.keybridge_base.client.keybridge_client import KeyBridgeError
from odoo.addons.keybridge_base.client.openg2p_provider import OpenG2PProvider


class G2PEncryptionProvider(models.Model):
    """Provider type ``keybridge``: every operation is one KeyBridge JSON-RPC call
    (see keybridge_base/client/openg2p_provider.py for the byte and JWT conventions)."""

    _inherit = "g2p.encryption.provider"

    type = fields.Selection(selection_add=[("keybridge", "KeyBridge")], ondelete={"keybridge": "set null"})
    keybridge_backend_id = fields.Many2one(
        "keybridge.backend",
        string="KeyBridge backend",
        default=lambda self: self.env["keybridge.backend"]._get_default(),
        ondelete="restrict",
    )
    keybridge_encryption_key = fields.Char(help="KeyBridge key for encrypt_data; empty: the server's default.")
    keybridge_signing_key = fields.Char(help="KeyBridge key for jwt_sign; empty: the server's default.")

    def _keybridge(self):
        self.ensure_one()
        backend = self.keybridge_backend_id.sudo() or self.env["keybridge.backend"]._get_default()
        if not backend:
            raise self.env["keybridge.backend"].user_error(
                KeyBridgeError("not_configured", "the provider has no KeyBridge backend")
            )
        try:
            client = backend.client()
        except KeyBridgeError as e:
            raise self.env["keybridge.backend"].user_error(e) from e
        return OpenG2PProvider(client, self.keybridge_encryption_key, self.keybridge_signing_key)

    def _keybridge_call(self, method, *args, **kwargs):
        provider = self._keybridge()
        try:
            return getattr(provider, method)(*args, **kwargs)
        except KeyBridgeError as e:
            raise self.env["keybridge.backend"].user_error(e) from e

    def encrypt_data_keybridge(self, data: bytes, **kwargs) -> bytes:
        return self._keybridge_call("encrypt_data", data, **kwargs)

    def decrypt_data_keybridge(self, data: bytes, **kwargs) -> bytes:
        return self._keybridge_call("decrypt_data", data, **kwargs)

    def jwt_sign_keybridge(
        self, data, include_payload=True, include_certificate=False, include_cert_hash=False, **kwargs
    ) -> str:
        return self._keybridge_call(
            "jwt_sign",
            data,
            include_payload=include_payload,
            include_certificate=include_certificate,
            include_cert_hash=include_cert_hash,
            **kwargs,
        )

    def jwt_verify_keybridge(self, data: str, **kwargs):
        """The claims of a valid JWS; raises ValueError (InvalidSignature) otherwise."""
        return self._keybridge_call("jwt_verify", data, **kwargs)

    def get_jwks_keybridge(self, **kwargs):
        return self._keybridge_call("get_jwks", **kwargs)

    def jwt_sign(self, data, include_payload=True, include_certificate=False, include_cert_hash=False, **kwargs):
        # Some releases of g2p_encryption's dispatcher pass literal defaults instead of the
        # caller's flags; call our implementation directly so that detached payloads and
        # certificates (VCI signing) reach KeyBridge.
        if self.type == "keybridge":
            return self.jwt_sign_keybridge(
                data,
                include_payload=include_payload,
                include_certificate=include_certificate,
                include_cert_hash=include_cert_hash,
                **kwargs,
            )
        return super().jwt_sign(
            data,
            include_payload=include_payload,
            include_certificate=include_certificate,
            include_cert_hash=include_cert_hash,
            **kwargs,
        )
