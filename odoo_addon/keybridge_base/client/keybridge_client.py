# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""KeyBridge JSON-RPC client in plain Python (standard library only, no Odoo imports).

It fetches an OAuth2 client-credentials token and caches it until shortly before it expires,
sends JSON-RPC 2.0 calls (single and batch), retries transient failures with exponential
back-off, re-authenticates once when the server answers 401 ``authentication_failed``, and
raises every error as :class:`KeyBridgeError` carrying KeyBridge's stable error name.

The Odoo addon wraps it (``keybridge.backend``); the tests in ``odoo_addon/tests_pure`` run it
against a real KeyBridge server.
"""

import base64
import itertools
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = [
    "KeyBridgeClient",
    "KeyBridgeError",
    "b64url_decode",
    "b64url_encode",
]

# Names KeyBridge (or this client) gives to failures that a later attempt may not see.
TRANSIENT_ERROR_NAMES = frozenset({"storage_unavailable", "hsm_unavailable", "kek_unavailable"})
TRANSIENT_HTTP_STATUSES = frozenset({502, 503, 504})

# JSON-RPC's reserved codes, for error objects that come without data.name (e.g. from a proxy).
_RESERVED_CODE_NAMES = {
    -32700: "parse_error",
    -32600: "invalid_request",
    -32601: "method_not_found",
    -32602: "invalid_params",
    -32603: "internal_error",
}


class KeyBridgeError(Exception):
    """A failed KeyBridge call: ``name`` is the stable symbolic name (``error.data.name``).

    Client-side failures use their own names: ``connection_failed`` (network or timeout after
    the retries), ``http_error`` (an HTTP status without a JSON-RPC body), ``invalid_response``
    (a body that is not what the protocol promises), and the RFC 6749 names of the token
    endpoint (``invalid_client``, ...).
    """

    def __init__(self, name, message, code=None, data=None):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message
        self.code = code
        self.data = data or {}

    @property
    def transient(self):
        return self.name in TRANSIENT_ERROR_NAMES or self.name == "connection_failed" or (
            self.name == "http_error" and self.data.get("status") in TRANSIENT_HTTP_STATUSES
        )

    @classmethod
    def from_error_object(cls, error):
        """Build from a JSON-RPC error object ``{"code", "message", "data": {"name"}}``."""
        if not isinstance(error, dict):
            return cls("invalid_response", "malformed error object")
        data = error.get("data") if isinstance(error.get("data"), dict) else {}
        code = error.get("code")
        name = data.get("name") or _RESERVED_CODE_NAMES.get(code) or "unknown_error"
        return cls(name, str(error.get("message") or name), code, data)


def b64url_encode(data):
    """Base64url without padding, as KeyBridge produces it."""
    return base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    """Decode base64url with or without padding."""
    if isinstance(text, str):
        text = text.encode("ascii")
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


class _HttpResponse:
    __slots__ = ("status", "body")

    def __init__(self, status, body):
        self.status = status
        self.body = body


def urllib_transport(url, body, headers, timeout):
    """POST ``body`` and return the status and body, for 4xx/5xx answers too.

    Raises ``OSError`` (``URLError``, ``socket.timeout``, ``ConnectionError``) when no answer
    arrives. Replaceable (``KeyBridgeClient(transport=...)``) so tests can inject failures.
    """
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
            return _HttpResponse(response.status, response.read())
    except urllib.error.HTTPError as e:
        with e:
            return _HttpResponse(e.code, e.read())


class KeyBridgeClient:
    """Thread-safe client for one KeyBridge server and one OAuth client.

    :param url: base URL of KeyBridge, e.g. ``http://keybridge:8080``
    :param timeout: seconds for each HTTP request (connect and read)
    :param retries: extra attempts after a transient failure
    :param backoff: seconds before the first retry; doubled for each further retry
    :param token_margin: seconds before ``exp`` at which a cached token is renewed
    :param clock: monotonic clock (seconds), replaceable in tests
    """

    def __init__(
        self,
        url,
        client_id,
        client_secret,
        timeout=10.0,
        retries=2,
        backoff=0.2,
        token_margin=30.0,
        transport=None,
        clock=time.monotonic,
        sleep=time.sleep,
    ):
        if not url:
            raise KeyBridgeError("not_configured", "the KeyBridge URL is not set")
        if not client_id or not client_secret:
            raise KeyBridgeError("not_configured", "the KeyBridge client id or secret is not set")
        self.url = url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.token_margin = float(token_margin)
        self._transport = transport or urllib_transport
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._token = None
        self._token_expires_at = 0.0
        self._ids = itertools.count(1)
        # Counters for monitoring and tests: HTTP requests sent, by endpoint.
        self.stats = {"token": 0, "jsonrpc": 0}

    def __repr__(self):
        # Never show the secret or the token.
        return f"<KeyBridgeClient {self.url} client_id={self.client_id!r}>"

    # ------------------------------------------------------------------ tokens

    def token(self):
        """A valid access token, fetched when none is cached or the cached one is about to expire."""
        with self._lock:
            if self._token and self._clock() < self._token_expires_at:
                return self._token
            token, lifetime = self._fetch_token()
            margin = min(self.token_margin, lifetime / 10.0)
            self._token = token
            self._token_expires_at = self._clock() + lifetime - margin
            return token

    def forget_token(self, token=None):
        """Drop the cached token (only if it is still ``token``, when given)."""
        with self._lock:
            if token is None or self._token == token:
                self._token = None
                self._token_expires_at = 0.0

    def _fetch_token(self):
        body = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._client_secret,
            }
        ).encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        response = self._send(self.url + "/oauth/token", body, headers, "token")
        payload = _parse_json(response.body)
        if response.status != 200:
            if isinstance(payload, dict) and payload.get("error"):
                raise KeyBridgeError(
                    str(payload["error"]),
                    str(payload.get("error_description") or "token request refused"),
                    data={"status": response.status},
                )
            raise KeyBridgeError(
                "http_error", f"token endpoint answered HTTP {response.status}", data={"status": response.status}
            )
        if not isinstance(payload, dict) or not isinstance(payload.get("access_token"), str):
            raise KeyBridgeError("invalid_response", "the token endpoint returned no access_token")
        try:
            lifetime = float(payload.get("expires_in", 300))
        except (TypeError, ValueError):
            lifetime = 300.0
        return payload["access_token"], max(lifetime, 1.0)

    # ------------------------------------------------------------------ transport

    def _send(self, url, body, headers, kind):
        """One HTTP POST with retries on connection failures and 502/503/504."""
        attempt = 0
        while True:
            self.stats[kind] += 1
            try:
                response = self._transport(url, body, headers, self.timeout)
            except (OSError, socket.timeout) as e:
                error = KeyBridgeError("connection_failed", f"cannot reach KeyBridge at {self.url}: {_describe(e)}")
            else:
                if response.status not in TRANSIENT_HTTP_STATUSES:
                    return response
                error = KeyBridgeError(
                    "http_error", f"KeyBridge answered HTTP {response.status}", data={"status": response.status}
                )
                parsed = _parse_json(response.body)
                if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
                    error = KeyBridgeError.from_error_object(parsed["error"])
                    error.data.setdefault("status", response.status)
            if attempt >= self.retries:
                raise error
            self._sleep(self.backoff * (2**attempt))
            attempt += 1

    def _post_jsonrpc(self, payload):
        """POST a JSON-RPC body; re-authenticate once on 401; retry transient error answers."""
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        reauthenticated = False
        attempt = 0
        while True:
            token = self.token()
            headers = {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": "Bearer " + token,
            }
            response = self._send(self.url + "/jsonrpc", body, headers, "jsonrpc")
            if response.status == 204:
                return None
            parsed = _parse_json(response.body)
            if response.status == 401:
                error = _single_error(parsed) or KeyBridgeError("authentication_failed", "HTTP 401", 1001)
                if error.name == "authentication_failed" and not reauthenticated:
                    # The token may have been revoked or signed by a key the server no longer has:
                    # fetch a new one, once.
                    self.forget_token(token)
                    reauthenticated = True
                    continue
                raise error
            if parsed is None:
                raise KeyBridgeError(
                    "http_error" if response.status != 200 else "invalid_response",
                    f"KeyBridge answered HTTP {response.status} without a JSON body",
                    data={"status": response.status},
                )
            error = _single_error(parsed)
            if error is not None and error.transient and attempt < self.retries:
                self._sleep(self.backoff * (2**attempt))
                attempt += 1
                continue
            if response.status != 200 and error is None:
                raise KeyBridgeError(
                    "http_error", f"KeyBridge answered HTTP {response.status}", data={"status": response.status}
                )
            return parsed

    # ------------------------------------------------------------------ JSON-RPC

    def call(self, method, params=None):
        """Call one method with by-name ``params``; return its result or raise KeyBridgeError."""
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method}
        if params is not None:
            request["params"] = params
        response = self._post_jsonrpc(request)
        if not isinstance(response, dict):
            raise KeyBridgeError("invalid_response", "expected a JSON-RPC response object")
        if "error" in response:
            raise KeyBridgeError.from_error_object(response["error"])
        if "result" not in response:
            raise KeyBridgeError("invalid_response", "the response has neither result nor error")
        return response["result"]

    def call_batch(self, calls):
        """Send several calls as one JSON-RPC batch.

        :param calls: iterable of ``(method, params)``
        :return: a list in the same order; each entry is the result or a :class:`KeyBridgeError`
        """
        requests = []
        for method, params in calls:
            request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method}
            if params is not None:
                request["params"] = params
            requests.append(request)
        if not requests:
            return []
        response = self._post_jsonrpc(requests)
        if isinstance(response, dict) and "error" in response:
            # The whole batch was refused (e.g. batch_too_large).
            raise KeyBridgeError.from_error_object(response["error"])
        if not isinstance(response, list):
            raise KeyBridgeError("invalid_response", "expected a JSON-RPC batch response")
        by_id = {r.get("id"): r for r in response if isinstance(r, dict)}
        results = []
        for request in requests:
            r = by_id.get(request["id"])
            if r is None:
                results.append(KeyBridgeError("invalid_response", f"no response for request {request['id']}"))
            elif "error" in r:
                results.append(KeyBridgeError.from_error_object(r["error"]))
            else:
                results.append(r.get("result"))
        return results

    def call_items(self, method, items, **common):
        """Call a data method in its batch form (``items``); return one entry per item, in order:
        the item's result, or a :class:`KeyBridgeError` for an item that failed.

        An empty ``items`` list makes no request.
        """
        items = list(items)
        if not items:
            return []
        params = {k: v for k, v in common.items() if v is not None}
        params["items"] = items
        result = self.call(method, params)
        entries = result.get("items") if isinstance(result, dict) else None
        if not isinstance(entries, list) or len(entries) != len(items):
            raise KeyBridgeError("invalid_response", f"{method} returned {len(entries or [])} items for {len(items)}")
        return [
            KeyBridgeError.from_error_object(e["error"]) if isinstance(e, dict) and "error" in e else e
            for e in entries
        ]

    # ------------------------------------------------------------------ data methods

    def encrypt_text(self, text, context=None, key=None):
        """Encrypt a UTF-8 string; return the ``kb:...`` ciphertext."""
        return self.call("encrypt_data", _drop_none({"text": text, "context": context, "key": key}))["ciphertext"]

    def encrypt_bytes(self, data, context=None, key=None):
        """Encrypt bytes (sent as base64url ``data``); return the ``kb:...`` ciphertext."""
        params = {"data": b64url_encode(data), "context": context, "key": key}
        return self.call("encrypt_data", _drop_none(params))["ciphertext"]

    def decrypt_text(self, ciphertext, context=None):
        """Decrypt to a string (the plaintext must be UTF-8)."""
        result = self.call("decrypt_data", _drop_none({"ciphertext": ciphertext, "context": context}))
        if result.get("text") is None:
            raise KeyBridgeError("invalid_response", "the plaintext is not UTF-8 text; use decrypt_bytes")
        return result["text"]

    def decrypt_bytes(self, ciphertext, context=None):
        result = self.call("decrypt_data", _drop_none({"ciphertext": ciphertext, "context": context}))
        return b64url_decode(result["data"])

    def encrypt_many(self, items, key=None):
        """Encrypt many values in ONE request.

        :param items: dicts with ``text`` (or ``data`` base64url) and optional ``context``/``key``
        :return: per item, the ciphertext string or a :class:`KeyBridgeError`
        """
        results = self.call_items("encrypt_data", [_drop_none(i) for i in items], key=key)
        return [r if isinstance(r, KeyBridgeError) else r["ciphertext"] for r in results]

    def decrypt_many(self, items):
        """Decrypt many ciphertexts in ONE request.

        :param items: dicts with ``ciphertext`` and optional ``context``
        :return: per item, the text (or the bytes when not UTF-8) or a :class:`KeyBridgeError`
        """
        results = self.call_items("decrypt_data", [_drop_none(i) for i in items])
        out = []
        for r in results:
            if isinstance(r, KeyBridgeError):
                out.append(r)
            elif r.get("text") is not None:
                out.append(r["text"])
            else:
                out.append(b64url_decode(r["data"]))
        return out

    def blind_index(self, key, values, normalize=None):
        """Deterministic tokens for exact-match search, one per value, in ONE request."""
        values = list(values)
        if not values:
            return []
        result = self.call("blind_index", _drop_none({"key": key, "values": values, "normalize": normalize}))
        tokens = result.get("tokens")
        if not isinstance(tokens, list) or len(tokens) != len(values):
            raise KeyBridgeError("invalid_response", "blind_index returned the wrong number of tokens")
        return tokens

    def random_bytes(self, length=32):
        return b64url_decode(self.call("random_bytes", {"length": length})["data"])

    def create_key(self, name, key_type, **policy):
        """``key.create``; returns the key metadata."""
        return self.call("key.create", _drop_none({"name": name, "type": key_type, **policy}))

    def discover(self):
        """The OpenRPC document (``rpc.discover``): a cheap authenticated round trip."""
        return self.call("rpc.discover")

    # ------------------------------------------------------------------ signing and vouchers

    def jwt_sign(
        self,
        payload,
        key=None,
        algorithm=None,
        include_payload=True,
        include_certificate=False,
        include_cert_hash=False,
        certificate_url=None,
    ):
        """Sign a JSON object (dict) or bytes (sent base64url) as a compact JWS; return it."""
        if isinstance(payload, dict):
            wire_payload = payload
        elif isinstance(payload, (bytes, bytearray, memoryview)):
            wire_payload = b64url_encode(payload)
        elif isinstance(payload, str):
            wire_payload = b64url_encode(payload.encode("utf-8"))
        else:
            raise TypeError("payload must be a dict, bytes or str")
        params = {
            "payload": wire_payload,
            "key": key,
            "algorithm": algorithm,
            "include_payload": bool(include_payload),
            "include_certificate": bool(include_certificate),
            "include_cert_hash": bool(include_cert_hash),
            "certificate_url": certificate_url,
        }
        return self.call("jwt_sign", _drop_none(params))["jwt"]

    def jwt_verify(self, token, payload=None, key=None):
        """Verify a JWS; return the full result (``valid``, ``claims``, ``kid``, ``reason``)."""
        if isinstance(payload, (bytes, bytearray, memoryview)):
            payload = b64url_encode(payload)
        return self.call("jwt_verify", _drop_none({"jwt": token, "payload": payload, "key": key}))

    def get_jwks(self, keys=None):
        return self.call("get_jwks", _drop_none({"keys": list(keys) if keys else None}))

    def voucher_issue(
        self,
        program,
        beneficiary,
        amount,
        currency,
        valid_until,
        valid_from=None,
        key=None,
        idempotency_key=None,
        qr=None,
    ):
        """``voucher.issue``: returns ``voucher_id``, ``token`` and, when ``qr`` is asked, ``qr`` (base64).

        ``amount`` must be a decimal string (``"12.50"``), never a float; ``valid_until`` and
        ``valid_from`` are RFC 3339 strings.
        """
        if not isinstance(amount, str):
            raise TypeError("amount must be a decimal string such as '12.50'")
        params = {
            "program": program,
            "beneficiary": beneficiary,
            "amount": amount,
            "currency": currency,
            "valid_until": valid_until,
            "valid_from": valid_from,
            "key": key,
            "idempotency_key": idempotency_key,
            "qr": qr,
        }
        return self.call("voucher.issue", _drop_none(params))


def _drop_none(params):
    return {k: v for k, v in params.items() if v is not None}


def _parse_json(body):
    if not body:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _single_error(parsed):
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        return KeyBridgeError.from_error_object(parsed["error"])
    return None


def _describe(error):
    reason = getattr(error, "reason", None)
    return str(reason if reason is not None else error) or type(error).__name__
