"""`flask users create-admin EMAIL`: the first platform administrator."""

import sqlalchemy as sa

from accounts.models import User
from accounts.passwords import verify_password
from extensions import db
from tests import factories

GOOD = "a long enough passphrase"


def admins():
    return db.session.scalars(sa.select(User).where(User.is_platform_admin)).all()


def test_create_admin_asks_the_password_twice(app, app_ctx):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "Root@Example.org", "--name", "Root"],
        input=f"{GOOD}\n{GOOD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "created" in result.output and "Two-factor authentication (TOTP) is required" in (
        result.output)
    assert GOOD not in result.output
    (admin,) = admins()
    assert admin.email == "root@example.org" and admin.name == "Root" and admin.is_verified
    assert verify_password(admin.password_hash, GOOD)
    assert not admin.has_totp


def test_create_admin_reads_the_password_from_the_environment(app, app_ctx, monkeypatch):
    monkeypatch.setenv("RELAIS_ADMIN_PASSWORD", GOOD)

    result = app.test_cli_runner().invoke(args=["users", "create-admin", "root@example.org"])

    assert result.exit_code == 0, result.output
    (admin,) = admins()
    assert admin.name == "root" and verify_password(admin.password_hash, GOOD)


def test_create_admin_promotes_an_existing_account_without_asking_a_password(app, app_ctx):
    factories.user("ana@example.org", verified=False)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["users", "create-admin", "ana@example.org"])

    assert result.exit_code == 0, result.output
    assert "promoted" in result.output
    (admin,) = admins()
    db.session.refresh(admin)
    assert admin.is_verified and verify_password(admin.password_hash, factories.PASSWORD)


def test_create_admin_refuses_a_bad_email(app, app_ctx):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "not-an-address"])

    assert result.exit_code == 1
    # The command speaks the default locale (French).
    assert "nom@exemple.org" in result.output
    assert admins() == []


def test_create_admin_refuses_a_short_password(app, app_ctx):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "root@example.org"],
                                          input="short\nshort\n")

    assert result.exit_code == 1
    assert admins() == []


def test_create_admin_insists_on_two_matching_passwords(app, app_ctx):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "root@example.org"],
                                          input=f"{GOOD}\nsomething else\n")

    assert result.exit_code != 0
    assert admins() == []


def test_grant_territory_makes_a_territory_manager_once(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
    person = factories.user(email="territoire@example.org")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "grant-territory", "territoire@example.org", "69", "01"])
    assert result.exit_code == 0, result.output
    assert "territory manager of: 01, 69" in result.output
    again = runner.invoke(args=["users", "grant-territory", "territoire@example.org", "69"])
    assert again.exit_code == 0
    db.session.refresh(person)
    assert sorted(t.departement_code for t in person.territories) == ["01", "69"]


def test_grant_territory_refuses_unknown_people_and_places(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
    factories.user(email="territoire@example.org")
    db.session.commit()
    runner = app.test_cli_runner()
    nobody = runner.invoke(args=["users", "grant-territory", "nobody@example.org", "69"])
    assert nobody.exit_code == 1 and "No account has the address" in nobody.output
    nowhere = runner.invoke(args=["users", "grant-territory", "territoire@example.org", "99"])
    assert nowhere.exit_code == 1 and "Unknown département code(s): 99" in nowhere.output
