# Sourced by demo.sh and test.sh: one virtual environment, Relais installed in it, messages compiled.
install_relais() {  # install_relais ".[test]"
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
        .venv/bin/python -m pip install --quiet --upgrade pip
    fi
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$1"
    bash scripts/i18n.sh compile >/dev/null
}
