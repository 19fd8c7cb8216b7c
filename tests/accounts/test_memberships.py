"""Joining, deciding, roles and invitations as domain functions (no HTTP): who may, what is
stored, who is emailed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts import memberships
from accounts.models import (
    ACTIVE,
    ADMIN,
    MEMBER,
    PENDING,
    REFUSED,
    Invitation,
    Membership,
    OutboxEmail,
)
from directory.models import MODERATION_PENDING
from errors import Conflict, Forbidden, Invalid, NotFound
from extensions import db
from tests import factories
from tests.accounts.test_permissions import (  # noqa: F401  (fixture)
    build_world,
    hash_each_password_once,
)


@pytest.fixture
def world(app, app_ctx):
    """The two organisations and their people, inside a request (emails carry links)."""
    with app.test_request_context("/?lang=en"):
        yield build_world()


def organisation(**fields):
    """An organisation as stored (column defaults such as its moderation status applied)."""
    org = factories.organisation(**fields)
    db.session.flush()
    return org


def outbox(recipient: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.recipient == recipient))
    )


# ---------------------------------------------------------------------------------------------
# Asking to join


def test_a_request_to_an_organisation_with_an_admin_is_for_member_and_goes_to_its_admins(world):
    link = memberships.request_to_join(world.citizen, world.org_a, "  Je suis conseillère.  ")
    assert (link.status, link.role, link.message) == (PENDING, MEMBER, "Je suis conseillère.")
    (email,) = outbox("admin.a@example.org")
    assert "Camille Citoyenne" in email.subject
    assert "Je suis conseillère." in email.body and "/membres" in email.body
    assert outbox("territoire.69@example.org") == []
    assert outbox("member.a@example.org") == []


def test_a_request_to_an_organisation_without_admin_is_for_admin_and_goes_to_moderators(world):
    orphan = organisation(name="Sans admin", commune_code="69266")
    link = memberships.request_to_join(world.citizen, orphan)
    assert (link.status, link.role, link.message) == (PENDING, ADMIN, None)
    assert len(outbox("territoire.69@example.org")) == 1
    assert len(outbox("platform@example.org")) == 1
    assert outbox("territoire.01@example.org") == []
    assert "/moderation" in outbox("platform@example.org")[0].body


def test_asking_twice_or_as_a_member_is_a_conflict(world):
    memberships.request_to_join(world.citizen, world.org_a)
    with pytest.raises(Conflict):
        memberships.request_to_join(world.citizen, world.org_a)
    with pytest.raises(Conflict):
        memberships.request_to_join(world.member_a, world.org_a)


def test_a_refused_request_may_be_made_again(world):
    link = memberships.request_to_join(world.citizen, world.org_a)
    memberships.decide_request(world.admin_a, link, False, second_factor=False)
    again = memberships.request_to_join(world.citizen, world.org_a, "Deuxième essai")
    assert again.id == link.id and again.status == PENDING and again.decided_at is None


def test_unverified_users_and_pending_organisations_cannot_be_joined(world):
    with pytest.raises(Forbidden):
        memberships.request_to_join(factories.user(verified=False), world.org_a)
    hidden = organisation(moderation_status=MODERATION_PENDING)
    with pytest.raises(NotFound):
        memberships.request_to_join(world.citizen, hidden)


def test_a_too_long_message_is_refused_on_its_field(world):
    with pytest.raises(Invalid) as error:
        memberships.request_to_join(world.citizen, world.org_a, "x" * 1001)
    assert "message" in error.value.field_errors


# ---------------------------------------------------------------------------------------------
# Deciding


def test_accepting_activates_and_emails_the_requester(world):
    link = memberships.request_to_join(world.citizen, world.org_a)
    memberships.decide_request(world.admin_a, link, True, second_factor=False)
    assert (link.status, link.decided_by_id) == (ACTIVE, world.admin_a.id)
    (email,) = outbox("citizen@example.org")
    assert "Mission locale de Lyon" in email.subject and "accepted" in email.body


def test_refusing_keeps_the_row_as_refused_and_emails_the_requester(world):
    link = memberships.request_to_join(world.citizen, world.org_a)
    memberships.decide_request(world.admin_a, link, False, second_factor=False)
    assert link.status == REFUSED
    assert "not accepted" in outbox("citizen@example.org")[0].body


@pytest.mark.parametrize("who", ["member_a", "admin_b", "manager_69", "citizen"])
def test_others_cannot_decide_a_request(world, who):
    link = memberships.request_to_join(world.citizen, world.org_a)
    with pytest.raises(Forbidden):
        memberships.decide_request(getattr(world, who), link, True, second_factor=True)
    assert link.status == PENDING


def test_an_answered_request_cannot_be_answered_again(world):
    link = memberships.request_to_join(world.citizen, world.org_a)
    memberships.decide_request(world.admin_a, link, True, second_factor=False)
    with pytest.raises(Conflict):
        memberships.decide_request(world.admin_a, link, False, second_factor=False)


def test_territory_manager_names_the_first_admin(world):
    orphan = organisation(commune_code="69266")
    link = memberships.request_to_join(world.citizen, orphan)
    with pytest.raises(Forbidden):
        memberships.decide_request(world.manager_01, link, True, second_factor=True)
    memberships.decide_request(world.manager_69, link, True, second_factor=False)
    assert (link.status, link.role) == (ACTIVE, ADMIN)


# ---------------------------------------------------------------------------------------------
# Roles and removal


def _link(user, org) -> Membership:
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == org.id
        )
    )


def test_admin_promotes_then_demotes_a_member(world):
    link = _link(world.member_a, world.org_a)
    memberships.change_role(world.admin_a, link, ADMIN, second_factor=False)
    assert link.role == ADMIN
    memberships.change_role(world.admin_a, link, MEMBER, second_factor=False)
    assert link.role == MEMBER


def test_the_last_admin_can_be_neither_demoted_nor_removed(world):
    last = _link(world.admin_a, world.org_a)
    with pytest.raises(Conflict):
        memberships.change_role(world.admin_a, last, MEMBER, second_factor=False)
    with pytest.raises(Conflict):
        memberships.remove_member(world.admin_a, last, second_factor=False)
    assert (last.role, last.status) == (ADMIN, ACTIVE)
    # With a second administrator, the first one may step down.
    memberships.change_role(
        world.admin_a, _link(world.member_a, world.org_a), ADMIN, second_factor=False
    )
    memberships.change_role(world.admin_a, last, MEMBER, second_factor=False)
    assert last.role == MEMBER


def test_removing_a_member_deletes_the_membership(world):
    link = _link(world.member_a, world.org_a)
    memberships.remove_member(world.admin_a, link, second_factor=False)
    assert _link(world.member_a, world.org_a) is None


def test_an_unknown_role_is_invalid(world):
    with pytest.raises(Invalid):
        memberships.change_role(
            world.admin_a, _link(world.member_a, world.org_a), "owner", second_factor=False
        )


def test_members_cannot_change_roles(world):
    with pytest.raises(Forbidden):
        memberships.change_role(
            world.member_a, _link(world.member_a, world.org_a), ADMIN, second_factor=False
        )


def test_a_membership_is_looked_up_within_its_organisation(world):
    with pytest.raises(NotFound):
        memberships.membership_in(world.org_a, _link(world.member_b, world.org_b).id)


# ---------------------------------------------------------------------------------------------
# Invitations


def test_an_invitation_stores_only_the_hash_of_its_token_and_emails_the_link(world):
    sent = memberships.invite(
        world.admin_a, world.org_a, " New.Person@Example.org ", MEMBER, second_factor=False
    )
    invitation = sent.invitation
    assert invitation.email == "new.person@example.org"
    assert invitation.token_hash == memberships.token_hash(sent.token) != sent.token
    assert sent.token not in {c for c in vars(invitation).values() if isinstance(c, str)}
    days = (invitation.expires_at - invitation.created_at).days
    assert days == 7
    (email,) = outbox("new.person@example.org")
    assert f"/invitations/{sent.token}" in email.body


def test_invitation_lifetime_follows_the_configuration(world, app):
    app.config["RELAIS_INVITATION_DAYS"] = 2
    try:
        sent = memberships.invite(
            world.admin_a, world.org_a, "x@example.org", MEMBER, second_factor=False
        )
    finally:
        del app.config["RELAIS_INVITATION_DAYS"]
    assert (sent.invitation.expires_at - sent.invitation.created_at).days == 2


def test_inviting_again_replaces_the_previous_invitation(world):
    first = memberships.invite(
        world.admin_a, world.org_a, "x@example.org", MEMBER, second_factor=False
    )
    second = memberships.invite(
        world.admin_a, world.org_a, "x@example.org", ADMIN, second_factor=False
    )
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 1
    with pytest.raises(NotFound):
        memberships.open_invitation(first.token)
    assert memberships.open_invitation(second.token).role == ADMIN


def test_inviting_a_member_is_refused_on_the_email_field(world):
    with pytest.raises(Invalid) as error:
        memberships.invite(
            world.admin_a, world.org_a, "Member.A@example.org", MEMBER, second_factor=False
        )
    assert "email" in error.value.field_errors


@pytest.mark.parametrize("who", ["member_a", "admin_b", "manager_69", "citizen"])
def test_only_admins_invite(world, who):
    with pytest.raises(Forbidden):
        memberships.invite(
            getattr(world, who), world.org_a, "x@example.org", MEMBER, second_factor=False
        )


def test_accepting_an_invitation_makes_an_active_membership_once(world):
    invited = factories.user("invited@example.org")
    sent = memberships.invite(
        world.admin_a, world.org_a, "invited@example.org", ADMIN, second_factor=False
    )
    link = memberships.accept_invitation(invited, sent.token)
    assert (link.status, link.role, link.organisation_id) == (ACTIVE, ADMIN, world.org_a.id)
    with pytest.raises(memberships.InvitationGone):
        memberships.accept_invitation(invited, sent.token)


def test_an_invitation_turns_a_pending_request_into_membership(world):
    sent = memberships.invite(
        world.admin_a, world.org_a, "pending.a@example.org", MEMBER, second_factor=False
    )
    link = memberships.accept_invitation(world.pending_a, sent.token)
    assert link.status == ACTIVE
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Membership.id)).where(Membership.user_id == world.pending_a.id)
        )
        == 1
    )


def test_an_invitation_is_for_the_invited_address_only(world):
    sent = memberships.invite(
        world.admin_a, world.org_a, "invited@example.org", MEMBER, second_factor=False
    )
    with pytest.raises(Forbidden):
        memberships.accept_invitation(world.citizen, sent.token)
    assert memberships.open_invitation(sent.token).accepted_at is None


def test_an_unverified_account_accepts_once_verified(world):
    invited = factories.user("invited@example.org", verified=False)
    sent = memberships.invite(
        world.admin_a, world.org_a, "invited@example.org", MEMBER, second_factor=False
    )
    with pytest.raises(Forbidden):
        memberships.accept_invitation(invited, sent.token)


def test_expired_and_forged_invitations(world):
    sent = memberships.invite(
        world.admin_a, world.org_a, "invited@example.org", MEMBER, second_factor=False
    )
    sent.invitation.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.flush()
    db.session.expire_all()  # read the stored value back, as a later request would
    with pytest.raises(memberships.InvitationGone):
        memberships.open_invitation(sent.token)
    with pytest.raises(NotFound):
        memberships.open_invitation(sent.token[:-2] + "xx")
    with pytest.raises(NotFound):
        memberships.open_invitation("")


def test_withdrawing_an_invitation_of_another_organisation_is_not_found(world):
    sent = memberships.invite(
        world.admin_b, world.org_b, "x@example.org", MEMBER, second_factor=False
    )
    with pytest.raises(NotFound):
        memberships.cancel_invitation(
            world.admin_a, world.org_a, sent.invitation.id, second_factor=False
        )
    memberships.cancel_invitation(
        world.admin_b, world.org_b, sent.invitation.id, second_factor=False
    )
    with pytest.raises(NotFound):
        memberships.open_invitation(sent.token)
