"""The server answers, admin can log in, the addon is installed and usable over RPC."""

import os

import pytest
from odoo_client import ADMIN_LOGIN, ADMIN_PASSWORD, OdooClient, RPCError

MODULE = os.environ.get("TBB_MODULE", "time_billing_bridge")
PUBLIC_MODELS = [
    "time.billing.backend",
    "time.billing.sync.run",
    "time.billing.entry",
    "time.billing.mapping",
    "time.billing.contract",
    "time.billing.rate.rule",
]
needs_addon = pytest.mark.skipif(
    MODULE != "time_billing_bridge",
    reason=f"TBB_MODULE={MODULE}: only the harness is being tried",
)


def test_login_page_answers(http, base_url, odoo_db):
    response = http.get(f"{base_url}/web/login", params={"db": odoo_db}, timeout=30)
    assert response.status_code == 200
    assert 'name="login"' in response.text


def test_server_is_odoo_19(anonymous_rpc):
    version = anonymous_rpc.version()
    assert version["server_serie"] == "19.0"
    assert version["protocol_version"] == 1


def test_admin_logs_in_over_rpc(anonymous_rpc):
    uid = anonymous_rpc.login(ADMIN_LOGIN, ADMIN_PASSWORD)
    assert isinstance(uid, int) and uid > 0
    [user] = anonymous_rpc.read("res.users", [uid], ["login"])
    assert user["login"] == ADMIN_LOGIN


def test_wrong_password_is_refused(anonymous_rpc):
    assert anonymous_rpc.authenticate(ADMIN_LOGIN, "not-the-password") is False


def test_addon_is_installed(rpc):
    modules = rpc.search_read(
        "ir.module.module", [("name", "=", MODULE)], ["name", "state"]
    )
    assert [m["state"] for m in modules] == ["installed"]


@needs_addon
def test_public_models_exist(rpc):
    models = rpc.search_read("ir.model", [("model", "in", PUBLIC_MODELS)], ["model"])
    assert sorted(m["model"] for m in models) == sorted(PUBLIC_MODELS)


@needs_addon
def test_backend_round_trip_over_rpc(rpc):
    token = "system-test-token-0123456789"
    backend_id = rpc.create(
        "time.billing.backend",
        {"name": "System test CSV", "provider": "csv", "api_token": token},
    )
    try:
        [backend] = rpc.read(
            "time.billing.backend",
            [backend_id],
            ["name", "provider", "api_token", "active"],
        )
        assert backend["name"] == "System test CSV"
        assert backend["provider"] == "csv"
        assert backend["active"] is True
        # admin is a manager of the addon: secrets are readable for managers.
        assert backend["api_token"] == token
        found = rpc.search_read(
            "time.billing.backend",
            [("id", "=", backend_id), ("provider", "=", "csv")],
            ["id"],
        )
        assert [b["id"] for b in found] == [backend_id]
    finally:
        rpc.unlink("time.billing.backend", [backend_id])
    assert rpc.search_count("time.billing.backend", [("id", "=", backend_id)]) == 0


def test_rpc_without_login_is_refused(odoo_server):
    client = OdooClient(odoo_server.url, odoo_server.db)
    client.uid, client.password = 2, "wrong-password"
    with pytest.raises(RPCError) as info:
        client.search_read("res.partner", [], ["name"], limit=1)
    assert "AccessDenied" in info.value.name or "Access" in str(info.value)
