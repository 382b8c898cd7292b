#!/bin/sh
# PPMS installer: turns a fresh Debian / Raspberry Pi OS box into a terminal (and/or the center).
# Run as root from the source tree:  sudo make install   (or: sudo deploy/install.sh [options])
# Running it again upgrades in place: data (/var/lib/ppms) and settings (/etc/ppms) are kept.
# docs/install.md is the technician's guide.
#
# Options (environment or flags):
#   DESTDIR=DIR | --destdir DIR   install into a scratch root: users go into DIR/etc/passwd and
#                                 DIR/etc/group (useradd --prefix), units are enabled with
#                                 `systemctl --root` (pcscd.socket too when DIR has it), the
#                                 ledger copied and checked as on a box; nothing on the running
#                                 system is touched (no apt-get, no udevadm, no daemon-reload,
#                                 no service started)
#   --role terminal|central|both  which services to enable (default: terminal)
#   --pip-args "ARGS"             extra arguments for pip (e.g. "--no-index --find-links WHEELS")
#   --extras LIST                 the package's extras to install (default: devices,cards,ui)
#   --venv-args "ARGS"            extra arguments for `python3 -m venv` (e.g. --system-site-packages)
#   --no-start                    enable the units but do not (re)start them
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
ROLE=${ROLE:-terminal}
PIP_ARGS=${PIP_ARGS:-}
VENV_ARGS=${VENV_ARGS:-}
EXTRAS=${EXTRAS:-devices,cards,ui}
START=yes
PYTHON=${PYTHON:-/usr/bin/python3}
while [ $# -gt 0 ]; do
    case "$1" in
        --destdir) DESTDIR=$2; shift ;;
        --role) ROLE=$2; shift ;;
        --pip-args) PIP_ARGS=$2; shift ;;
        --extras) EXTRAS=$2; shift ;;
        --venv-args) VENV_ARGS=$2; shift ;;
        --no-start) START=no ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case "$ROLE" in terminal|central|both) ;; *) echo "install.sh: --role is terminal, central or both" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root (sudo make install)" >&2; exit 2; }
if [ -n "$DESTDIR" ]; then
    DESTDIR=$(mkdir -p "$DESTDIR" && cd "$DESTDIR" && pwd)
    START=no
fi

OPT=/opt/ppms
ETC=/etc/ppms
STATE=/var/lib/ppms
CENTRAL_STATE=/var/lib/ppms-central
UNITS=/etc/systemd/system
UDEV=/etc/udev/rules.d
VERSION=$(sed -n 's/^version *= *//p' "$SRC/setup.cfg")
STAMP=$(date -u +%Y%m%dT%H%M%S)
say() { echo "ppms install: $*"; }

# --- system packages (a real box only) --------------------------------------------------
APT="pcscd libccid python3-venv python3-dev libpcsclite-dev swig gcc libusb-1.0-0 fonts-dejavu-core sqlite3"
if [ -z "$DESTDIR" ]; then
    missing=""
    for p in $APT; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
    if [ -n "$missing" ]; then
        say "installing$missing"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    fi
fi

# --- service users ------------------------------------------------------------------------
# DESTDIR: the scratch root's own passwd/group (seeded with root and the device groups)
if [ -n "$DESTDIR" ]; then
    mkdir -p "$DESTDIR/etc"
    [ -f "$DESTDIR/etc/passwd" ] || echo "root:x:0:0:root:/root:/bin/sh" > "$DESTDIR/etc/passwd"
    [ -f "$DESTDIR/etc/shadow" ] || { echo "root:*:19000:0:99999:7:::" > "$DESTDIR/etc/shadow"; chmod 0640 "$DESTDIR/etc/shadow"; }
    [ -f "$DESTDIR/etc/group" ] || echo "root:x:0:" > "$DESTDIR/etc/group"
    [ -f "$DESTDIR/etc/gshadow" ] || { echo "root:*::" > "$DESTDIR/etc/gshadow"; chmod 0640 "$DESTDIR/etc/gshadow"; }
    for g in dialout lp video input render; do
        grep -q "^$g:" "$DESTDIR/etc/group" || groupadd --prefix "$DESTDIR" --system "$g"
    done
    PREFIX="--prefix $DESTDIR"
