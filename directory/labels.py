"""Words for the catalogue's own codes (statuses, zone kinds), in the reader's language."""

from flask_babel import lazy_gettext as _l

from directory.models import (
    ARCHIVED,
    DRAFT,
    PUBLISHED,
    SUSPENDED,
    ZONE_COMMUNE,
    ZONE_COUNTRY,
    ZONE_DEPARTEMENT,
    ZONE_EPCI,
    ZONE_REGION,
)

STATUS_LABELS = {
    DRAFT: _l("draft"),
    PUBLISHED: _l("published"),
    SUSPENDED: _l("suspended"),
    ARCHIVED: _l("archived"),
}

ZONE_KIND_LABELS = {
    ZONE_COMMUNE: _l("commune"),
    ZONE_EPCI: _l("EPCI"),
    ZONE_DEPARTEMENT: _l("département"),
    ZONE_REGION: _l("région"),
    ZONE_COUNTRY: _l("whole country"),
}
