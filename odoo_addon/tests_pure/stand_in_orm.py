"""A stand-in for the few ORM calls ``logic.orm_flow`` makes (its "port").

It keeps a ``db`` (what PostgreSQL would hold) and a ``cache`` with dirty flags like Odoo's:
``set_dirty`` values reach ``db`` on ``flush``; ``set_clean`` values never do. ``read`` mimics
``fetch``: values missing from the cache are fetched from ``db`` and handed to
``flow.after_fetch`` in ONE batch, as ``_fetch_query`` does. Enough to test the flow's
create/write/read behaviour without Odoo.
"""

import itertools

from logic.encrypted_fields import EncryptionConfig, EncryptionEngine
from logic.orm_flow import MISSING, EncryptedModelFlow


class StandInModel:
    def __init__(self, config: EncryptionConfig, crypto, may_decrypt=True):
        self.engine = EncryptionEngine(config, crypto)
        self.flow = EncryptedModelFlow(self.engine, self)
        self.db = {}  # id -> {column: value}
        self.cache = {}  # (id, field) -> value
        self.dirty = set()  # (id, field)
        self.known = {}
        self.may_decrypt = may_decrypt
        self.flushes = 0
        self.inserted = []  # vals as given to the parent create()
        self._ids = itertools.count(1)

    # ---------------------------------------------------------------- the port

    def insert(self, vals_list):
        ids = []
        for vals in vals_list:
            rid = next(self._ids)
            self.inserted.append(dict(vals))
            self.db[rid] = dict(vals)
            for name, value in vals.items():
                self.cache[(rid, name)] = value
            ids.append(rid)
        return ids

    def write(self, ids, vals):
        for rid in ids:
            for name, value in vals.items():
                self.cache[(rid, name)] = value
                self.dirty.add((rid, name))

    def set_dirty(self, ids, name, values):
        for rid, value in zip(ids, values):
            self.cache[(rid, name)] = value
            self.dirty.add((rid, name))

    def flush(self):
        self.flushes += 1
        for rid, name in sorted(self.dirty):
            self.db[rid][name] = self.cache[(rid, name)]
        self.dirty.clear()

    def set_clean(self, ids, name, values):
        for rid, value in zip(ids, values):
            assert (rid, name) not in self.dirty, "a clean value would hide a pending update"
            self.cache[(rid, name)] = value

    def cached(self, ids, name):
        return [self.cache.get((rid, name), MISSING) for rid in ids]

    def dirty_ids(self, name):
        return {rid for rid, n in self.dirty if n == name}

    def known_plaintexts(self):
        return self.known

    # ---------------------------------------------------------------- what Odoo's API does

    def create(self, vals_list):
        return self.flow.create(vals_list)

    def write_records(self, ids, vals):
        self.flow.write(ids, vals)

    def invalidate(self):
        self.flush()
        self.cache.clear()

    def read(self, ids, names):
        """Like ``records.read(names)``: fetch what is missing in one go, then return values."""
        missing = [rid for rid in ids if any((rid, n) not in self.cache for n in names)]
        if missing:
            for rid in missing:
                for name in names:
                    self.cache.setdefault((rid, name), self.db[rid].get(name, False))
            self.flow.after_fetch(missing, set(names), may_decrypt=self.may_decrypt)
        return [{"id": rid, **{n: self.cache[(rid, n)] for n in names}} for rid in ids]
