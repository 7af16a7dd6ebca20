# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What an encrypted model does on create, write and read, written against a small port.

The Odoo model (``models/res_partner.py``) implements the port with a handful of ORM calls; the
tests implement it with a stand-in ORM (``odoo_addon/tests_pure/stand_in_orm.py``). Plain
Python, no Odoo imports.

The port:

``insert(vals_list) -> ids``
    the parent ``create()``
``write(ids, vals)``
    the parent ``write()`` for values that are not encrypted
``set_dirty(ids, field, values)``
    put a per-record value in the cache as a pending database update (and mark what depends
    on it for recomputation), without going through ``write()``
``flush()``
    write pending updates and recomputations to the database
``set_clean(ids, field, values)``
    put values in the cache only (never written to the database)
``cached(ids, field) -> list``
    the cached values (``MISSING`` where there is none)
``dirty_ids(field) -> set``
    records whose value of ``field`` is a pending update
``known_plaintexts() -> dict``
    a per-transaction ``{ciphertext: plaintext}`` memory (may be shared and updated in place)
"""

from .encrypted_fields import PENDING_PLACEHOLDER, PlaintextRefused, is_ciphertext, is_empty

MISSING = object()


class EncryptedModelFlow:
    def __init__(self, engine, port):
        self.engine = engine
        self.config = engine.config
        self.port = port

    # ------------------------------------------------------------------ create

    def create(self, vals_list):
        """Create records; encrypted values are encrypted once the ids are known.

        The row is inserted with a pending placeholder in place of each non-empty encrypted
        value (so NOT NULL-style constraints hold), then every value is encrypted for its own
        record id in ONE call and the ciphertexts replace the placeholders before this method
        returns. Returns the new ids.
        """
        touched_any = any(self.config.touched(vals) for vals in vals_list)
        if not touched_any:
            return self.port.insert(vals_list)
        known = self.port.known_plaintexts()
        clean_list, plaintexts = [], []
        for vals in vals_list:
            vals = dict(vals)
            plain = {}
            for name in self.config.touched(vals):
                plain[name] = self.engine.check_storable(name, vals[name], known)
                vals[name] = PENDING_PLACEHOLDER if not is_empty(plain[name]) else False
            clean_list.append(vals)
            plaintexts.append(plain)
        ids = self.port.insert(clean_list)
        self.store({rid: plain for rid, plain in zip(ids, plaintexts) if plain})
        return ids

    # ------------------------------------------------------------------ write

    def write(self, ids, vals):
        """Write ``vals`` on every record of ``ids``.

        Unencrypted values go through the parent ``write()`` once. Each record gets its OWN
        ciphertext of each encrypted value, bound to its id (a multi-record write does not copy
        one record's ciphertext onto the others).
        """
        touched = self.config.touched(vals)
        if not touched:
            self.port.write(ids, vals)
            return
        known = self.port.known_plaintexts()
        plain = {name: self.engine.check_storable(name, vals[name], known) for name in touched}
        # Always through the parent write(), even empty: it checks access rights and updates
        # write_date/write_uid.
        self.port.write(ids, {k: v for k, v in vals.items() if k not in touched})
        self.store({rid: dict(plain) for rid in ids})

    def reencrypt(self, rows):
        """Encrypt again values read from records (``{id: {field: value}}``), e.g. to encrypt
        data written before encryption was enabled or to move to the latest key version.

        Rows holding a placeholder (KeyBridge could not decrypt them) are skipped, never
        stored. Returns the skipped ids.
        """
        good, skipped = {}, []
        for record_id, values in rows.items():
            try:
                good[record_id] = {n: self.engine.check_storable(n, v) for n, v in values.items()}
            except PlaintextRefused:
                skipped.append(record_id)
        self.store(good)
        return skipped

    def store(self, plaintexts_by_id):
        """Encrypt and store ``{id: {field: plaintext}}``; leave the plaintexts in the cache."""
        if not plaintexts_by_id:
            return
        encrypted = self.engine.encrypt_records(plaintexts_by_id)
        ids = list(plaintexts_by_id)
        columns = []
        for vals in encrypted.values():
            columns.extend(c for c in vals if c not in columns)
        for column in columns:
            target = [rid for rid in ids if column in encrypted[rid]]
            self.port.set_dirty(target, column, [encrypted[rid][column] for rid in target])
        # Write the ciphertexts (and recompute what depends on them, which sees ciphertext)
        # before the plaintexts go back in the cache, where they are never flushed.
        self.port.flush()
        known = self.port.known_plaintexts()
        for name in self.config.fields:
            target = [rid for rid in ids if name in plaintexts_by_id[rid]]
            if not target:
                continue
            values = [plaintexts_by_id[rid][name] or False for rid in target]
            self.port.set_clean(target, name, values)
            for rid, value in zip(target, values):
                ciphertext = encrypted[rid].get(name)
                if is_ciphertext(ciphertext):
                    known[ciphertext] = value

    # ------------------------------------------------------------------ read

    def after_fetch(self, ids, field_names, may_decrypt=True):
        """Replace freshly fetched ciphertexts in the cache by plaintexts (or placeholders).

        ONE ``decrypt_data`` call for all records and fields of the fetch. Values with a
        pending update (dirty) are left alone. Returns ``(cells decrypted, failure)`` where
        ``failure`` is the KeyBridgeError that made every cell a placeholder, or None.
        """
        names = [f for f in self.config.fields if f in field_names]
        if not names or not ids:
            return 0, None
        cells, targets = [], []
        for name in names:
            dirty = self.port.dirty_ids(name)
            for rid, value in zip(ids, self.port.cached(ids, name)):
                if value is MISSING or rid in dirty or not is_ciphertext(value):
                    continue
                cells.append((rid, name, value))
                targets.append((rid, name))
        if not cells:
            return 0, None
        failure = None
        try:
            values, known = self.engine.decrypt_cells(cells, may_decrypt=may_decrypt)
        except Exception as error:  # a KeyBridgeError: the whole call failed (network, auth, ...)
            if not hasattr(error, "name"):
                raise
            # Degrade to placeholders rather than break every screen that shows a partner
            # (the caller logs ``failure``); writes still fail loudly.
            failure = error
            values, known = self.engine.unavailable(cells), {}
        self.port.known_plaintexts().update(known)
        by_field = {}
        for (rid, name), value in zip(targets, values):
            by_field.setdefault(name, ([], []))
            by_field[name][0].append(rid)
            by_field[name][1].append(value)
        for name, (rids, vals) in by_field.items():
            self.port.set_clean(rids, name, vals)
        return len(cells), failure
