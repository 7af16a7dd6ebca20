# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Field-level encryption planning, in plain Python (no Odoo imports).

Given which fields of a model are encrypted, this module decides what to send to KeyBridge and
what to put back: every (record, field) value gets its own ciphertext bound to the context
``{"model", "field", "id"}``, a whole batch of values is encrypted with ONE ``encrypt_data``
call and decrypted with ONE ``decrypt_data`` call, and blind-index tokens are computed with one
``blind_index`` call per normalisation.

The ``crypto`` object is a :class:`~client.keybridge_client.KeyBridgeClient` (or anything with
its ``encrypt_many``, ``decrypt_many`` and ``blind_index`` methods).
"""

from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Tuple

CIPHERTEXT_PREFIX = "kb:"

# Shown instead of the plaintext; never stored (see EncryptionEngine.check_storable).
HIDDEN_PLACEHOLDER = "\U0001f512 encrypted"
UNAVAILABLE_PLACEHOLDER = "\u26a0 KeyBridge unavailable"
UNDECRYPTABLE_PLACEHOLDER = "\u26a0 cannot decrypt"
# Put in an encrypted column by create() until the record id is known and the real ciphertext
# replaces it (in the same transaction).
PENDING_PLACEHOLDER = "\U0001f512 pending"


class PlaintextRefused(ValueError):
    """A value that must not be stored (a placeholder or a foreign ciphertext)."""

    def __init__(self, field_name, reason):
        super().__init__(f"{field_name}: {reason}")
        self.field_name = field_name
        self.reason = reason


ELIGIBLE_TYPES = ("char", "text")


def field_refusal(field_type, store, computed, translated, is_token_column=False):
    """Why a field cannot be encrypted in place, or None when it can.

    The column must hold text (the ``kb:`` form is ASCII), be written by create/write (not
    computed or related), and hold one value per record (not per language).
    """
    if field_type not in ELIGIBLE_TYPES or not store:
        return "only stored Char and Text fields can be encrypted"
    if computed:
        return "computed and related fields cannot be encrypted"
    if translated:
        return "translated fields cannot be encrypted"
    if is_token_column:
        return "search-token fields cannot be encrypted"
    return None


def is_ciphertext(value):
    return isinstance(value, str) and value.startswith(CIPHERTEXT_PREFIX)


def is_empty(value):
    """Odoo's empty values for Char/Text fields: False, None and ''."""
    return value is False or value is None or value == ""


def record_context(model, field_name, record_id):
    """The context every per-record ciphertext is bound to (SPEC §8 convention)."""
    return {"model": model, "field": field_name, "id": int(record_id)}


@dataclass(frozen=True)
class BlindIndexSpec:
    """A stored token column for exact-match search on an encrypted field."""

    column: str
    normalize: str = "none"


@dataclass(frozen=True)
class EncryptionConfig:
    model: str
    fields: Tuple[str, ...]
    key: Optional[str] = None
    blind_index_key: Optional[str] = None
    # source field -> its token column; only used for fields that are also in ``fields``
    blind_indexes: Mapping[str, BlindIndexSpec] = field(default_factory=dict)
    placeholders: Tuple[str, ...] = (
        HIDDEN_PLACEHOLDER,
        UNAVAILABLE_PLACEHOLDER,
        UNDECRYPTABLE_PLACEHOLDER,
        PENDING_PLACEHOLDER,
    )

    @property
    def active_blind_indexes(self) -> Dict[str, BlindIndexSpec]:
        if not self.blind_index_key:
            return {}
        return {f: spec for f, spec in self.blind_indexes.items() if f in self.fields}

    def touched(self, vals):
        """The encrypted fields present in a values dict, in configuration order."""
        return [f for f in self.fields if f in vals]


