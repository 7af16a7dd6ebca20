# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rewrite Odoo search domains so that encrypted identifiers are found through their blind index.

``[('kb_national_id', '=', 'AB-123')]`` becomes ``[('kb_national_id_bidx', '=', <token>)]``: the
database compares deterministic HMAC tokens and nothing is decrypted. All the values of a
domain are turned into tokens with one ``blind_index`` call per normalisation.

Only exact matches are possible. ``=``, ``in`` and the ``like`` family are rewritten to token
equality (a ``like`` on an encrypted identifier means "this identifier"), their negations to
token inequality; empty values keep their meaning (``('x', '=', False)`` finds records without
a value). Plain Python, no Odoo imports.
"""

from .encrypted_fields import is_empty

POSITIVE = {"=", "in", "like", "ilike", "=like", "=ilike"}
NEGATIVE = {"!=", "not in", "not like", "not ilike"}


class UnsupportedSearch(ValueError):
    """An operator that cannot work on a blind index (e.g. ``<`` on an encrypted field)."""


def _is_leaf(element):
    return isinstance(element, (list, tuple)) and len(element) == 3 and isinstance(element[0], str)


def rewrite_domain(domain, specs, tokens_for):
    """Return ``domain`` with the leaves on blind-indexed fields rewritten.

    :param specs: ``{field: BlindIndexSpec}`` of the searchable encrypted fields
    :param tokens_for: ``callable(list of (normalize, value)) -> list of tokens`` (one call)
    """
    if not specs or not domain:
        return domain
    plan = []  # (index in domain, spec, operator, values, positive, was_list)
    for index, element in enumerate(domain):
        if not _is_leaf(element):
            continue
        name, operator, value = element
        spec = specs.get(name)
        if spec is None:
            continue
        operator = operator.lower() if isinstance(operator, str) else operator
        if operator not in POSITIVE and operator not in NEGATIVE:
            raise UnsupportedSearch(
                f"'{name}' is encrypted: only exact-match search (=, !=, in, not in) is possible, not {operator!r}"
            )
        was_list = isinstance(value, (list, tuple, set, frozenset))
        values = list(value) if was_list else [value]
        plan.append((index, spec, operator, values, operator in POSITIVE, was_list))
    if not plan:
        return domain

    wanted = [(spec.normalize, v) for _i, spec, _op, values, _pos, _l in plan for v in values if not is_empty(v)]
    tokens = iter(tokens_for(wanted) if wanted else [])

    rewritten = list(domain)
    for index, spec, _operator, values, positive, was_list in plan:
        mapped = [False if is_empty(v) else next(tokens) for v in values]
        if was_list or len(mapped) != 1:
            leaf = (spec.column, "in" if positive else "not in", mapped)
        else:
            leaf = (spec.column, "=" if positive else "!=", mapped[0])
        rewritten[index] = leaf
    return rewritten
