"""Killing the server in the middle of an upload, for real: a separate process serves the app
on the test database, a client streams half a document to it, the process gets SIGKILL while
the encrypted part file grows. No document is visible afterwards, and the sweeper leaves no
orphan behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from config import ROOT
from extensions import db
from referrals import document_storage as storage
from referrals import document_upkeep, documents
from referrals.document_models import Document
from tests import factories as f
from tests.accounts.test_permissions import csrf_token
from tests.referrals import document_samples as samples
from tests.referrals.world import build

SERVER = """
import json, sys
from pathlib import Path
from werkzeug.serving import make_server
from app import create_app

options = json.loads(sys.argv[1])
app = create_app(instance_path=Path(options["instance"]), database_url=options["database"],
                 secret_key="test-secret", data_dir=Path(options["instance"]),
                 secure_cookies=False, documents_dir=Path(options["documents"]),
                 documents_master_key=options["key"], clamav_socket="")
make_server("127.0.0.1", options["port"], app).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture
def server(app, app_ctx, tmp_path):
    """The app served by another process on this test's database and documents folder."""
    settings = app.extensions["relais.settings"]
    saved = (settings.documents_dir, settings.documents_master_key)
    settings.documents_dir = tmp_path / "documents"
    settings.documents_master_key = storage.new_master_key()
    port = free_port()
    options = {"instance": str(settings.instance_path), "port": port,
               "database": db.engine.url.render_as_string(hide_password=False),
               "documents": str(settings.documents_dir), "key": settings.documents_master_key}
    process = subprocess.Popen([sys.executable, "-c", SERVER, json.dumps(options)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: listening(port) or process.poll() is not None)
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        yield process, port, settings
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        process.stderr.close()
        settings.documents_dir, settings.documents_master_key = saved


def test_killing_the_server_mid_upload_leaves_no_document_and_no_orphan(client, server):
    process, port, settings = server
    world = build()
    f.login(client, world.advisor)
    token = csrf_token(client)
    cookie = client.get_cookie("session").value
    person_id = world.person.id
    boundary = "relaisboundary7c1f"
    data = samples.big_pdf(4 * 1024 * 1024)
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\n"
            f"in-person\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; "
            f"filename=\"dossier.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    request = (
        f"POST /espace/personnes/{person_id}/documents?org={world.sending.id} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nCookie: session={cookie}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + len(data) + len(tail)}\r\n\r\n").encode()
    parts_folder = settings.documents_path / "tmp"

    def part_size() -> int:
        parts = list(parts_folder.glob("*.part")) if parts_folder.exists() else []
        return parts[0].stat().st_size if parts else 0

    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(request + head + data[:len(data) // 2])  # half the file, then...
        wait_until(lambda: part_size() > 1024 * 1024)  # the server is encrypting it
        os.kill(process.pid, signal.SIGKILL)  # ...the process dies mid-upload
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0
    assert documents.readable_documents(world.advisor, world.person) == []
    [part] = list(parts_folder.glob("*.part"))  # what the crash left: encrypted, unnamed
    assert samples.MARKER not in part.read_bytes()
    assert not any((settings.documents_path / "store").rglob("*.rdoc"))

    assert document_upkeep.sweep(older_than_seconds=3600) == 0  # too young: maybe still uploading
    assert document_upkeep.sweep(older_than_seconds=0) == 1
    assert [p for p in settings.documents_path.rglob("*") if p.is_file()] == []
