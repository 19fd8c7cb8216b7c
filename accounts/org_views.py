"""Pages for acting for an organisation: the personal space, joining, members and
invitations, declaring an organisation, and moderation.

Views parse a form, call one function of accounts.memberships or accounts.organisations (which
check permissions through accounts.permissions), commit, and redirect or render. Ids in
addresses are looked up within the organisation named, so another organisation's ids are
never acted on.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from accounts import memberships, organisations, permissions
from accounts.access import login_required, verified_required
from accounts.models import ACTIVE, ADMIN, PENDING, REFUSED, Membership
from accounts.org_forms import (
    ConfirmForm,
    DecisionForm,
    InvitationForm,
    JoinRequestForm,
    OrganisationForm,
    RoleForm,
    SearchForm,
)
from directory import taxonomy
from directory.models import MODERATION_APPROVED, T_RESEAU_PORTEUR
from errors import Conflict, DomainError, Invalid, NotFound
from extensions import db

bp = Blueprint("organisations", __name__)


def _locale_label(term) -> str:
    return term.label(str(get_locale() or "fr"))


def _bad_form() -> Invalid:
    return Invalid(_("This form could not be read. Reload the page and try again."))


# ---------------------------------------------------------------------------------------------
# The personal space


@bp.get("/espace")
@login_required
def dashboard():
    user = permissions.current_user_or_none()
    links = memberships.memberships_of_user(user)
    managed = [
        (link.organisation, len(memberships.pending_requests_of(link.organisation)))
        for link in links
        if link.status == ACTIVE and link.role == ADMIN
    ]
    queue = organisations.moderation_queue(user) if permissions.moderates_something(user) else None
    return render_template(
        "accounts/organisations/dashboard.html",
        user=user,
        active=[link for link in links if link.status == ACTIVE],
        pending=[link for link in links if link.status == PENDING],
        refused=[link for link in links if link.status == REFUSED],
        managed=managed,
        queue=queue,
    )


# ---------------------------------------------------------------------------------------------
# Joining


@bp.get("/organisations/rejoindre")
@login_required
def join_search():
    form = SearchForm(request.args)
    asked = bool(form.q.data)
    results = organisations.find_organisations(form.q.data) if asked and form.validate() else []
    return render_template(
        "accounts/organisations/join_search.html", form=form, asked=asked, results=results
    )


def _joinable(organisation_id: uuid.UUID):
    organisation = organisations.organisation_by_id(organisation_id)
    if organisation.moderation_status != MODERATION_APPROVED:
        raise NotFound(_("This organisation does not exist."))
    return organisation


@bp.route("/organisations/<uuid:organisation_id>/rejoindre", methods=["GET", "POST"])
@verified_required
def join(organisation_id: uuid.UUID):
    user = permissions.current_user_or_none()
    organisation = _joinable(organisation_id)
    form = JoinRequestForm()
    status = 200
    if form.validate_on_submit():
        try:
            link = memberships.request_to_join(user, organisation, form.message.data or "")
        except (Invalid, Conflict) as error:
            db.session.rollback()
            form.message.errors = list(form.message.errors) + (
                error.field_errors.get("message") or [error.message]
            )
            status = error.status
        else:
            db.session.commit()
            if link.role == ADMIN:
                flash(
                    _(
                        "Your request is sent. %(organisation)s has no administrator yet, so "
                        "the territory manager will review it.",
                        organisation=organisation.name,
                    )
                )
            else:
                flash(
                    _(
                        "Your request is sent to the administrators of %(organisation)s.",
                        organisation=organisation.name,
                    )
                )
            return redirect(url_for(".dashboard"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "accounts/organisations/join.html",
        organisation=organisation,
        form=form,
        has_admin=memberships.has_active_admin(organisation),
    ), status


# ---------------------------------------------------------------------------------------------
# Members, requests and invitations


def _managed(organisation_id: uuid.UUID):
    """The signed-in user and the organisation they manage (403 otherwise)."""
    user = permissions.current_user_or_none()
    organisation = organisations.organisation_by_id(organisation_id)
    permissions.require(permissions.can_manage_members(user, organisation))
    return user, organisation


def _members_page(organisation, *, invite_form=None, problem: str | None = None, status: int = 200):
    return render_template(
        "accounts/organisations/members.html",
        organisation=organisation,
        members=memberships.members_of(organisation),
        requests=memberships.pending_requests_of(organisation),
        invitations=memberships.pending_invitations_of(organisation),
        invite_form=invite_form or InvitationForm(formdata=None),
        role_form=RoleForm(formdata=None),
        action_form=ConfirmForm(formdata=None),
        problem=problem,
        ADMIN=ADMIN,
    ), status


@bp.get("/organisations/<uuid:organisation_id>/membres")
@login_required
def members(organisation_id: uuid.UUID):
    _user, organisation = _managed(organisation_id)
    return _members_page(organisation)


def _act_on_member(organisation_id, membership_id, action):
    """Run one change on a membership of a managed organisation, then show the members page
    again: a refused change (last administrator, already answered) says why there."""
    user, organisation = _managed(organisation_id)
    link = memberships.membership_in(organisation, membership_id)
    try:
        message = action(user, link)
    except (Conflict, Invalid) as error:
        db.session.rollback()
        return _members_page(organisation, problem=error.message, status=error.status)
    db.session.commit()
    flash(message)
    return redirect(url_for(".members", organisation_id=organisation.id))


@bp.post("/organisations/<uuid:organisation_id>/demandes/<uuid:membership_id>")
@login_required
def decide(organisation_id: uuid.UUID, membership_id: uuid.UUID):
    form = DecisionForm()
    if not form.validate():
        raise _bad_form()

    def action(user, link):
        memberships.decide_request(user, link, form.accepted)
        name = link.user.name
        return (
            _("%(name)s is now a member.", name=name)
            if form.accepted
            else _("The request of %(name)s is refused.", name=name)
        )

    return _act_on_member(organisation_id, membership_id, action)


@bp.post("/organisations/<uuid:organisation_id>/membres/<uuid:membership_id>/role")
@login_required
def change_role(organisation_id: uuid.UUID, membership_id: uuid.UUID):
    form = RoleForm()
    if not form.validate():
        raise _bad_form()

    def action(user, link):
        memberships.change_role(user, link, form.role.data)
        return _("The role of %(name)s is changed.", name=link.user.name)

    return _act_on_member(organisation_id, membership_id, action)


@bp.post("/organisations/<uuid:organisation_id>/membres/<uuid:membership_id>/retirer")
@login_required
def remove(organisation_id: uuid.UUID, membership_id: uuid.UUID):
    if not ConfirmForm().validate():
        raise _bad_form()

    def action(user, link):
        name = link.user.name
        memberships.remove_member(user, link)
        return _("%(name)s is no longer a member.", name=name)

    return _act_on_member(organisation_id, membership_id, action)


@bp.post("/organisations/<uuid:organisation_id>/invitations")
@login_required
def invite(organisation_id: uuid.UUID):
    user, organisation = _managed(organisation_id)
    form = InvitationForm()
    if not form.validate():
        return _members_page(organisation, invite_form=form, status=400)
    try:
        sent = memberships.invite(user, organisation, form.email.data, form.role.data)
    except Invalid as error:
        db.session.rollback()
        for name, messages in error.field_errors.items():
            field = getattr(form, name, form.email)
            field.errors = list(field.errors) + messages
        return _members_page(organisation, invite_form=form, status=400)
    db.session.commit()
    flash(_("An invitation is sent to %(email)s.", email=sent.invitation.email))
    return redirect(url_for(".members", organisation_id=organisation.id))


@bp.post("/organisations/<uuid:organisation_id>/invitations/<uuid:invitation_id>/retirer")
@login_required
def cancel_invitation(organisation_id: uuid.UUID, invitation_id: uuid.UUID):
    user, organisation = _managed(organisation_id)
    if not ConfirmForm().validate():
        raise _bad_form()
    memberships.cancel_invitation(user, organisation, invitation_id)
    db.session.commit()
    flash(_("The invitation is withdrawn."))
    return redirect(url_for(".members", organisation_id=organisation.id))


def _invitation_problem(error: DomainError):
    return render_template(
        "accounts/organisations/invitation_problem.html",
        message=error.message,
    ), error.status


@bp.get("/invitations/<token>")
def invitation(token: str):
    """Anyone holding the link sees what it is for; only the invited account accepts it."""
    try:
        found = memberships.open_invitation(token)
    except (NotFound, memberships.InvitationGone) as error:
        return _invitation_problem(error)
    user = permissions.current_user_or_none()
    wrong_account = user is not None and not memberships.invitation_is_for(user, found)
    return render_template(
        "accounts/organisations/invitation.html",
        invitation=found,
        token=token,
        user=user,
        wrong_account=wrong_account,
        login_url=url_for("accounts.login", next=request.path),
        ADMIN=ADMIN,
    ), (403 if wrong_account else 200)


@bp.post("/invitations/<token>")
@login_required
def accept_invitation(token: str):
    if not ConfirmForm().validate():
        raise _bad_form()
    try:
        link = memberships.accept_invitation(permissions.current_user_or_none(), token)
    except (NotFound, memberships.InvitationGone) as error:
        return _invitation_problem(error)
    db.session.commit()
    flash(_("Welcome to %(organisation)s.", organisation=link.organisation.name))
    return redirect(url_for(".dashboard"))


# ---------------------------------------------------------------------------------------------
# Declaring an organisation


def _network_choices() -> list[tuple[str, str]]:
    return [(term.code, _locale_label(term)) for term in taxonomy.terms(T_RESEAU_PORTEUR)]


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
@verified_required
def new_organisation():
    user = permissions.current_user_or_none()
    form = OrganisationForm()
    form.networks.choices = _network_choices()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                organisation = organisations.create_organisation(user, form.to_data())
            except Invalid as error:
                db.session.rollback()
                form.add_errors(error.field_errors)
                status = 400
            else:
                db.session.commit()
                flash(
                    _(
                        "%(organisation)s is declared. It will appear on Relais once a territory "
                        "manager has approved it; you will be told by email.",
                        organisation=organisation.name,
                    )
                )
                return redirect(url_for(".dashboard"))
        else:
            status = 400
    return render_template("accounts/organisations/new.html", form=form), status


# ---------------------------------------------------------------------------------------------
# Moderation


def _moderator():
    user = permissions.current_user_or_none()
    permissions.require(permissions.moderates_something(user))
    return user


@bp.get("/moderation")
@login_required
def moderation():
    user = _moderator()
    return render_template(
        "accounts/organisations/moderation.html",
        queue=organisations.moderation_queue(user),
        form=DecisionForm(formdata=None),
    )


@bp.post("/moderation/organisations/<uuid:organisation_id>")
@login_required
def moderate_organisation(organisation_id: uuid.UUID):
    user = _moderator()
    form = DecisionForm()
    if not form.validate():
        raise _bad_form()
    organisation = organisations.organisation_by_id(organisation_id)
    organisations.decide_organisation(user, organisation, form.accepted)
    db.session.commit()
    flash(
        _("%(organisation)s is approved.", organisation=organisation.name)
        if form.accepted
        else _("%(organisation)s is refused.", organisation=organisation.name)
    )
    return redirect(url_for(".moderation"))


@bp.post("/moderation/demandes/<uuid:membership_id>")
@login_required
def moderate_request(membership_id: uuid.UUID):
    user = _moderator()
    form = DecisionForm()
    if not form.validate():
        raise _bad_form()
    link = db.session.get(Membership, membership_id)
    if link is None:
        raise NotFound(_("This request does not exist."))
    memberships.decide_request(user, link, form.accepted)
    db.session.commit()
    name, organisation = link.user.name, link.organisation.name
    flash(
        _(
            "%(name)s is now administrator of %(organisation)s.",
            name=name,
            organisation=organisation,
        )
        if form.accepted
        else _("The request of %(name)s is refused.", name=name)
    )
    return redirect(url_for(".moderation"))