else
    PREFIX=""
    for g in render; do getent group "$g" >/dev/null || groupadd --system "$g"; done
fi
has_user() { grep -q "^$1:" "$DESTDIR/etc/passwd"; }
add_user() {  # name home comment
    if has_user "$1"; then return; fi
    # shellcheck disable=SC2086
    useradd $PREFIX --system --user-group --home-dir "$2" --no-create-home --shell /usr/sbin/nologin \
        --comment "$3" "$1"
    say "user $1 made"
}
uid_of() { awk -F: -v u="$1" '$1 == u { print $3 }' "$DESTDIR/etc/passwd"; }
gid_of() { awk -F: -v g="$1" '$1 == g { print $3 }' "$DESTDIR/etc/group"; }
own() {  # user mode path...
    u=$1; m=$2; shift 2
    chown "$(uid_of "$u"):$(gid_of "$u")" "$@"
    chmod "$m" "$@"
}
add_user ppms "$STATE" "PPMS terminal (kiosk, sync agent, backups)"
[ "$ROLE" = terminal ] || add_user ppms-central "$CENTRAL_STATE" "PPMS center server"

# --- folders ----------------------------------------------------------------------------
mkdir -p "$DESTDIR$OPT/releases" "$DESTDIR$OPT/share" "$DESTDIR$ETC" "$DESTDIR$STATE/backups" \
         "$DESTDIR$UNITS" "$DESTDIR$UDEV" "$DESTDIR/media/ppms-backup"
own ppms 0700 "$DESTDIR$STATE" "$DESTDIR$STATE/backups"
chown "0:$(gid_of ppms)" "$DESTDIR$ETC"
chmod 0750 "$DESTDIR$ETC"
if [ "$ROLE" != terminal ]; then
    mkdir -p "$DESTDIR$CENTRAL_STATE"
    own ppms-central 0700 "$DESTDIR$CENTRAL_STATE"
fi

