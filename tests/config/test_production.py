"""A production server (DEBUG off) refuses the repository's public demo values, passes
``check --deploy`` in the README's production environment, serves its static files through
gunicorn, and sends a Content Security Policy that the pages' own scripts satisfy."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from weishang.config import production

BIN = Path(sys.executable).parent
# The README's production environment (values made up for the test).
PRODUCTION = {
    "WEISHANG_SECRET_KEY": "k3P9vQ2xL7mN4tR8wY1zA6cF0hJ5sD3gB7nM2qW9eT4yU8iO1pZ6xC5vL0aS",
    "WEISHANG_FIELD_ENCRYPTION_KEYS": "B-VXn2d0mQGo5bmIqBRYv8Jk5X8Ebu0OP4a7rJ1PLuA=",
    "WEISHANG_SANDBOX_PAY_SECRET": "a-secret-shared-with-nobody",
    "WEISHANG_SMS_SENDER": "weishang.customers.sms.MemorySmsSender",
    "WEISHANG_CACHE_URL": "redis://127.0.0.1:6379/0",
    "WEISHANG_ID_HASH_KEY": "Zr4u8Qm2Xk7pL1sV9cT3yN6bH0wE5jGd",
    "WEISHANG_SITE_URL": "https://shop.example.com",
    "WEISHANG_ALLOWED_HOSTS": "shop.example.com",
    "WEISHANG_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}
REQUIRED = [
    "WEISHANG_SECRET_KEY",
    "WEISHANG_FIELD_ENCRYPTION_KEYS",
    "WEISHANG_SANDBOX_PAY_SECRET",
    "WEISHANG_SMS_SENDER",
    "WEISHANG_CACHE_URL",
    "WEISHANG_ID_HASH_KEY",
    "WEISHANG_SITE_URL",
]


def environment(tmp_path, **values) -> dict[str, str]:
    """This machine's environment without any of the project's settings, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEISHANG_", "DJANGO_"))}
    return {**env, "WEISHANG_VAR_DIR": str(tmp_path), **values}


def run(command, env) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {
            "WEISHANG_SECRET_KEY": production.DEMO_SECRET_KEY,
            "WEISHANG_FIELD_ENCRYPTION_KEYS": f"{PRODUCTION['WEISHANG_FIELD_ENCRYPTION_KEYS']},"
            f"{production.DEMO_FIELD_ENCRYPTION_KEY}",
            "WEISHANG_SANDBOX_PAY_SECRET": production.DEMO_SANDBOX_PAY_SECRET,
            "WEISHANG_SMS_SENDER": production.DEMO_SMS_SENDER,
            "WEISHANG_ID_HASH_KEY": production.DEMO_ID_HASH_KEY,
            "WEISHANG_SITE_URL": production.DEMO_SITE_URL,
        },
    ],
    ids=["unset", "demo-values"],
)
def test_the_wsgi_app_refuses_to_start_without_its_secrets(tmp_path, values):
    result = run(
        [sys.executable, "-c", "import weishang.config.wsgi"], environment(tmp_path, **values)
    )
    assert result.returncode != 0
    assert "Refusing to start with DEBUG off" in result.stderr
    for name in REQUIRED:
        assert f"- {name} is not set" in result.stderr


def test_the_login_page_may_not_show_codes_in_production(tmp_path):
    env = environment(tmp_path, **PRODUCTION, WEISHANG_OTP_SHOW_ON_PAGE="1")
    result = run([str(BIN / "weishang"), "check"], env)
    assert result.returncode != 0
    assert "WEISHANG_OTP_SHOW_ON_PAGE is on" in result.stderr


@pytest.mark.parametrize(
    "site_url",
    ["http://shop.example.com", "shop.example.com", "https://", "ftp://shop.example.com"],
)
def test_share_links_may_not_carry_a_plain_http_address_in_production(tmp_path, site_url):
    env = environment(tmp_path, **{**PRODUCTION, "WEISHANG_SITE_URL": site_url})
    result = run([str(BIN / "weishang"), "check"], env)
    assert result.returncode != 0
    assert "- WEISHANG_SITE_URL is not set or is not an https:// address" in result.stderr


def test_the_demo_runs_on_its_public_values(tmp_path):
    result = run([str(BIN / "weishang"), "check"], environment(tmp_path, WEISHANG_DEBUG="1"))
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_in_the_documented_production_environment(tmp_path):
    result = run(
        [str(BIN / "weishang"), "check", "--deploy", "--fail-level", "WARNING"],
        environment(tmp_path, **PRODUCTION),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Only on the embedded database (not production's) are three notes silenced: SQLite keeps
    # just the keys of the rollups' covering indexes (models.W040).
    sqlite = not os.environ.get("DATABASE_URL", "").startswith("postgres")
    silenced = 3 if sqlite else 0
    assert result.stdout.strip() == f"System check identified no issues ({silenced} silenced)."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Host": "shop.example.com", **headers})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn serving ``weishang.config.wsgi`` in the production environment, after the
    deploy's collectstatic."""
    env = environment(tmp_path, **PRODUCTION)
    collected = run([str(BIN / "weishang"), "collectstatic", "--noinput"], env)
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "weishang.config.wsgi", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base, tmp_path / "static"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_serves_the_collected_static_files_behind_an_https_proxy(gunicorn):
    base, static_root = gunicorn
    status, headers, body = fetch(
        base + "/static/weishang/app.css", **{"X-Forwarded-Proto": "https"}
    )
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert b".licences" in body
    hashed = next(static_root.glob("weishang/app.*.css")).relative_to(static_root)
    status, headers, _ = fetch(
        f"{base}/static/{hashed}", **{"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    # Without the proxy's word that the request came over HTTPS, the server sends it there.
    status, headers, _ = fetch(base + "/static/weishang/app.css")
    assert (
        status == 301 and headers["Location"] == "https://shop.example.com/static/weishang/app.css"
    )


def test_inline_scripts_carry_the_nonce_of_the_pages_content_security_policy(
    client, make_distributor
):
    distributor = make_distributor()
    client.force_login(distributor.customer.user)
    response = client.get(reverse("distributor:share"))
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy
