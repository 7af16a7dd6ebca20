# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Encrypted registrant fields on res.partner: thin ORM glue around ``logic/``.

* create/write: the configured fields are stored as KeyBridge ciphertexts, each bound to
  ``{"model": "res.partner", "field": <field>, "id": <id>}`` (see logic/orm_flow.py);
* read: ``_fetch_query`` decrypts everything it fetched with ONE ``decrypt_data`` call;
* search: leaves on blind-indexed fields are rewritten to token comparisons (``_search``);
* stored fields computed from encrypted fields (``complete_name``, ...) are computed from the
  ciphertext, never from the plaintext (``_compute_field_value``);
* chatter tracking never records encrypted fields (``_track_get_fields``).
"""

import logging
import weakref

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..client.keybridge_client import KeyBridgeError
from ..logic.blind_search import UnsupportedSearch, rewrite_domain
from ..logic.encrypted_fields import BlindIndexSpec, PlaintextRefused
from ..logic.orm_flow import MISSING, EncryptedModelFlow

_logger = logging.getLogger(__name__)

DECRYPT_GROUP = "keybridge_base.group_keybridge_decrypt"

# Per-transaction state, keyed by the transaction's cache object (one per request/cron run).
_KNOWN_PLAINTEXTS = weakref.WeakKeyDictionary()  # cache -> {ciphertext: plaintext}
_RAW_MODE = weakref.WeakKeyDictionary()  # cache -> depth; while > 0 nothing is decrypted


class _OdooPort:
    """The few ORM calls EncryptedModelFlow needs (see logic/orm_flow.py)."""

    def __init__(self, model, parent=None):
        self.model = model.browse()
        self.parent = parent  # super() of the calling method, for create/write
        self.cache = model.env.cache

    def insert(self, vals_list):
        return self.parent.create(vals_list).ids

    def write(self, ids, vals):
        self.parent.write(vals)

    def set_dirty(self, ids, name, values):
        records = self.model.browse(ids)
        field = records._fields[name]
        self.cache.update(records, field, [field.convert_to_cache(v, records) for v in values], dirty=True)
        records.modified([name])

    def flush(self):
        self.model.env.flush_all()

    def set_clean(self, ids, name, values):
        records = self.model.browse(ids)
        field = records._fields[name]
        self.cache.update(records, field, [field.convert_to_cache(v, records, validate=False) for v in values])

    def cached(self, ids, name):
        field = self.model._fields[name]
        return [self.cache.get(self.model.browse(rid), field, MISSING) for rid in ids]

    def dirty_ids(self, name):
        return set(self.cache.get_dirty_records(self.model, self.model._fields[name])._ids)

    def known_plaintexts(self):
        return _KNOWN_PLAINTEXTS.setdefault(self.cache, {})


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Identifier fields searchable by exact match once encrypted: source field -> token column.
    # Extension modules may add entries (with their own token column).
    _kb_blind_indexes = {
        "kb_national_id": BlindIndexSpec("kb_national_id_bidx", "casefold"),
        "phone": BlindIndexSpec("kb_phone_bidx", "digits"),
        "mobile": BlindIndexSpec("kb_mobile_bidx", "digits"),
    }

    kb_national_id = fields.Char("National ID", copy=False)
    kb_national_id_bidx = fields.Char("National ID search token", readonly=True, copy=False, index=True)
    kb_phone_bidx = fields.Char("Phone search token", readonly=True, copy=False, index=True)
    kb_mobile_bidx = fields.Char("Mobile search token", readonly=True, copy=False, index=True)

    # ------------------------------------------------------------------ configuration

    def _kb_flow(self, parent=None):
        """The encryption flow, or None when no field of this model is encrypted."""
        engine = self.env["keybridge.backend"].sudo()._kb_engine(self._name, self._kb_blind_indexes)
        return EncryptedModelFlow(engine, _OdooPort(self, parent)) if engine else None

    def _kb_encrypted_fields(self):
        return self.env["keybridge.backend"].sudo()._kb_encrypted_field_names(self._name)

    def _kb_may_decrypt(self):
        return self.env.su or self.env.user.has_group(DECRYPT_GROUP)

    # ------------------------------------------------------------------ create / write

    @api.model_create_multi
    def create(self, vals_list):
        flow = self._kb_flow(parent=super())
        if not flow:
            return super().create(vals_list)
        try:
            return self.browse(flow.create(vals_list))
        except PlaintextRefused as e:
            raise UserError(_("Field %(field)s: %(reason)s", field=e.field_name, reason=e.reason)) from e
        except KeyBridgeError as e:
            raise self.env["keybridge.backend"].user_error(e) from e

    def write(self, vals):
        flow = self._kb_flow(parent=super()) if self else None
        if not flow or not flow.config.touched(vals):
            return super().write(vals)
        try:
            flow.write(self.ids, vals)
            # The parent write() did not see the encrypted values: sync commercial and address
            # fields to child contacts as it would have (from the plaintexts now in the cache;
            # each child encrypts them for itself).
            encrypted = {name: vals[name] for name in flow.config.touched(vals)}
            for partner in self:
                partner._fields_sync(encrypted)
        except PlaintextRefused as e:
            raise UserError(_("Field %(field)s: %(reason)s", field=e.field_name, reason=e.reason)) from e
        except KeyBridgeError as e:
            raise self.env["keybridge.backend"].user_error(e) from e
        return True

    # ------------------------------------------------------------------ read

    def _fetch_query(self, query, fields):
        fetched = super()._fetch_query(query, fields)
        if not fetched or _RAW_MODE.get(self.env.cache):
            return fetched
        names = {field.name for field in fields}
        encrypted = self._kb_encrypted_fields()
        if not encrypted or names.isdisjoint(encrypted):
            return fetched
        flow = self._kb_flow()
        if flow:
            _count, failure = flow.after_fetch(fetched._ids, names, may_decrypt=self._kb_may_decrypt())
            if failure is not None:
                _logger.warning("KeyBridge decryption failed, showing placeholders: %s", failure.name)
        return fetched

    # ------------------------------------------------------------------ search

    @api.model
    def _search(self, domain, *args, **kwargs):
        flow = self._kb_flow() if domain else None
        specs = flow.config.active_blind_indexes if flow else None
        if specs:
            try:
                domain = rewrite_domain(domain, specs, flow.engine.tokens)
            except UnsupportedSearch as e:
                raise UserError(str(e)) from e
            except KeyBridgeError as e:
                raise self.env["keybridge.backend"].user_error(e) from e
        return super()._search(domain, *args, **kwargs)

    # ------------------------------------------------------------------ computed dependents

    def _compute_field_value(self, field):
        deps = field.store and self._kb_encrypted_dependencies(field)
        if not deps:
            return super()._compute_field_value(field)
        # A stored field computed from an encrypted one (complete_name from name, ...) must be
        # computed from what the database holds, the ciphertext: the plaintext in the cache
        # would otherwise be written to a clear column.
        restore = self._kb_show_ciphertexts(deps)
        try:
            return super()._compute_field_value(field)
        finally:
            restore()

    def _kb_encrypted_dependencies(self, field):
        encrypted = self._kb_encrypted_fields()
        if not encrypted:
            return ()
        found = set()
        for path in self.pool.field_depends.get(field, ()):
            model = self
            parts = path.split(".")
            for part in parts[:-1]:
                sub = model._fields.get(part)
                if sub is None or not sub.relational:
                    model = None
                    break
                model = self.env[sub.comodel_name]
            if model is not None and model._name == self._name and parts[-1] in encrypted:
                found.add(parts[-1])
        return tuple(sorted(found))

    def _kb_show_ciphertexts(self, names):
        """Put the database values of ``names`` in the cache; return a function undoing it."""
        cache = self.env.cache
        saved = []
        for name in names:
            field = self._fields[name]
            records = cache.get_records(self, field)
            dirty = set(cache.get_dirty_records(self, field)._ids)
            ids = [rid for rid in records._ids if rid and rid not in dirty]
            if not ids:
                continue
            records = self.browse(ids)
            before = [cache.get(rec, field) for rec in records]
            self.env.cr.execute(
                SQL("SELECT id, %s FROM %s WHERE id IN %s", SQL.identifier(name), SQL.identifier(self._table), tuple(ids))
            )
            raw = dict(self.env.cr.fetchall())
            cache.update(records, field, [raw.get(rid) or None for rid in ids])
            saved.append((records, field, before))
        _RAW_MODE[cache] = _RAW_MODE.get(cache, 0) + 1

        def restore():
            _RAW_MODE[cache] -= 1
            for records, field, before in saved:
                cache.update(records, field, before)
            # Values fetched during the computation are still ciphertext: drop them so the
            # next read fetches and decrypts them.
            for name in names:
                field = self._fields[name]
                dirty = set(cache.get_dirty_records(self, field)._ids)
                stale = [
                    rec.id
                    for rec in cache.get_records(self, field)
                    if rec.id not in dirty and str(cache.get(rec, field, "")).startswith("kb:")
                ]
                if stale:
                    cache.invalidate([(field, stale)])

        return restore

    # ------------------------------------------------------------------ chatter

    def _track_get_fields(self):
        # Tracking would copy old and new plaintexts into mail.tracking.value.
        tracked = super()._track_get_fields()
        encrypted = self._kb_encrypted_fields()
        return {name for name in tracked if name not in encrypted} if tracked and encrypted else tracked
