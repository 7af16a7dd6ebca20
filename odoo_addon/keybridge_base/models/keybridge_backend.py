# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import logging
import os
import threading

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools.sql import table_exists

from ..client.keybridge_client import KeyBridgeClient, KeyBridgeError
from ..logic.encrypted_fields import ELIGIBLE_TYPES, EncryptionConfig, EncryptionEngine, field_refusal

_logger = logging.getLogger(__name__)

# One client (and so one cached token) per backend configuration and process.
_CLIENTS = {}
_CLIENTS_LOCK = threading.Lock()


class _LazyClient:
    """Creates the KeyBridge client on first use, so that a missing configuration is a
    KeyBridgeError("not_configured") where KeyBridge is actually needed, not before."""

    def __init__(self, factory):
        self._factory = factory
        self._client = None

    def __getattr__(self, name):
        if self._client is None:
            self._client = self._factory()
        return getattr(self._client, name)


class KeyBridgeBackend(models.Model):
    _name = "keybridge.backend"
    _description = "KeyBridge backend"
    _order = "sequence, id"

    name = fields.Char(required=True, default="KeyBridge")
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10, help="The first active backend is the one the addons use.")
    url = fields.Char(
        "URL",
        default=lambda self: os.environ.get("KEYBRIDGE_URL", ""),
        help="Base URL of KeyBridge, e.g. http://keybridge:8080",
    )
    client_id = fields.Char("Client ID", default=lambda self: os.environ.get("KEYBRIDGE_CLIENT_ID", ""))
    # Readable by system administrators only and never put in a view: the form writes it through
    # ``new_client_secret`` and only tells whether one is stored.
    client_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        default=lambda self: os.environ.get("KEYBRIDGE_CLIENT_SECRET", ""),
    )
    new_client_secret = fields.Char(
        "Client secret",
        compute="_compute_new_client_secret",
        inverse="_inverse_new_client_secret",
        help="Type a new secret to replace the stored one. It is never shown again.",
    )
    has_client_secret = fields.Boolean("Secret stored", compute="_compute_new_client_secret")
    timeout = fields.Float(default=10.0, help="Seconds for each HTTP request to KeyBridge.")
    retries = fields.Integer(default=2, help="Extra attempts after a transient failure.")
    encryption_key = fields.Char(
        help="KeyBridge key (aes-256-gcm) for registrant fields; empty: KeyBridge's default key."
    )
    blind_index_key = fields.Char(
        default="registry-blind-index",
        help="KeyBridge key (hmac-sha256) for the search tokens of encrypted identifiers.",
    )
    partner_field_ids = fields.Many2many(
        "ir.model.fields",
        string="Encrypted contact fields",
        domain=[("model", "=", "res.partner"), ("ttype", "in", ELIGIBLE_TYPES), ("store", "=", True)],
        help="Contact fields stored as KeyBridge ciphertext, one per record and field.",
    )

    @api.depends("client_secret")
    def _compute_new_client_secret(self):
        for backend in self:
            backend.new_client_secret = False
            backend.has_client_secret = bool(backend.sudo().client_secret)

    def _inverse_new_client_secret(self):
        for backend in self:
            if backend.new_client_secret:
                backend.sudo().client_secret = backend.new_client_secret

    @api.constrains("partner_field_ids")
    def _check_partner_fields(self):
        partner = self.env["res.partner"]
        token_columns = {spec.column for spec in partner._kb_blind_indexes.values()}
        for field_rec in self.partner_field_ids:
            field = partner._fields.get(field_rec.name)
            reason = field_refusal(
                field.type if field else None,
                bool(field and field.store),
                bool(field and (field.compute or field.related)),
                bool(field and field.translate),
                field_rec.name in token_columns,
            )
            if reason:
                raise ValidationError(_("Field %(field)s: %(reason)s", field=field_rec.name, reason=reason))

    # ------------------------------------------------------------------ cache invalidation

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    # ------------------------------------------------------------------ access for the addons

    @api.model
    def _get_default(self):
        return self.sudo().search([], limit=1)

    @tools.ormcache()
    def _kb_config_data(self):
        """Primitive configuration, cached per registry (cleared when a backend changes)."""
        backend = self._get_default()
        if not backend:
            return None
        return {
            "id": backend.id,
            "key": backend.encryption_key or None,
            "blind_index_key": backend.blind_index_key or None,
            "fields": {"res.partner": tuple(sorted(backend.partner_field_ids.mapped("name")))},
        }

    @api.model
    def _kb_loaded(self):
        # While modules load (registry not ready), res.partner may be used before this model's
        # table exists.
        return self.env.registry.ready or table_exists(self.env.cr, self._table)

    @api.model
    def _kb_encrypted_field_names(self, model_name):
        data = self._kb_loaded() and self._kb_config_data()
        return frozenset(data["fields"].get(model_name, ())) if data else frozenset()

    @api.model
    def _kb_engine(self, model_name, blind_indexes=None):
        """An EncryptionEngine for ``model_name``, or None when none of its fields is encrypted."""
        data = self._kb_loaded() and self._kb_config_data()
        names = data and data["fields"].get(model_name)
        if not names:
            return None
        config = EncryptionConfig(
            model=model_name,
            fields=names,
            key=data["key"],
            blind_index_key=data["blind_index_key"],
            blind_indexes=dict(blind_indexes or {}),
        )
        backend_id = data["id"]
        return EncryptionEngine(config, _LazyClient(lambda: self.browse(backend_id).sudo().client()))

    def client(self):
        """The shared KeyBridgeClient of this backend (token cached across requests)."""
        self.ensure_one()
        backend = self.sudo()
        secret = backend.client_secret or ""
        fingerprint = (
            self.env.cr.dbname,
            backend.id,
            backend.url or "",
            backend.client_id or "",
            hashlib.sha256(secret.encode()).hexdigest(),
            backend.timeout,
            backend.retries,
        )
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(fingerprint)
            if client is None:
                for stale in [k for k in _CLIENTS if k[:2] == fingerprint[:2]]:
                    del _CLIENTS[stale]
                client = KeyBridgeClient(
                    backend.url,
                    backend.client_id,
                    secret,
                    timeout=backend.timeout or 10.0,
                    retries=max(backend.retries, 0),
                )
                _CLIENTS[fingerprint] = client
            return client

    @api.model
    def default_client(self):
        backend = self._get_default()
        if not backend:
            raise UserError(_("No KeyBridge backend is configured (Settings > Technical > KeyBridge)."))
        try:
            return backend.client()
        except KeyBridgeError as e:
            raise self.user_error(e) from e

    @api.model
    def user_error(self, error):
        """The UserError shown for a KeyBridgeError: its stable name first, then the message."""
        _logger.info("KeyBridge call failed: %s", error.name)
        return UserError(_("KeyBridge error %(name)s: %(message)s", name=error.name, message=error.message))

    # ------------------------------------------------------------------ buttons

    def action_test_connection(self):
        self.ensure_one()
        try:
            client = self.client()
            client.forget_token()
            methods = client.discover().get("methods", [])
        except KeyBridgeError as e:
            raise self.user_error(e) from e
        return self._notify(_("Connected to KeyBridge: %(count)s methods available.", count=len(methods)))

    def action_create_keys(self):
        """Create the configured keys on KeyBridge (needs the key-admin role); existing keys are kept."""
        self.ensure_one()
        wanted = [(self.blind_index_key, "hmac-sha256")]
        if self.encryption_key:
            wanted.append((self.encryption_key, "aes-256-gcm"))
        created = []
        try:
            client = self.client()
            for name, key_type in wanted:
                if not name:
                    continue
                try:
                    client.create_key(name, key_type)
                    created.append(name)
                except KeyBridgeError as e:
                    if e.name != "key_exists":
                        raise
        except KeyBridgeError as e:
            raise self.user_error(e) from e
        return self._notify(_("Keys created: %(names)s", names=", ".join(created) or _("none (they exist)")))

    def action_encrypt_existing(self, batch_size=500):
        """(Re-)encrypt the configured contact fields of every contact and rebuild the search
        tokens: run after enabling encryption on existing data, after adding a field, and after
        rotating the blind-index key. Also moves old ciphertexts to the latest key version."""
        self.ensure_one()
        partners = self.env["res.partner"].with_context(active_test=False)
        flow = partners._kb_flow()
        if not flow:
            raise UserError(_("No contact field is configured for encryption."))
        names = list(flow.config.fields)
        ids = partners.search([], order="id").ids
        done, skipped = 0, []
        try:
            for start in range(0, len(ids), batch_size):
                batch = partners.browse(ids[start : start + batch_size]).sudo()
                rows = batch.read(names)
                skipped += flow.reencrypt({row["id"]: {n: row[n] for n in names} for row in rows})
                done += len(rows)
                batch.invalidate_recordset(names)
        except KeyBridgeError as e:
            raise self.user_error(e) from e
        if skipped:
            _logger.warning("KeyBridge: %s contacts could not be decrypted and were left as they are", len(skipped))
        return self._notify(
            _("%(count)s contacts encrypted, %(skipped)s skipped (undecryptable).", count=done - len(skipped), skipped=len(skipped))
        )

    def _notify(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": "success", "sticky": False},
        }
