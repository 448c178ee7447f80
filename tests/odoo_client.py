"""A small JSON-RPC client for Odoo's ``/jsonrpc`` endpoint (system tests)."""

import itertools

import requests

ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin"


class RPCError(Exception):
    """An error answered by Odoo's JSON-RPC endpoint."""

    def __init__(self, error):
        self.error = error
        data = error.get("data") or {}
        self.name = data.get("name", "")
        self.debug = data.get("debug", "")
        super().__init__(data.get("message") or error.get("message") or str(error))


class OdooClient:
    """A small JSON-RPC client for ``/jsonrpc`` (services ``common`` and ``object``)."""

    def __init__(self, url, db, timeout=60):
        self.url = url.rstrip("/")
        self.db = db
        self.timeout = timeout
        self.uid = None
        self.password = None
        self.session = requests.Session()
        self._ids = itertools.count(1)

    def call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": next(self._ids),
        }
        response = self.session.post(
            f"{self.url}/jsonrpc", json=payload, timeout=self.timeout
        )
        response.raise_for_status()
        answer = response.json()
        if answer.get("error"):
            raise RPCError(answer["error"])
        return answer["result"]

    def version(self):
        return self.call("common", "version")

    def authenticate(self, login, password):
        """Return the uid, or False when the credentials are refused."""
        return self.call("common", "authenticate", self.db, login, password, {})

    def login(self, login=ADMIN_LOGIN, password=ADMIN_PASSWORD):
        uid = self.authenticate(login, password)
        if not uid:
            raise RPCError({"message": f"login {login!r} refused on {self.db!r}"})
        self.uid, self.password = uid, password
        return uid

    def execute_kw(self, model, method, args=(), kwargs=None):
        assert self.uid, "call login() first"
        return self.call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs or {},
        )

    # Shortcuts for the calls tests make all the time.
    def search_read(self, model, domain=(), fields=(), **kwargs):
        kwargs.setdefault("fields", list(fields))
        return self.execute_kw(model, "search_read", [list(domain)], kwargs)

    def search_count(self, model, domain=()):
        return self.execute_kw(model, "search_count", [list(domain)])

    def create(self, model, values):
        return self.execute_kw(model, "create", [values])

    def read(self, model, ids, fields=()):
        return self.execute_kw(model, "read", [ids], {"fields": list(fields)})

    def write(self, model, ids, values):
        return self.execute_kw(model, "write", [ids, values])

    def unlink(self, model, ids):
        return self.execute_kw(model, "unlink", [ids])
