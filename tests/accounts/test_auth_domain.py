"""The account rules without HTTP: sign-up, confirmation, lockout, reset links, TOTP, and the
first administrator. The clock is passed in (`now`), so expiry and lockout are tested by
choosing the time rather than waiting."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from accounts import auth, tokens
from accounts.models import OutboxEmail, User
from accounts.passwords import verify_password
from errors import Forbidden, Invalid
from extensions import db
from tests import factories

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOOD = "a long enough passphrase"


@pytest.fixture
def request_ctx(app, app_ctx):
    """Links in emails are absolute: building them needs a request."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield
    auth.unknown_address_failures.clear()


def outbox(recipient=None):
    query = sa.select(OutboxEmail).order_by(OutboxEmail.created_at)
    if recipient:
        query = query.where(OutboxEmail.recipient == recipient)
    return db.session.scalars(query).all()


def users():
    return db.session.scalar(sa.select(sa.func.count(User.id)))


# --- sign-up and confirmation ------------------------------------------------------------------


def test_sign_up_creates_an_unconfirmed_account_and_emails_a_link(request_ctx):
    user = auth.sign_up(" Ana Martin ", " Ana.Martin@Example.ORG ", GOOD, now=NOW)

    assert user.email == "ana.martin@example.org" and user.name == "Ana Martin"
    assert not user.is_verified and verify_password(user.password_hash, GOOD)
    (email,) = outbox()
    assert email.recipient == "ana.martin@example.org"
    assert "/verification/" in email.body and "48 hours" in email.body


@pytest.mark.parametrize(("name", "email", "password", "field"), [
    ("", "ana@example.org", GOOD, "name"),
    ("x" * 151, "ana@example.org", GOOD, "name"),
    ("<script>alert(1)</script>", "ana@example.org", GOOD, "name"),
    ("Ana", "", GOOD, "email"),
    ("Ana", "not an address", GOOD, "email"),
    ("Ana", "ana@example", GOOD, "email"),
    ("Ana", "a" * 250 + "@example.org", GOOD, "email"),
    ("Ana", "ana@example.org", "too short", "password"),
    ("Ana", "ana@example.org", "ana@example.org", "password"),
])
def test_sign_up_refuses_bad_input_and_stores_nothing(request_ctx, name, email, password, field):
    with pytest.raises(Invalid) as refused:
        auth.sign_up(name, email, password, now=NOW)

    assert refused.value.field_errors[field]
    assert users() == 0 and outbox() == []


def test_signing_up_again_with_a_confirmed_address_creates_nothing_and_tells_its_owner(
    request_ctx,
):
    owner = factories.user("ana@example.org")

    assert auth.sign_up("Someone", "ANA@example.org", GOOD, now=NOW) is None

    assert users() == 1 and owner.name != "Someone"
    (email,) = outbox("ana@example.org")
    assert "tried to create a Relais account" in email.body
    assert "/mot-de-passe/oubli" in email.body


def test_signing_up_again_before_confirming_sends_a_new_link(request_ctx):
    factories.user("ana@example.org", verified=False)

    assert auth.sign_up("Ana", "ana@example.org", GOOD, now=NOW) is None

    (email,) = outbox("ana@example.org")
    assert "/verification/" in email.body


def test_a_confirmation_link_confirms_once(request_ctx):
    user = factories.user(verified=False)
    token = tokens.make_verification_token(user)

    assert auth.verify_email(token, now=NOW) == (user, True)
    assert user.email_verified_at == NOW
    assert auth.verify_email(token, now=NOW) == (user, False)


def test_a_confirmation_link_lasts_48_hours(request_ctx):
    user = factories.user(verified=False)
    token = tokens.make_verification_token(user)
    now = datetime.now(UTC)

    auth.verify_email(token, now=now + timedelta(hours=47, minutes=59))
    user.email_verified_at = None
    with pytest.raises(tokens.ExpiredLink):
        auth.verify_email(token, now=now + timedelta(hours=48, minutes=1))


