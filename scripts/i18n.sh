#!/usr/bin/env bash
# Translations: extract the English source strings, update the French catalogue, compile it.
#   scripts/i18n.sh extract   # templates and Python -> translations/messages.pot
#   scripts/i18n.sh update    # merge the .pot into translations/fr/LC_MESSAGES/messages.po
#   scripts/i18n.sh compile   # .po -> .mo (git-ignored; the app and the tests need it)
#   scripts/i18n.sh all       # the three, in order
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
[ -x "$PYBABEL" ] || PYBABEL=pybabel
# Dot-directories (.venv, .git) plus folders that hold no user-facing strings.
IGNORE_DIRS=".* ._ tests migrations instance bench build"

extract() {
  "$PYBABEL" extract -F babel.cfg -k lazy_gettext -k _l --ignore-dirs="$IGNORE_DIRS" \
    --add-location=file --sort-output --project=Relais --copyright-holder="Relais contributors" \
    -o translations/messages.pot .
}
update() {
  if [ ! -f translations/fr/LC_MESSAGES/messages.po ]; then
    "$PYBABEL" init -i translations/messages.pot -d translations -l fr
    return
  fi
  "$PYBABEL" update -i translations/messages.pot -d translations -l fr --no-fuzzy-matching \
    --ignore-obsolete
}
compile_catalogues() {
  "$PYBABEL" compile -d translations --statistics
}

case "${1:-}" in
  extract) extract ;;
  update) update ;;
  compile) compile_catalogues ;;
  all) extract; update; compile_catalogues ;;
  *) echo "usage: $0 extract|update|compile|all" >&2; exit 2 ;;
esac
