"""An organisation where nobody has an account answers a referral through the magic link
emailed to its own address: it reads what the person's consent shares (audited as the link),
accepts, writes, starts and completes, while the sender sees each state. The link opens that
referral only, dies when altered, expired, replaced, or once the organisation can sign in, is
renewed only to the address on record, and a withdrawal of consent cuts it off at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from accounts.mail import deliver_pending
from directory.models import Organisation
from errors import NotFound
from referrals import consent as ledger
from referrals import magic_link
from referrals.magic_link import MagicLink
from referrals.models import AuditEntry, Referral, ReferralEvent, ReferralMessage
from referrals.referrals import post_message, roles_of, send
from tests import factories as f
from tests.accounts.test_permissions import post
from tests.conftest import PageClient
from tests.pages.html_checks import get_page
from tests.referrals.test_pages import hidden, posted_back_text, referral_form
from tests.referrals.world import MOBILITY, World, draft, record

PROVIDER_ADDRESS = "contact@roue-libre.example"
PERSON_ADDRESS = "camille.martin@example.org"
LINK = re.compile(r"https?://[^\s]+(/orientation/lien/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def world(session) -> World:
    """A mission locale refers people to an association where nobody has an account."""
    sending = f.organisation(name="Mission locale de Lyon", postcode="69003")
    receiving = f.organisation(name="Association Roue Libre", postcode="69100",
                               email=PROVIDER_ADDRESS)
    advisor = f.user("conseillere@mission-locale.example")
    f.membership(advisor, sending)
    service = f.service(receiving, name="Atelier vélo solidaire", thematiques=[MOBILITY])
    person = record(advisor, sending, needs=[MOBILITY])
    session.commit()
    return World(sending, receiving, advisor, None, service, person)


def provider_client(app) -> PageClient:
    """A browser of its own: the provider is nobody's session."""
    return PageClient(app, app.response_class, use_cookies=True)


def links_in(smtp, address: str) -> list[str]:
    """The magic link paths emailed to `address`, oldest first."""
    return [match.group(1) for message in smtp.to(address)
            for match in [LINK.search(smtp.body(message))] if match]


def send_now(app, world, **changes) -> Referral:
    referral = draft(world, **changes)
    with app.test_request_context(base_url="https://relais.example"):
        assert send(referral, world.advisor, referral.version, confirmed=True).done
    return referral


def act(client, path: str, action: str, **fields):
    page = get_page(client, path + "?lang=en")
    return post(client, f"{path}/{action}", {"version": hidden(page, "version"), **fields})


def link_reads(session, link_id) -> list[AuditEntry]:
    return [entry for entry in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
            if (entry.details or {}).get("magic_link") == str(link_id)
            and entry.action == "read"]


# ---------------------------------------------------------------------------------------------
# The whole referral


