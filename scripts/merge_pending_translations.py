"""Fill the French catalogue's empty entries from translations/pending/*.po (French handed in
by work done in parallel); delete those files once merged. Run after
`scripts/i18n.sh extract && scripts/i18n.sh update`."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"



def _translated(string) -> bool:
    """A plural entry is a tuple of forms: translated only when every form is."""
    return all(string) if isinstance(string, tuple) else bool(string)


with CATALOGUE.open("rb") as f:
    catalogue = read_po(f, locale="fr")
filled = 0
for pending in sorted((ROOT / "translations" / "pending").glob("*.po")):
    with pending.open("rb") as f:
        for message in read_po(f, locale="fr"):
            target = catalogue.get(message.id)
            if not message.id or target is None or not _translated(message.string):
                continue
            if not _translated(target.string):
                target.string = message.string
                target.flags.discard("fuzzy")
                filled += 1
with CATALOGUE.open("wb") as f:
    write_po(f, catalogue, width=76, sort_output=True, include_previous=False)
missing = [m.id for m in catalogue if m.id and not _translated(m.string)]
print(f"filled {filled}; still untranslated: {len(missing)}")
for message_id in missing:
    print("  ", message_id)
