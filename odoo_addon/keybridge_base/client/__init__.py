# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Plain-Python KeyBridge client: importable without Odoo (see keybridge_client.py).
from .keybridge_client import KeyBridgeClient, KeyBridgeError, b64url_decode, b64url_encode  # noqa: F401