def test_a_referral_goes_to_its_outcome_through_the_magic_link(app, client, session, smtp,
                                                               world):
    # The advisor refers the person through the pages, sharing identity, contact, situation.
    f.login(client, world.advisor)
    url = f"/espace/personnes/{world.person.id}/orienter?service={world.service.id}&lang=en"
    form = referral_form(get_page(client, url),
                         categories=["identity", "contact", "situation"])
    response = post(client, url, {**form, "consent_text": posted_back_text(post(client, url,
                                                                                 form))})
    assert response.status_code == 302
    referral_url = urlsplit(response.location).path
    referral = session.scalars(sa.select(Referral)).one()
    deliver_pending()

    # The association's address on record receives the link, and nothing about the person.
    [email] = smtp.to(PROVIDER_ADDRESS)
    body = smtp.body(email)
    assert "Atelier vélo solidaire" in email["Subject"]
    words = re.sub(r"https?://\S+", "", body)  # the link's random token may hold any digits
    for private in ("Camille", "Martin", "camille.martin", "27"):
        assert private not in words
    [path] = links_in(smtp, PROVIDER_ADDRESS)
    token = path.rsplit("/", 1)[1]
    link = session.scalars(sa.select(MagicLink)).one()
    assert link.address == PROVIDER_ADDRESS and link.token_hash != token
    assert token not in repr(session.execute(sa.select(MagicLink.__table__)).all())

    # Opening it shows the referral and what the consent shares; the first reading opens it.
    provider = provider_client(app)
    page = get_page(provider, path + "?lang=en")
    assert "Status: opened" in page.text
    assert "Camille Martin" in page.text and PERSON_ADDRESS in page.text
    assert "<dd>27</dd>" in page.html  # the situation facts the consent covers
    assert "Association Roue Libre" in page.text and "this referral only" in page.text
    reads = link_reads(session, link.id)
    assert reads and all(r.actor_kind == "magic-link" and r.actor_id is None
                         and r.organisation_id == world.receiving.id for r in reads)
    assert {r.subject_type for r in reads} >= {"person", "situation", "referral-thread"}

    def sender_sees(status: str) -> str:
        page = get_page(client, referral_url + "?lang=en")
        assert f"Status: {status}" in page.text
        return page.text

    sender_sees("opened")
    response = act(provider, path, "accept", note="We can see her on Tuesday.")
    assert response.status_code == 302 and urlsplit(response.location).path == path
    assert "We can see her on Tuesday." in sender_sees("accepted")

    response = post(provider, path + "/messages", {"body": "Bring a bike helmet if you can."})
    assert response.status_code == 302
    assert "Bring a bike helmet if you can." in sender_sees("accepted")
    assert post(client, referral_url + "/messages",
                {"body": "She has one."}).status_code == 302
    assert "She has one." in get_page(provider, path + "?lang=en").text

    assert act(provider, path, "start").status_code == 302
    sender_sees("in progress")
    assert act(provider, path, "complete", outcome="started").status_code == 302
    text = sender_sees("completed")
    assert "Started" in text or "started" in text

    events = session.scalars(sa.select(ReferralEvent).where(
        ReferralEvent.referral_id == referral.id).order_by(ReferralEvent.at)).all()
    assert [(e.action, e.actor_kind) for e in events] == [
        ("send", "user"), ("open", "magic-link"), ("accept", "magic-link"),
        ("start", "magic-link"), ("complete", "magic-link")]
    [message] = session.scalars(sa.select(ReferralMessage).where(
        ReferralMessage.author_kind == "receiver")).all()
    assert message.author_id is None

    # The sender heard each answer; the person's emails carry their withdrawal link.
    deliver_pending()
    assert len(smtp.to(world.advisor.email)) == 2  # accepted, completed
    personal = smtp.to(PERSON_ADDRESS)
    assert len(personal) == 3  # sent, accepted, completed
    assert all("/consentement/retrait/" in smtp.body(m) for m in personal)
    assert smtp.to(PROVIDER_ADDRESS) == [email]  # one link, nothing more
    from referrals.audit import verify

    assert verify().ok


# ---------------------------------------------------------------------------------------------
# What the link opens, and for how long


@pytest.fixture
def sent(app, session, smtp, world):
    referral = send_now(app, world, situation={"age": 27})
    session.commit()
    deliver_pending()
    [path] = links_in(smtp, PROVIDER_ADDRESS)
    return referral, path


def test_an_altered_or_forged_token_opens_nothing(app, session, sent):
    referral, path = sent
    provider = provider_client(app)
    token = path.rsplit("/", 1)[1]
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with app.test_request_context():
        forged = magic_link._serializer().dumps([str(session.scalars(
            sa.select(MagicLink.id)).one()), "another-nonce"])  # signed, but never issued
    for bad in (altered, forged, "not-a-token"):
        page = get_page(provider, f"/orientation/lien/{bad}?lang=en", status=404)
        assert "This link is not valid" in page.text and "Camille" not in page.text
        assert post(provider, f"/orientation/lien/{bad}/accept",
                    {"version": str(referral.version)}).status_code == 404
    session.refresh(referral)
    assert referral.status == "sent"


