"""A small referral world shared by the referral tests: an advisor at a mission locale, a
garage solidaire at a CCAS, a person the advisor recorded with consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from accounts.models import User
from directory.models import Organisation, Service
from referrals import people
from referrals.models import Consent, Person, Referral
from referrals.referrals import draft_referral
from tests import factories as f

MOBILITY = "mobilite--etre-accompagne-dans-son-parcours-mobilite"
CAR = "mobilite--acceder-a-un-vehicule"
HOUSING = "logement-hebergement--louer-un-logement"


@dataclass
class World:
    sending: Organisation
    receiving: Organisation
    advisor: User
    receiver: User
    service: Service
    person: Person


def build(*, moderation_status: str = "approved") -> World:
    sending = f.organisation(name="Mission locale de Lyon", postcode="69003",
                             moderation_status=moderation_status)
    receiving = f.organisation(name="CCAS de Villeurbanne", postcode="69100")
    advisor = f.user("conseillere@mission-locale.example")
    receiver = f.user("accueil@ccas.example")
    f.membership(advisor, sending)
    f.membership(receiver, receiving)
    service = f.service(receiving, name="Garage solidaire", thematiques=[MOBILITY, CAR])
    person = record(advisor, sending, needs=[MOBILITY])
    return World(sending, receiving, advisor, receiver, service, person)


def record(advisor: User, organisation: Organisation, *, needs=(MOBILITY,),
           first_name="Camille", last_name="Martin", birth_date="1999-05-17",
           email="camille.martin@example.org", **fields) -> Person:
    """A person recorded by `advisor` for `organisation`, with an in-person consent."""
    data = {"first_name": first_name, "last_name": last_name, "birth_date": birth_date,
            "email": email, **fields}
    return people.create_person(advisor, organisation, data,
                                {"method": "in-person", "categories": ["identity", "contact"],
                                 "needs": list(needs)})


def referral_consent(world: World, *, categories=("identity", "contact", "situation"),
                     service: Service | None = None, **fields) -> Consent:
    return f.consent(world.person, world.receiving, world.sending, categories=categories,
                     advisor=world.advisor, purpose="referral",
                     service=service or world.service, **fields)


def draft(world: World, *, need: str | None = MOBILITY, situation=None,
          consent: Consent | None = None, now: datetime | None = None) -> Referral:
    return draft_referral(world.advisor, world.sending, world.person, world.service, need,
                          "Needs a car to reach a job in Vaulx-en-Velin.", situation,
                          consent or referral_consent(world),
                          now=now or datetime.now(UTC))
