#!/usr/bin/env bash
# Superdesk ingest check (issue item 15): runs superdesk-core 2.5.3's own NewsMLTwoFeedParser and
# NINJSFeedParser on what the live server sends, and reports what a Superdesk newsroom keeps.
#
#   scripts/superdesk.sh [SERVER_BINARY]        (default target/debug/wirefeed; run from anywhere)
#   SUPERDESK_STRICT=0 scripts/superdesk.sh     report the losses without failing
#
# Makes (or reuses) a Python 3.8 venv in target/superdesk-venv from pyenv's 3.8 (superdesk-core
# 2.5.3 is a Python 3.8 package), installs the pinned set below from PyPI, starts the server with
# scripts/lib.sh on a fresh database and runs scripts/superdesk_check.py against it.
# Exit status: the check's (0 ok, 1 something that must not be lost is lost), 2 setup problems.
set -euo pipefail
bin=${1:-target/debug/wirefeed}
case $bin in /*) ;; *) [ -n "${1:-}" ] && bin=$PWD/$bin ;; esac  # a path given relative to where we were called
cd "$(dirname "$0")/.."
venv=target/superdesk-venv
PYENV_ROOT=${PYENV_ROOT:-/root/.pyenv}

say() { echo "superdesk.sh: $*" >&2; }
fail() { say "$*"; exit 2; }

[ -x "$bin" ] || fail "no server binary at $bin (build it first, e.g. cargo build)"

# The whole set that superdesk-core 2.5.3 resolved to under Python 3.8 and imports with, pinned so a
# later release of any of them cannot break the check. Found by trying:
#  - pip itself must stay below 24.1: celery 4.4.7 (required by superdesk-core 2.5.3) declares
#    "pytz>dev", which pip >= 24.1 rejects as invalid metadata, and then finds no celery at all;
#  - the rest is what pip 24.0 picks (superdesk-core pins Flask 1.1, Werkzeug 1.0, Jinja2 2.11,
#    MarkupSafe 2.0, itsdangerous 1.1, eve 1.1.2 itself);
#  - tomli (reads data/iptc-subject-mapping.toml), jsonschema 4.17 (checks ninjs 1.6 against IPTC's
#    schema; the last line that runs on 3.8 without Rust) and the two validators it checks the
#    "uri" and "date-time" formats with are for the check script.
read -r -d '' requirements <<'EOF' || true
superdesk-core==2.5.3
tomli==2.0.1
jsonschema==4.17.3
rfc3339-validator==0.1.4
rfc3986-validator==0.1.1
EOF
read -r -d '' constraints <<'EOF' || true
amqp==2.6.1
arrow==0.13.0
attrs==25.3.0
Authlib==0.14.3
babel==2.18.0
bcrypt==3.1.7
billiard==3.6.4.0
blinker==1.4
boto3==1.37.38
botocore==1.37.38
cachetools==5.5.2
celery==4.4.7
Cerberus==1.3.8
certifi==2026.10.19.post1
cffi==1.17.1
chardet==3.0.4
charset-normalizer==3.5.3
ciso8601==1.0.8
click==7.1.2
croniter==0.3.37
cryptography==47.0.0
draftjs-exporter==2.1.7
elastic-apm==6.7.2
elasticsearch==7.13.4
Eve==1.1.2
Eve-Elastic==7.1.4
Events==0.3
feedparser==6.0.12
Flask==1.1.4
Flask-Babel==1.0.0
Flask-Mail==0.9.1
flask-oidc-ex==0.5.5
Flask-Script==2.0.6
future==1.0.0
hachoir==3.0a3
HermesCache==0.10.0
httplib2==0.32.1
idna==3.15
importlib-metadata==3.1.1
importlib_resources==6.4.5
itsdangerous==1.1.0
Jinja2==2.11.3
jmespath==1.0.1
jsonschema==4.17.3
jwcrypto==1.5.8
kombu==4.6.11
ldap3==2.5.2
lxml==4.6.5
MarkupSafe==2.0.1
mongolock==1.3.4
natsort==8.4.0
oauth2client==4.1.3
oauthlib==3.3.1
Pillow==9.2.0
pkgutil_resolve_name==1.3.10
pyasn1==0.6.5
pyasn1_modules==0.4.2
pycparser==2.23
pymongo==3.11.4
pyparsing==3.1.4
pyrsistent==0.20.0
python-dateutil==2.7.5
python-jwt==4.1.0
python-magic==0.4.27
python-twitter==3.5
pytz==2026.6
PyYAML==5.4.1
raven==6.10.0
redis==3.2.1
regex==2020.7.14
requests==2.32.4
requests-oauthlib==2.0.0
rfc3339-validator==0.1.4
rfc3986-validator==0.1.1
rsa==4.9.1
s3transfer==0.11.5
sgmllib3k==1.0.0
simplejson==3.20.2
six==1.17.0
superdesk-core==2.5.3
tomli==2.0.1
typing_extensions==4.13.2
tzlocal==2.1
Unidecode==0.4.21
urllib3==1.25.11
vine==1.3.0
websockets==6.0
Werkzeug==1.0.1
zipp==3.20.2
EOF

# Python 3.8 from pyenv. It cannot be installed here: `pyenv install` downloads CPython's source
# from python.org, which this machine does not reach.
py38=${SUPERDESK_PYTHON:-}
if [ -z "$py38" ]; then
  pyenv_bin=$(command -v pyenv || true)
  [ -z "$pyenv_bin" ] && [ -x "$PYENV_ROOT/bin/pyenv" ] && pyenv_bin=$PYENV_ROOT/bin/pyenv
  v=
  if [ -n "$pyenv_bin" ]; then
    v=$(PYENV_ROOT=$PYENV_ROOT "$pyenv_bin" versions --bare 2>/dev/null | grep -E '^3\.8\.[0-9]+$' | sort -V | tail -n 1 || true)
  fi
  if [ -z "$v" ] && [ -d "$PYENV_ROOT/versions" ]; then
    v=$(ls "$PYENV_ROOT/versions" | grep -E '^3\.8\.[0-9]+$' | sort -V | tail -n 1 || true)
  fi
  [ -n "$v" ] && py38=$PYENV_ROOT/versions/$v/bin/python3.8
fi
if [ -z "$py38" ] || [ ! -x "$py38" ]; then
  fail "no Python 3.8 under $PYENV_ROOT/versions (found: $(ls "$PYENV_ROOT/versions" 2>/dev/null | tr '\n' ' ')).
superdesk-core 2.5.3 needs Python 3.8, and 'pyenv install 3.8' cannot work offline (it downloads
CPython from python.org). Use a machine image whose pyenv has 3.8, or set SUPERDESK_PYTHON to a python3.8."
fi
"$py38" -c 'import sys, ssl, sqlite3; assert sys.version_info[:2] == (3, 8)' \
  || fail "$py38 is not a working Python 3.8 (with ssl and sqlite3)"

# System packages: a C compiler for the sdists without 3.8 wheels (ciso8601, websockets), libmagic for
# python-magic, libxml2/libxslt headers in case lxml has to build. Installed only if missing.
missing=()
for pkg in build-essential libmagic1 libxml2-dev libxslt1-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} with apt-get"
  command -v apt-get >/dev/null || fail "apt-get not found; install ${missing[*]} by hand"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]} failed"
fi

# The venv: reused while it was made from the same Python with the same pins.
stamp="$("$py38" -c 'import sys, platform; print(platform.python_version(), sys.executable)')
$requirements
$constraints"
stamp_hash=$(printf '%s' "$stamp" | sha256sum | cut -d' ' -f1)
if [ -f "$venv/.wirefeed-stamp" ] && [ "$(cat "$venv/.wirefeed-stamp")" = "$stamp_hash" ] && [ -x "$venv/bin/python" ]; then
  say "reusing $venv"
else
  say "making $venv from $py38 (a few minutes the first time)"
  rm -rf "$venv"
  "$py38" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'pip==24.0' \
    || fail "could not install pip 24.0 into $venv"
  printf '%s\n' "$constraints" > "$venv/constraints.txt"
  printf '%s\n' "$requirements" > "$venv/requirements.txt"
  # pip 24.0 warns about celery's "pytz>dev" (see above); that warning is expected.
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r "$venv/requirements.txt" -c "$venv/constraints.txt" 2> "$venv/pip.log"; then
    cat "$venv/pip.log" >&2
    fail "pip could not install superdesk-core 2.5.3 (log above, also in $venv/pip.log)"
  fi
  "$venv/bin/python" - <<'PY' || fail "superdesk-core 2.5.3 installed but does not import under Python 3.8"
import logging
logging.disable(logging.WARNING)
import flask, lxml, tomli, jsonschema, rfc3339_validator, rfc3986_validator
from superdesk.io import iptc, subjectcodes
from superdesk.io.feed_parsers.newsml_2_0 import NewsMLTwoFeedParser
from superdesk.io.feed_parsers.ninjs import NINJSFeedParser
PY
  echo "$stamp_hash" > "$venv/.wirefeed-stamp"
fi

# The live server (scripts/lib.sh: fresh database, shipped config, on a free port; stopped on exit).
source scripts/lib.sh
start_server

status=0
"$venv/bin/python" scripts/superdesk_check.py "$base" || status=$?
exit "$status"