def test_an_expired_link_is_renewed_only_to_the_address_on_record(app, session, smtp, world,
                                                                  sent):
    referral, path = sent
    link = session.scalars(sa.select(MagicLink)).one()
    link.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    link.created_at = datetime.now(UTC) - timedelta(days=8, minutes=1)
    world.receiving.email = "accueil@roue-libre.example"  # the address on record changed
    session.commit()
    provider = provider_client(app)

    page = get_page(provider, path + "?lang=en", status=410)
    assert "This link has expired" in page.text and "Camille" not in page.text
    assert "a•••@roue-libre.example" in page.text
    response = post(provider, path + "/renouveler", {"email": "attacker@evil.example"})
    assert response.status_code == 200
    assert "A new link has been sent" in response.get_data(as_text=True)
    deliver_pending()
    assert smtp.to("attacker@evil.example") == []
    [fresh] = links_in(smtp, "accueil@roue-libre.example")
    assert fresh != path
    assert "Camille Martin" in get_page(provider, fresh + "?lang=en").text
    # The old link is replaced, and is not renewed again; nor is the new one, so soon.
    page = get_page(provider, path + "?lang=en", status=410)
    assert "Send me a new link" not in page.text
    post(provider, path + "/renouveler")
    post(provider, fresh + "/renouveler")
    deliver_pending()
    assert len(links_in(smtp, "accueil@roue-libre.example")) == 1
    assert session.scalar(sa.select(sa.func.count(MagicLink.id))) == 2


