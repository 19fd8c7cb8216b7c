"""Passwords: argon2id hashes, re-made when the parameters change, and the new-password rule."""

from argon2 import PasswordHasher

from accounts import passwords


def test_a_password_is_stored_as_an_argon2id_hash_that_verifies_it():
    stored = passwords.hash_password("twelve chars long")

    assert stored.startswith("$argon2id$")
    assert "twelve chars long" not in stored
    assert passwords.verify_password(stored, "twelve chars long")
    assert not passwords.verify_password(stored, "twelve chars lonG")


def test_a_malformed_stored_hash_never_matches_and_needs_remaking():
    assert not passwords.verify_password("not a hash", "anything at all")
    assert passwords.needs_rehash("not a hash")


def test_a_hash_made_with_other_parameters_needs_remaking():
    weaker = PasswordHasher(time_cost=1, memory_cost=8192).hash("twelve chars long")

    assert passwords.needs_rehash(weaker)
    assert not passwords.needs_rehash(passwords.hash_password("twelve chars long"))


def test_new_passwords_need_twelve_characters(app_ctx):
    assert passwords.password_problems("eleven char") != []
    assert passwords.password_problems("twelve chars") == []


def test_new_passwords_have_a_bound(app_ctx):
    assert passwords.password_problems("x" * passwords.MAX_LENGTH) == []
    assert passwords.password_problems("x" * (passwords.MAX_LENGTH + 1)) != []


def test_the_accounts_email_is_refused_as_its_password(app_ctx):
    assert passwords.password_problems("Ana.Martin@Example.org", "ana.martin@example.org") != []
    assert passwords.password_problems("ana.martin@example.org!", "ana.martin@example.org") == []


def test_checking_against_no_account_costs_an_argon2_verification():
    # Nothing to assert but that it runs: it exists to spend the same time as a real check.
    passwords.spend_verification_time("whatever was typed")