def test_a_forged_or_altered_confirmation_link_is_refused(request_ctx):
    user = factories.user(verified=False)
    token = tokens.make_verification_token(user)

    for bad in ("nonsense", token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
                tokens.make_reset_token(user)):
        with pytest.raises(tokens.BadLink):
            auth.verify_email(bad, now=datetime.now(UTC))
    assert not user.is_verified


def test_a_confirmation_link_dies_when_the_address_changes(request_ctx):
    user = factories.user("old@example.org", verified=False)
    token = tokens.make_verification_token(user)
    user.email = "new@example.org"

    with pytest.raises(tokens.BadLink):
        auth.verify_email(token, now=datetime.now(UTC))


# --- lockout -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("failures", "minutes"), [
    (0, None), (4, None), (5, 1), (6, 2), (7, 4), (8, 8), (10, 32), (11, 60), (50, 60),
])
def test_the_pause_starts_at_five_failures_and_doubles_up_to_an_hour(failures, minutes):
    expected = timedelta(minutes=minutes) if minutes else None
    assert auth.lock_duration(failures) == expected


def test_the_right_password_signs_in(request_ctx):
    user = factories.user("ana@example.org")

    assert auth.authenticate("ANA@example.org ", factories.PASSWORD, now=NOW) is user


def test_five_failures_pause_the_account_for_a_minute_then_it_opens_again(request_ctx):
    user = factories.user("ana@example.org")
    for attempt in range(4):
        with pytest.raises(auth.LoginRefused) as refused:
            auth.authenticate("ana@example.org", "wrong password", now=NOW)
        assert refused.value.retry_after is None, attempt
    with pytest.raises(auth.LoginRefused) as refused:
        auth.authenticate("ana@example.org", "wrong password", now=NOW)
    assert refused.value.retry_after == timedelta(minutes=1)
    assert "Try again in 1 minute" in refused.value.message

    # Paused: even the right password is refused, and the attempt does not count.
    with pytest.raises(auth.LoginRefused) as refused:
        auth.authenticate("ana@example.org", factories.PASSWORD, now=NOW + timedelta(seconds=30))
    assert refused.value.retry_after == timedelta(seconds=30)
    assert user.failed_logins == 5

    assert auth.authenticate("ana@example.org", factories.PASSWORD,
                             now=NOW + timedelta(minutes=1, seconds=1)) is user


def test_each_further_failure_doubles_the_pause(request_ctx):
    user = factories.user("ana@example.org", failed_logins=5)
    later = NOW + timedelta(minutes=2)

    with pytest.raises(auth.LoginRefused) as refused:
        auth.authenticate("ana@example.org", "wrong password", now=later)

    assert refused.value.retry_after == timedelta(minutes=2)
    assert "Try again in 2 minutes" in refused.value.message
    assert user.failed_logins == 6


def test_a_complete_sign_in_clears_the_failures_and_rotates_the_session_token(request_ctx):
    user = factories.user("ana@example.org", failed_logins=3)
    token = user.session_token

    auth.start_session(user)
    auth.finish_login(user, now=NOW)

    assert user.session_token != token
    assert user.failed_logins == 0 and user.locked_until is None
    assert user.last_login_at == NOW


def test_unknown_addresses_get_the_same_answers_as_a_wrong_password(request_ctx):
    factories.user("ana@example.org")
    answers = {}
    for email in ("ana@example.org", "nobody@example.org"):
        answers[email] = []
        for _ in range(6):
            with pytest.raises(auth.LoginRefused) as refused:
                auth.authenticate(email, "wrong password", now=NOW)
            answers[email].append((refused.value.message, refused.value.retry_after))

    assert answers["ana@example.org"] == answers["nobody@example.org"]


def test_a_hash_made_with_older_parameters_is_remade_at_sign_in(request_ctx):
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8192).hash(factories.PASSWORD)
    user = factories.user("ana@example.org", password_hash=old)

    auth.authenticate("ana@example.org", factories.PASSWORD, now=NOW)

    assert user.password_hash != old
    assert verify_password(user.password_hash, factories.PASSWORD)