# --- the release: a new venv beside the old one, then the `venv` link moved ---------------
RELEASE="$OPT/releases/$VERSION-$STAMP"
say "building $RELEASE"
# shellcheck disable=SC2086
"$PYTHON" -m venv $VENV_ARGS "$DESTDIR$RELEASE"
# shellcheck disable=SC2086
"$DESTDIR$RELEASE/bin/pip" install -q $PIP_ARGS "$SRC[$EXTRAS]"
# the links are relative (releases/NAME), so they hold in a DESTDIR as on the box
PREVIOUS=""
if [ -L "$DESTDIR$OPT/venv" ]; then PREVIOUS=$(readlink "$DESTDIR$OPT/venv"); fi
ln -sfn "releases/$(basename "$RELEASE")" "$DESTDIR$OPT/venv.new"
mv -T "$DESTDIR$OPT/venv.new" "$DESTDIR$OPT/venv"
[ -z "$PREVIOUS" ] || ln -sfn "$PREVIOUS" "$DESTDIR$OPT/venv.previous"
# keep the current and the previous release, remove older ones
for old in "$DESTDIR$OPT"/releases/*; do
    case "$old" in "$DESTDIR$RELEASE"|"$DESTDIR$OPT/$PREVIOUS") ;; *) rm -rf "$old" ;; esac
done
rm -rf "$DESTDIR$OPT/share/docs"
cp -r "$SRC/docs" "$DESTDIR$OPT/share/docs"

# --- settings (kept on upgrade; a new release's defaults come beside as *.dist) ------------
put_config() {  # source target mode
    if [ -f "$DESTDIR$2" ]; then
        cmp -s "$1" "$DESTDIR$2" || cp "$1" "$DESTDIR$2.dist"
    else
        cp "$1" "$DESTDIR$2"
    fi
    chown "0:$(gid_of ppms)" "$DESTDIR$2"
    chmod "$3" "$DESTDIR$2"
}
put_config "$SRC/deploy/terminal.toml" "$ETC/terminal.toml" 0640
put_config "$SRC/deploy/backup.env" "$ETC/backup.env" 0640
put_config "$SRC/deploy/kiosk.env" "$ETC/kiosk.env" 0640
rm -rf "$DESTDIR$ETC/receipts" && cp -r "$SRC/config/receipts" "$DESTDIR$ETC/receipts"
chmod -R go-w "$DESTDIR$ETC/receipts"

# --- udev rules and units ---------------------------------------------------------------
install -m 0644 "$SRC/config/udev/70-ppms.rules" "$DESTDIR$UDEV/70-ppms.rules"
for unit in "$SRC"/systemd/*.service "$SRC"/systemd/*.timer; do
    install -m 0644 "$unit" "$DESTDIR$UNITS/$(basename "$unit")"
done
ENABLE=""
ENABLE_ROOT=""
[ "$ROLE" = central ] || ENABLE="ppms-kiosk.service ppms-sync.service ppms-backup.timer"
[ "$ROLE" = terminal ] || ENABLE="$ENABLE ppms-central.service"
if [ -n "$DESTDIR" ]; then
    # pcscd.socket when the scratch root has the distribution's pcscd units, as a box has
    for d in usr/lib lib; do
        if [ "$ROLE" != central ] && [ -f "$DESTDIR/$d/systemd/system/pcscd.socket" ]; then ENABLE_ROOT="pcscd.socket"; break; fi
    done
    # shellcheck disable=SC2086
    systemctl --root="$DESTDIR" enable $ENABLE_ROOT $ENABLE
else
    udevadm control --reload && udevadm trigger --subsystem-match=tty --subsystem-match=usb --subsystem-match=usbmisc || true
    systemctl daemon-reload
    systemctl enable pcscd.socket
    # shellcheck disable=SC2086
    systemctl enable $ENABLE
fi

# --- the ledger: a copy before the upgrade, then migrated by the new release ----------------
# (DESTDIR too: the scratch root's ledger, as its `ppms` user's ids, which this system need not know)
if [ -n "$DESTDIR" ]; then
    run_as_ppms() { setpriv --reuid "$(uid_of ppms)" --regid "$(gid_of ppms)" --clear-groups -- \
        env PPMS_CONFIG="$DESTDIR$ETC/terminal.toml" PPMS_DB="$DESTDIR$STATE/ppms.db" "$@"; }
else
    run_as_ppms() { runuser -u ppms -- env PPMS_CONFIG="$ETC/terminal.toml" "$@"; }
fi
roll_back() {  # why: the ledger stays as it was, the box goes back to the release that ran it
    if [ -n "$PREVIOUS" ]; then
        ln -sfn "$PREVIOUS" "$DESTDIR$OPT/venv"
        say "$1: back on $PREVIOUS (ledger untouched)"
    else
        say "$1 (ledger untouched)"
    fi
    [ "$START" = no ] || systemctl start ppms-kiosk.service ppms-sync.service || true
    exit 1
}
if [ -f "$DESTDIR$STATE/ppms.db" ]; then
    if [ -n "$PREVIOUS" ]; then
        [ -n "$DESTDIR" ] || systemctl stop ppms-kiosk.service ppms-sync.service 2>/dev/null || true
        run_as_ppms "$DESTDIR$OPT/$PREVIOUS/bin/ppms" backup --out "$DESTDIR$STATE/backups/pre-upgrade-$STAMP.db" \
            >/dev/null || roll_back "the ledger could not be copied before the upgrade"
        say "ledger copied to $STATE/backups/pre-upgrade-$STAMP.db"
    fi
    # a failed migration leaves the file as it was (terminal/ledger/migrations.py)
    run_as_ppms "$DESTDIR$OPT/venv/bin/ppms" check >/dev/null || roll_back "the new release could not open the ledger"
fi
if [ "$START" = yes ]; then
    # shellcheck disable=SC2086
    systemctl restart $ENABLE
fi
say "installed release $VERSION ($RELEASE) for role $ROLE${DESTDIR:+ into $DESTDIR}"