def test_asking_for_new_links_is_rate_limited(app, session, sent):
    _referral, path = sent
    provider = provider_client(app)
    statuses = [post(provider, path + "/renouveler").status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_a_referral_over_keeps_its_link_until_its_date_but_never_renews_it(app, session, smtp,
                                                                          sent):
    referral, path = sent
    provider = provider_client(app)
    assert act(provider, path, "decline", reason="no-capacity").status_code == 302
    assert "Status: declined" in get_page(provider, path + "?lang=en").text
    link = session.scalars(sa.select(MagicLink)).one()
    link.expires_at = link.created_at = datetime.now(UTC) - timedelta(days=9)
    session.commit()
    page = get_page(provider, path + "?lang=en", status=410)
    assert "This referral is over" in page.text and "Send me a new link" not in page.text
    post(provider, path + "/renouveler")
    deliver_pending()
    assert len(links_in(smtp, PROVIDER_ADDRESS)) == 1


def test_the_link_opens_its_referral_and_nothing_else(app, session, smtp, world, sent):
    first, path = sent
    second = send_now(app, world)
    session.commit()
    provider = provider_client(app)
    get_page(provider, path + "?lang=en")

    # No other action than answering, and no page of the members' space.
    for action in ("cancel", "close", "send", "open", "release", "expire", "nonsense"):
        assert post(provider, f"{path}/{action}",
                    {"version": str(first.version)}).status_code == 404, action
    for url in ("/espace/orientations", f"/espace/orientations/{first.id}",
                f"/espace/orientations/{second.id}", f"/espace/personnes/{world.person.id}"):
        response = provider.get(url)
        assert response.status_code in (302, 401, 403) and "Camille" not in \
            response.get_data(as_text=True), url
    session.refresh(second)
    assert second.status == "sent"  # untouched, unopened

    # The principal the link makes is the receiver of its own referral only.
    _link, holder = magic_link.open_link(path.rsplit("/", 1)[1])
    assert roles_of(holder, first) == {"receiver"} and roles_of(holder, second) == set()
    with pytest.raises(NotFound):
        post_message(second, holder, "Hello")
    stranger = record(world.advisor, world.sending, first_name="Léa", last_name="Durand",
                      email="lea@example.org")
    with pytest.raises(NotFound):
        ledger.read_person(holder, stranger.id, ["identity"], purpose="test")
    session.rollback()


def test_a_withdrawal_of_consent_cuts_the_link_off_at_once(app, session, smtp, sent):
    referral, path = sent
    provider = provider_client(app)
    assert "Camille Martin" in get_page(provider, path + "?lang=en").text
    # The person withdraws from the link in their email, without signing in.
    [email] = smtp.to(PERSON_ADDRESS)
    withdrawal = re.search(r"https?://[^\s]+(/consentement/retrait/\S+)", smtp.body(email))
    person = provider_client(app)
    assert post(person, withdrawal.group(1)).status_code in (200, 302)

    page = get_page(provider, path + "?lang=en")
    assert "Camille" not in page.text and PERSON_ADDRESS not in page.text
    assert "<dd>27</dd>" not in page.html  # (times and tokens on the page may hold "27")
    assert "consent" in page.text
    assert post(provider, path + "/messages", {"body": "Hello?"}).status_code == 403
    refused = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read-refused", AuditEntry.actor_kind == "magic-link")).all()
    assert {e.subject_type for e in refused} >= {"person", "referral-thread"}


def test_once_the_organisation_can_sign_in_the_link_sends_people_to_sign_in(app, session,
                                                                            world, sent):
    _referral, path = sent
    member = f.user("benevole@roue-libre.example")
    f.membership(member, world.receiving)
    session.commit()
    page = get_page(provider_client(app), path + "?lang=en", status=403)
    assert "sign in" in page.text and "Camille" not in page.text
    assert page.links()["Sign in"].startswith("/login")


def test_an_organisation_with_someone_to_sign_in_gets_no_link(app, session, smtp, world):
    member = f.user("benevole@roue-libre.example")
    f.membership(member, world.receiving)
    session.commit()
    send_now(app, world)
    session.commit()
    deliver_pending()
    assert session.scalar(sa.select(sa.func.count(MagicLink.id))) == 0
    assert smtp.to(PROVIDER_ADDRESS) == [] and len(smtp.to(member.email)) == 1


def test_an_organisation_without_an_address_gets_no_link(app, session, smtp, world):
    session.get(Organisation, world.receiving.id).email = None
    session.commit()
    send_now(app, world)
    session.commit()
    assert session.scalar(sa.select(sa.func.count(MagicLink.id))) == 0


def test_a_cancellation_is_told_to_the_organisation_address(app, session, smtp, world, sent):
    referral, path = sent
    from referrals.referrals import act as take

    take(referral, "cancel", world.advisor, referral.version)
    session.commit()
    deliver_pending()
    told, cancelled = smtp.to(PROVIDER_ADDRESS)
    assert "/orientation/lien/" not in smtp.body(cancelled)
    assert "Atelier vélo solidaire" in smtp.body(cancelled)
    page = get_page(provider_client(app), path + "?lang=en")
    assert "What you can do" not in page.text  # nothing left to answer


# ---------------------------------------------------------------------------------------------
# The rules, without HTTP


def test_a_link_lives_its_days_and_a_new_one_replaces_it(app, session, world):
    referral = draft(world)
    session.flush()
    referral.status, referral.sent_at = "sent", datetime.now(UTC)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with app.test_request_context():
        first = magic_link.issue(referral, now=start)
        assert first.link.expires_at == start + timedelta(days=8)
        assert magic_link.state_of(first.link, start + timedelta(days=7, hours=23)) is None
        assert magic_link.state_of(first.link, start + timedelta(days=8)) == "expired"
        # Renewing waits for the expiry, then is paused for ten minutes after each link.
        assert magic_link.renew(first.token, now=start + timedelta(days=1)) is None
        second = magic_link.renew(first.token, now=start + timedelta(days=9))
        assert second is not None and second.token != first.token
        assert magic_link.state_of(magic_link.find(first.token)) == "revoked"
        assert magic_link.renew(second.token, now=start + timedelta(days=17, minutes=5)) \
            is not None


def test_the_address_shown_to_a_link_holder_is_masked():
    assert magic_link.masked("accueil@roue-libre.example") == "a•••@roue-libre.example"
    assert magic_link.masked("") == "•••"


def test_the_ten_day_reminder_brings_a_fresh_link(app, session, smtp, world, sent):
    from referrals.expiry import remind_unanswered

    referral, path = sent
    with app.test_request_context(base_url="https://relais.example"), force_locale("en"):
        assert remind_unanswered(now=datetime.now(UTC) + timedelta(days=10, minutes=1)) \
            == (1, 1)
    session.commit()
    deliver_pending()
    first, reminder = smtp.to(PROVIDER_ADDRESS)
    assert "waiting for your answer" in reminder["Subject"]
    assert "waiting for an answer for 10 days" in smtp.body(reminder)
    [fresh] = [p for p in links_in(smtp, PROVIDER_ADDRESS) if p != path]
    assert get_page(provider_client(app), path + "?lang=en", status=410)
    assert "Camille Martin" in get_page(provider_client(app), fresh + "?lang=en").text