# --- password reset ----------------------------------------------------------------------------


def test_a_reset_is_emailed_only_to_an_existing_account(request_ctx):
    factories.user("ana@example.org")

    auth.request_password_reset("nobody@example.org", now=NOW)
    assert outbox() == []
    auth.request_password_reset("Ana@example.org", now=NOW)
    (email,) = outbox("ana@example.org")
    assert "/mot-de-passe/" in email.body and "one hour" in email.body


def test_a_reset_link_works_once(request_ctx):
    user = factories.user("ana@example.org", failed_logins=7,
                          locked_until=NOW + timedelta(minutes=30))
    session_token = user.session_token
    token = tokens.make_reset_token(user)
    now = datetime.now(UTC)

    auth.reset_password(token, "my brand new passphrase", now=now)

    assert verify_password(user.password_hash, "my brand new passphrase")
    assert user.session_token != session_token
    assert user.failed_logins == 0 and user.locked_until is None
    with pytest.raises(tokens.BadLink):
        auth.reset_password(token, "and yet another passphrase", now=now)
    assert verify_password(user.password_hash, "my brand new passphrase")


def test_a_reset_link_expires_after_an_hour(request_ctx):
    user = factories.user("ana@example.org")
    token = tokens.make_reset_token(user)
    now = datetime.now(UTC)

    assert auth.user_for_reset(token, now=now + timedelta(minutes=59)) is user
    with pytest.raises(tokens.ExpiredLink):
        auth.reset_password(token, "my brand new passphrase", now=now + timedelta(minutes=61))
    assert verify_password(user.password_hash, factories.PASSWORD)


def test_a_reset_refuses_a_bad_password_and_changes_nothing(request_ctx):
    user = factories.user("ana@example.org")
    before = (user.password_hash, user.session_token)
    token = tokens.make_reset_token(user)

    for bad in ("short", "ana@example.org"):
        with pytest.raises(Invalid) as refused:
            auth.reset_password(token, bad, now=datetime.now(UTC))
        assert refused.value.field_errors["password"]
    assert (user.password_hash, user.session_token) == before


def test_a_reset_confirms_the_address_it_reached(request_ctx):
    user = factories.user("ana@example.org", verified=False)

    auth.reset_password(tokens.make_reset_token(user), "my brand new passphrase",
                        now=datetime.now(UTC))

    assert user.is_verified


# --- TOTP --------------------------------------------------------------------------------------


def test_totp_is_turned_on_only_with_a_code_from_the_secret(request_ctx):
    user = factories.user()
    secret = auth.new_totp_secret()

    with pytest.raises(Invalid):
        auth.enable_totp(user, secret, "000000" if pyotp.TOTP(secret).at(NOW) != "000000"
                         else "111111", now=NOW)
    assert not user.has_totp
    auth.enable_totp(user, secret, pyotp.TOTP(secret).at(NOW), now=NOW)
    assert user.has_totp and user.totp_secret == secret
    assert auth.totp_uri(user, secret).startswith("otpauth://totp/Relais:")


def test_a_code_from_the_previous_or_next_30_seconds_is_accepted(request_ctx):
    secret = auth.new_totp_secret()
    totp = pyotp.TOTP(secret)

    assert auth.totp_code_matches(secret, totp.at(NOW - timedelta(seconds=30)), now=NOW)
    assert auth.totp_code_matches(secret, totp.at(NOW + timedelta(seconds=30)), now=NOW)
    assert auth.totp_code_matches(secret, " " + totp.at(NOW)[:3] + " " + totp.at(NOW)[3:],
                                  now=NOW)
    assert not auth.totp_code_matches(secret, totp.at(NOW - timedelta(seconds=90)), now=NOW)
    assert not auth.totp_code_matches(secret, "abcdef", now=NOW)


