# Sourced by scripts/serve and scripts/test: make .venv exist and hold the project.
#
#   ensure_venv EXTRAS    EXTRAS is "" (runtime only) or e.g. "test"
#
# pip runs only when pyproject.toml changed since the last install with these extras
# (a stamp file in .venv records its digest), so starting again is instant.

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

_die() {
    echo "error: $*" >&2
    exit 1
}

_pyproject_digest() {
    "$VENV/bin/python" -c \
        'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())'
}

ensure_venv() {
    local extras=$1 stamp target digest
    if [ ! -x "$VENV/bin/python" ]; then
        command -v "$PYTHON" >/dev/null 2>&1 \
            || _die "$PYTHON not found: install Python 3.11 or newer (or set PYTHON=/path/to/python3)"
        "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
            || _die "$("$PYTHON" -V 2>&1) is too old: Python 3.11 or newer is needed (set PYTHON=...)"
        echo "Creating $VENV with $("$PYTHON" -V 2>&1) ..." >&2
        "$PYTHON" -m venv "$VENV" \
            || _die "could not create $VENV (Debian/Ubuntu: apt-get install python3-venv)"
    fi
    if [ -n "$extras" ]; then
        stamp="$VENV/.installed-$extras"
        target=".[$extras]"
    else
        stamp="$VENV/.installed"
        target="."
    fi
    digest=$(_pyproject_digest)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
        return 0
    fi
    # Installing with extras also installs the runtime: that counts for the plain stamp too.
    if [ -z "$extras" ] && [ -f "$VENV/.installed-test" ] \
        && [ "$(cat "$VENV/.installed-test")" = "$digest" ]; then
        return 0
    fi
    echo "Installing $target into $VENV (pyproject.toml changed or first run) ..." >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$target" >&2 \
        || _die "pip install -e '$target' failed"
    echo "$digest" >"$stamp"
}
