"""The audit log is append-only and hash-chained: any line changed, removed or inserted, and
lines cut from the end, are found by verify(); concurrent appends never fork the chain."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from click.testing import CliRunner

from extensions import db
from referrals import audit
from referrals.models import AuditEntry


def write(n: int = 5) -> list[AuditEntry]:
    entries = [audit.record("read", "person", f"p{i}", details={"i": i, "é": "à"})
               for i in range(n)]
    db.session.commit()
    return entries


def test_a_written_chain_verifies(session):
    write()
    assert audit.verify() == audit.Verification(True, 5)


def test_a_changed_line_is_named(session):
    entries = write()
    session.execute(sa.update(AuditEntry).where(AuditEntry.id == entries[2].id)
                    .values(details={"i": 99}))
    session.commit()
    result = audit.verify()
    assert (result.ok, result.broken_at, result.checked) == (False, entries[2].id, 2)
    assert result.reason == audit.CHANGED


def test_a_deleted_line_breaks_the_next_link(session):
    entries = write()
    session.execute(sa.delete(AuditEntry).where(AuditEntry.id == entries[1].id))
    session.commit()
    result = audit.verify()
    assert (result.ok, result.broken_at) == (False, entries[2].id)


def test_lines_cut_from_the_end_are_noticed(session):
    entries = write()
    session.execute(sa.delete(AuditEntry).where(AuditEntry.id == entries[-1].id))
    session.commit()
    result = audit.verify()
    assert not result.ok and result.reason == audit.TRUNCATED


def test_a_rolled_back_action_leaves_no_line_and_the_chain_whole(session):
    write(2)
    audit.record("read", "person", "x")
    session.rollback()
    write(2)
    assert audit.verify() == audit.Verification(True, 4)


def test_concurrent_appends_never_fork_the_chain(session, app):
    write(1)

    def append(n):
        with app.app_context():
            for i in range(n):
                audit.record("read", "person", f"t{i}")
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=append, args=(10,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert audit.verify() == audit.Verification(True, 31)


def test_flask_audit_verify_reports_the_first_broken_link(session, app):
    entries = write(3)
    result = CliRunner().invoke(app.cli, ["audit", "verify"])
    assert result.exit_code == 0 and "3" in result.output
    session.execute(sa.update(AuditEntry).where(AuditEntry.id == entries[1].id)
                    .values(action="update"))
    session.commit()
    result = CliRunner().invoke(app.cli, ["audit", "verify"])
    assert result.exit_code == 1
    assert str(entries[1].id) in result.output