def test_wrong_second_factor_codes_count_towards_the_lockout(request_ctx):
    secret = auth.new_totp_secret()
    user = factories.user(platform_admin=True, totp_secret=secret, totp_confirmed_at=NOW,
                          failed_logins=4)

    with pytest.raises(auth.LoginRefused) as refused:
        auth.check_second_factor(user, "12345x", now=NOW)
    assert refused.value.retry_after == timedelta(minutes=1)
    assert refused.value.field_errors["code"]
    with pytest.raises(auth.LoginRefused):
        auth.check_second_factor(user, pyotp.TOTP(secret).at(NOW), now=NOW)

    later = NOW + timedelta(minutes=2)
    auth.check_second_factor(user, pyotp.TOTP(secret).at(later), now=later)
    assert user.failed_logins == 0 and user.last_login_at == later


def test_a_code_signs_in_once_and_cannot_be_replayed_within_its_window(request_ctx):
    secret = auth.new_totp_secret()
    user = factories.user(platform_admin=True, totp_secret=secret, totp_confirmed_at=NOW)
    code = pyotp.TOTP(secret).at(NOW)

    auth.check_second_factor(user, code, now=NOW)
    with pytest.raises(auth.LoginRefused):  # the same code, seen over a shoulder, 20 s later
        auth.check_second_factor(user, code, now=NOW + timedelta(seconds=20))
    earlier = pyotp.TOTP(secret).at(NOW - timedelta(seconds=30))  # still inside the window
    with pytest.raises(auth.LoginRefused):
        auth.check_second_factor(user, earlier, now=NOW + timedelta(seconds=20))
    later = NOW + timedelta(seconds=30)
    auth.check_second_factor(user, pyotp.TOTP(secret).at(later), now=later)


def test_only_people_other_than_platform_administrators_may_turn_totp_off(request_ctx):
    secret = auth.new_totp_secret()
    admin = factories.user(platform_admin=True, totp_secret=secret, totp_confirmed_at=NOW)
    person = factories.user(totp_secret=secret, totp_confirmed_at=NOW)

    with pytest.raises(Forbidden):
        auth.disable_totp(admin, pyotp.TOTP(secret).at(NOW), now=NOW)
    with pytest.raises(Invalid):
        auth.disable_totp(person, "000000" if pyotp.TOTP(secret).at(NOW) != "000000"
                          else "111111", now=NOW)
    auth.disable_totp(person, pyotp.TOTP(secret).at(NOW), now=NOW)
    assert not person.has_totp and person.totp_secret is None


def test_platform_administrators_and_totp_users_need_a_second_factor(request_ctx):
    assert auth.needs_second_factor(factories.user(platform_admin=True))
    assert auth.needs_second_factor(factories.user(totp_confirmed_at=NOW, totp_secret="A" * 32))
    assert not auth.needs_second_factor(factories.user())


# --- the first platform administrator ----------------------------------------------------------


def test_create_platform_admin_creates_a_confirmed_administrator(request_ctx):
    result = auth.create_platform_admin("Root@Example.org", None, GOOD, now=NOW)

    assert result.created
    assert result.user.email == "root@example.org" and result.user.name == "root"
    assert result.user.is_platform_admin and result.user.is_verified


def test_create_platform_admin_promotes_an_existing_account_keeping_its_password(request_ctx):
    user = factories.user("ana@example.org", verified=False)

    result = auth.create_platform_admin("ana@example.org", None, None, now=NOW)

    assert result == auth.AdminResult(user, created=False)
    assert user.is_platform_admin and user.is_verified
    assert verify_password(user.password_hash, factories.PASSWORD)


@pytest.mark.parametrize(("email", "password"), [
    ("not an address", GOOD), ("root@example.org", "short"), ("root@example.org", None),
])
def test_create_platform_admin_refuses_bad_input(request_ctx, email, password):
    with pytest.raises(Invalid):
        auth.create_platform_admin(email, None, password, now=NOW)
    assert users() == 0