class EncryptionEngine:
    """Batches encryption, decryption and blind-index calls for one model."""

    def __init__(self, config: EncryptionConfig, crypto):
        self.config = config
        self.crypto = crypto

    # ------------------------------------------------------------------ guards

    def check_storable(self, field_name, value, known_plaintexts=None):
        """Return the plaintext to store for ``value``, or raise :class:`PlaintextRefused`.

        A placeholder is refused: storing it would replace real data by the text a user without
        the decrypt permission saw. A ciphertext is accepted only when this transaction produced
        or decrypted it (``known_plaintexts``: ciphertext -> plaintext), e.g. a value copied from
        a record's cache by code that ran between the write and the flush; otherwise it belongs
        to another record (its context does not match) and is refused.
        """
        if is_empty(value):
            return False
        if not isinstance(value, str):
            raise PlaintextRefused(field_name, f"expected text, got {type(value).__name__}")
        if value in self.config.placeholders:
            raise PlaintextRefused(field_name, "refusing to store a placeholder in place of the real value")
        if is_ciphertext(value):
            if known_plaintexts and value in known_plaintexts:
                return known_plaintexts[value]
            raise PlaintextRefused(
                field_name,
                "refusing to store a ciphertext of another record: "
                "ciphertexts are bound to their record and cannot be copied",
            )
        return value

    # ------------------------------------------------------------------ encryption

    def encrypt_records(self, plaintexts_by_id):
        """Encrypt the values of several records.

        :param plaintexts_by_id: ``{record_id: {field: plaintext or False}}``
        :return: ``{record_id: {field: ciphertext or False, token_column: token or False}}``

        Makes ONE ``encrypt_data`` call for every non-empty value, plus one ``blind_index`` call
        per normalisation used by the touched blind-indexed fields. Raises the
        ``KeyBridgeError`` of the first item that failed: a write is all or nothing.
        """
        model, key = self.config.model, self.config.key
        cells = []  # (record_id, field, plaintext)
        out = {}
        for record_id, values in plaintexts_by_id.items():
            out[record_id] = {}
            for name, plaintext in values.items():
                if is_empty(plaintext):
                    out[record_id][name] = False
                else:
                    cells.append((record_id, name, plaintext))
        if cells:
            items = [{"text": p, "context": record_context(model, f, rid)} for rid, f, p in cells]
            results = self.crypto.encrypt_many(items, key=key)
            for (record_id, name, _plaintext), result in zip(cells, results):
                if isinstance(result, Exception):
                    raise result
                out[record_id][name] = result
        for record_id, tokens in self.blind_tokens_for_records(plaintexts_by_id).items():
            out[record_id].update(tokens)
        return out

    def blind_tokens_for_records(self, plaintexts_by_id):
        """``{record_id: {token_column: token or False}}`` for the blind-indexed fields touched."""
        specs = self.config.active_blind_indexes
        wanted = []  # (record_id, spec, value)
        out = {}
        for record_id, values in plaintexts_by_id.items():
            for name, plaintext in values.items():
                spec = specs.get(name)
                if spec is None:
                    continue
                if is_empty(plaintext):
                    out.setdefault(record_id, {})[spec.column] = False
                else:
                    wanted.append((record_id, spec, plaintext))
        tokens = self.tokens([(spec.normalize, value) for _rid, spec, value in wanted])
        for (record_id, spec, _value), token in zip(wanted, tokens):
            out.setdefault(record_id, {})[spec.column] = token
        return out

    def tokens(self, normalize_value_pairs):
        """Tokens in input order; one ``blind_index`` call per distinct normalisation."""
        by_norm = {}
        for index, (normalize, value) in enumerate(normalize_value_pairs):
            by_norm.setdefault(normalize, []).append((index, value))
        tokens = [None] * len(normalize_value_pairs)
        for normalize, entries in by_norm.items():
            result = self.crypto.blind_index(
                self.config.blind_index_key, [v for _i, v in entries], normalize=normalize
            )
            for (index, _value), token in zip(entries, result):
                tokens[index] = token
        return tokens

    # ------------------------------------------------------------------ decryption

    def decrypt_cells(self, cells, may_decrypt=True):
        """Plaintexts for cached column values.

        :param cells: list of ``(record_id, field, value)`` where value is what the database
            holds: a ciphertext, an empty value, or legacy plaintext written before encryption
            was enabled (returned unchanged)
        :param may_decrypt: False for users without the decrypt permission: ciphertexts become
            the hidden placeholder and KeyBridge is not called
        :return: ``(values, known)``: the value to show for each cell, in order, and
            ``{ciphertext: plaintext}`` for the ciphertexts decrypted

        Makes at most ONE ``decrypt_data`` call, whatever the number of records and fields. An
        item that fails (tampered, swapped between records, key revoked) shows the
        "cannot decrypt" placeholder; other items are unaffected.
        """
        values = [value for _rid, _f, value in cells]
        pending = [i for i, (_rid, _f, value) in enumerate(cells) if is_ciphertext(value)]
        known = {}
        if not pending:
            return values, known
        if not may_decrypt:
            for i in pending:
                values[i] = HIDDEN_PLACEHOLDER
            return values, known
        model = self.config.model
        items = [
            {"ciphertext": cells[i][2], "context": record_context(model, cells[i][1], cells[i][0])} for i in pending
        ]
        results = self.crypto.decrypt_many(items)
        for i, result in zip(pending, results):
            if isinstance(result, Exception):
                values[i] = UNDECRYPTABLE_PLACEHOLDER
            elif isinstance(result, bytes):
                values[i] = result.decode("utf-8", "replace")
                known[cells[i][2]] = values[i]
            else:
                values[i] = result
                known[cells[i][2]] = result
        return values, known

    def unavailable(self, cells):
        """What to show when KeyBridge cannot be reached: ciphertexts become a placeholder."""
        return [UNAVAILABLE_PLACEHOLDER if is_ciphertext(v) else v for _rid, _f, v in cells]
