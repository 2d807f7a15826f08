#!/usr/bin/env bash
# Install (or update) the ward kiosk on a fresh Debian 12 / Ubuntu 22.04+ PC.
#
#   sudo deploy/install.sh [--dry-run] [--with-vi-voice] [--asr-model NAME [--asr-model-from DIR]]
#                          [--with-whisper-model DIR|NAME] [--no-session] [--no-start]
#
# Run from a clone of the repository. Idempotent: a second run changes nothing that
# is already in place (and says so). What it does, in order:
#   1. Debian packages (X, LightDM, window manager, audio, fonts, printing);
#   2. the unprivileged user `kiosk` (home /var/lib/kiosk, password locked);
#   3. /var/lib/kiosk, /var/cache/kiosk, /var/log/kiosk;
#   4. the app: source in /opt/kiosk/src, a virtualenv in /opt/kiosk/venv;
#   5. /etc/kiosk/kiosk.toml from kiosk.example.toml (only if absent);
#   6. the embedded Whisper model (`kiosk models prepare`), and when asked and
#      online the Vietnamese piper voice and a bigger recogniser from the catalogue
#      (`kiosk models list`: fetched, converted if needed, verified, then set as
#      asr.model_dir; offline it says so and the embedded base stays);
#   7. systemd units (kiosk, kiosk-admin, nightly backup, province sync), tmpfiles, logrotate,
#      journald limits, udev rule for USB receipt printers;
#   8. the kiosk session: LightDM auto-login into a bare X session running only the
#      app (no desktop), no screen blanking, no suspend, no console switching.
# See docs/operations.md. Undo with deploy/uninstall.sh.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=/opt/kiosk
ETC_DIR=/etc/kiosk
CONFIG=$ETC_DIR/kiosk.toml
STATE_DIR=/var/lib/kiosk
CACHE_DIR=/var/cache/kiosk
LOG_DIR=/var/log/kiosk
KUSER=kiosk
UNIT_DIR=/etc/systemd/system
PIPER_VOICE=vi_VN-vais1000-medium
PYTHON=${KIOSK_PYTHON:-/usr/bin/python3}

DRY_RUN=0
WITH_VOICE=0
WHISPER_MODEL=""
ASR_MODEL=""
ASR_MODEL_FROM=""
WITH_SESSION=1
START=1

APT_PACKAGES=(
  python3 python3-venv rsync sqlite3 logrotate ca-certificates
  espeak-ng libportaudio2 alsa-utils                      # speech: fallback voice, audio I/O
  libgl1 libegl1 libmtdev1 libsdl2-2.0-0 x11-xserver-utils  # Kivy window, xset/xhost
  cups cups-client libusb-1.0-0                           # printing: CUPS, USB receipt printers
  fonts-noto-core fonts-dejavu-core                       # Vietnamese-capable fonts
)
SESSION_PACKAGES=(
  xserver-xorg lightdm lightdm-gtk-greeter matchbox-window-manager unclutter
)

usage() {
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<'EOF'
Options:
  --dry-run                    print what would be done, change nothing
  --with-vi-voice              download the Vietnamese piper voice (needs Internet)
  --asr-model NAME             install a recogniser from `kiosk models list` (e.g.
                               phowhisper-small): download (Internet needed), convert
                               if needed, verify, set asr.model_dir; default: none,
                               the embedded Whisper base
  --asr-model-from DIR         with --asr-model: take the model from DIR instead of
                               downloading it (a CTranslate2 directory)
  --with-whisper-model X       a CTranslate2 Whisper directory to copy, or a model
                               name to download (needs Internet), e.g. "small";
                               set as asr.model_dir if none is configured
  --no-session                 no LightDM/X session (e.g. an admin-only server)
  --no-start                   enable the services but do not (re)start them
  -h, --help                   this help
EOF
}

while (($#)); do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    --with-vi-voice) WITH_VOICE=1 ;;
    --with-whisper-model)
      [ $# -ge 2 ] || { echo "install.sh: --with-whisper-model needs DIR or NAME" >&2; exit 2; }
      WHISPER_MODEL=$2; shift ;;
    --with-whisper-model=*) WHISPER_MODEL=${1#*=} ;;
    --asr-model)
      [ $# -ge 2 ] || { echo "install.sh: --asr-model needs a NAME (see: kiosk models list)" >&2; exit 2; }
      ASR_MODEL=$2; shift ;;
    --asr-model=*) ASR_MODEL=${1#*=} ;;
    --asr-model-from)
      [ $# -ge 2 ] || { echo "install.sh: --asr-model-from needs a DIR" >&2; exit 2; }
      ASR_MODEL_FROM=$2; shift ;;
    --asr-model-from=*) ASR_MODEL_FROM=${1#*=} ;;
    --no-session) WITH_SESSION=0 ;;
    --no-start) START=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '[install] %s\n' "$*"; }
cleanup_files=()
cleanup() { ((${#cleanup_files[@]})) && rm -f "${cleanup_files[@]}"; return 0; }
trap cleanup EXIT
warn() { printf '[install] CẢNH BÁO / WARNING: %s\n' "$*" >&2; }

# run CMD...: do it, or in --dry-run print it.
run() {
  if ((DRY_RUN)); then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

# as_kiosk CMD...: run as the kiosk user with the kiosk's configuration.
as_kiosk() {
  run runuser -u "$KUSER" -- env HOME="$STATE_DIR" KIOSK_CONFIG="$CONFIG" ORT_DISABLE_TELEMETRY=1 "$@"
}

# install_file SRC DEST MODE [OWNER:GROUP]: copy when missing or different.
install_file() {
  local src=$1 dest=$2 mode=$3 owner=${4:-root:root}
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    say "unchanged: $dest"
    return 1
  fi
  run install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$src" "$dest"
  return 0
}

systemd_running() { [ -d /run/systemd/system ]; }

if ((!DRY_RUN)) && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (sudo), or with --dry-run" >&2
  exit 1
fi
((DRY_RUN)) && say "--dry-run: nothing will be changed"
say "source: $SRC"

# ---------------------------------------------------------------- 1. packages
want=("${APT_PACKAGES[@]}")
((WITH_SESSION)) && want+=("${SESSION_PACKAGES[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing packages: ${missing[*]}"
  if ((WITH_SESSION)); then
    # Make LightDM the display manager without asking (another one may be installed).
    if ((DRY_RUN)); then
      echo "+ echo 'lightdm shared/default-x-display-manager select lightdm' | debconf-set-selections"
    else
      echo "lightdm shared/default-x-display-manager select lightdm" | debconf-set-selections
    fi
  fi
  # Keep newly installed services (LightDM above all: the screen would switch to a login
  # greeter mid-install) from starting now; everything starts at the reboot that follows.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    if ((DRY_RUN)); then
      printf '+ %s\n' "write $policy (exit 101: no service starts during apt-get; removed after)"
    else
      printf '#!/bin/sh\nexit 101\n' > "$policy"
      chmod 0755 "$policy"
      cleanup_files+=("$policy")
    fi
  fi
  run apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  cleanup
  cleanup_files=()
else
  say "packages: all present"
fi

# ---------------------------------------------------------------- 2. user
if id -u "$KUSER" >/dev/null 2>&1; then
  say "user $KUSER: exists"
else
  run useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
    --shell /bin/bash --comment "Ward office kiosk" "$KUSER"
  run passwd --lock "$KUSER"
fi
for g in audio video lp dialout render; do
  getent group "$g" >/dev/null || continue
  if id -nG "$KUSER" 2>/dev/null | tr ' ' '\n' | grep -qx "$g"; then
    continue
  fi
  run usermod -aG "$g" "$KUSER"
done

# ---------------------------------------------------------------- 3. directories
for d in "$STATE_DIR" "$STATE_DIR/backups" "$STATE_DIR/voices" "$CACHE_DIR" "$LOG_DIR"; do
  if [ -d "$d" ] && [ "$(stat -c %U "$d")" = "$KUSER" ]; then
    continue
  fi
  run install -d -m 0750 -o "$KUSER" -g "$KUSER" "$d"
done
if [ ! -d "$STATE_DIR/diagnostic-audio" ]; then
  run install -d -m 0700 -o "$KUSER" -g "$KUSER" "$STATE_DIR/diagnostic-audio"
fi
[ -d "$ETC_DIR" ] || run install -d -m 0755 "$ETC_DIR"

# ---------------------------------------------------------------- 4. the app
[ -d "$PREFIX" ] || run install -d -m 0755 "$PREFIX"
say "copying the source to $PREFIX/src"
run rsync -a --delete --chown=root:root \
  --exclude=.git --exclude=.venv --exclude='*.egg-info' --exclude=__pycache__ \
  --exclude=.pytest_cache --exclude=.hypothesis --exclude=build --exclude=dist \
  "$SRC/" "$PREFIX/src/"
# The system interpreter (not a pyenv/conda one under /root that the kiosk user cannot run).
python_home=$(dirname "$(readlink -f "$PYTHON")")
if [ -x "$PREFIX/venv/bin/python" ] && grep -qx "home = $python_home" "$PREFIX/venv/pyvenv.cfg" 2>/dev/null; then
  say "virtualenv $PREFIX/venv: present ($PYTHON)"
else
  [ -d "$PREFIX/venv" ] && run rm -rf "$PREFIX/venv"
  run "$PYTHON" -m venv "$PREFIX/venv"
fi
# Re-install only when the source changed (stamp = hash of every file).
stamp=$PREFIX/venv/.kiosk-installed
want_stamp=$(cd "$SRC" && find . \( -name .git -o -name .venv -o -name '*.egg-info' -o -name __pycache__ \
  -o -name .pytest_cache -o -name .hypothesis -o -name build -o -name dist \) -prune -o -type f -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  say "app in $PREFIX/venv: up to date"
else
  say "installing the app into $PREFIX/venv (pip)"
  run "$PREFIX/venv/bin/python" -m pip install -q --upgrade pip
  # python-escpos extras: USB and serial receipt printers.
  run "$PREFIX/venv/bin/python" -m pip install -q --upgrade "$PREFIX/src" "python-escpos[usb,serial]>=3.1,<4"
  run "$PREFIX/venv/bin/python" -m pip install -q --no-deps --force-reinstall "$PREFIX/src"
  if ((DRY_RUN)); then
    echo "+ echo $want_stamp > $stamp"
  else
    echo "$want_stamp" > "$stamp"
  fi
fi

# ---------------------------------------------------------------- 5. configuration
# toml_default FILE SECTION KEY VALUE: set KEY in [SECTION] unless the file sets it.
toml_default() { "$PYTHON" "$SRC/deploy/kiosk-toml-default" "$@"; }

if [ -f "$CONFIG" ]; then
  say "configuration $CONFIG: exists, kept"
else
  tmp_config=$(mktemp)
  cleanup_files+=("$tmp_config")
  cp "$SRC/kiosk.example.toml" "$tmp_config"
  toml_default "$tmp_config" paths content_dir "$PREFIX/src/assets/content" >/dev/null
  toml_default "$tmp_config" paths data_dir "$STATE_DIR" >/dev/null
  toml_default "$tmp_config" paths cache_dir "$CACHE_DIR" >/dev/null
  toml_default "$tmp_config" tts voices_dir "$STATE_DIR/voices" >/dev/null
  # The file holds the staff PIN: readable by the kiosk, writable by root only.
  install_file "$tmp_config" "$CONFIG" 0640 "root:$KUSER" || true
  say "wrote $CONFIG — set the printer, microphone and staff PIN there"
fi

# ---------------------------------------------------------------- 6. models and voices
if [ -x "$PREFIX/venv/bin/kiosk" ] || ((DRY_RUN)); then
  say "preparing the embedded Whisper model"
  as_kiosk "$PREFIX/venv/bin/kiosk" models prepare
fi

if ((WITH_VOICE)); then
  if [ -f "$STATE_DIR/voices/$PIPER_VOICE.onnx" ]; then
    say "piper voice $PIPER_VOICE: present"
  else
    say "downloading the piper voice $PIPER_VOICE (Internet needed)"
    as_kiosk "$PREFIX/venv/bin/python" -m piper.download_voices "$PIPER_VOICE" --data-dir "$STATE_DIR/voices" \
      || warn "could not download $PIPER_VOICE (offline?) — the kiosk speaks with espeak-ng; run again when online"
  fi
fi

if [ -n "$WHISPER_MODEL" ]; then
  if [ -d "$WHISPER_MODEL" ]; then
    model_dir=$STATE_DIR/models/$(basename "$WHISPER_MODEL")
    say "copying the Whisper model $WHISPER_MODEL to $model_dir"
    run install -d -m 0750 -o "$KUSER" -g "$KUSER" "$STATE_DIR/models"
    run rsync -a --chown="$KUSER:$KUSER" "$WHISPER_MODEL/" "$model_dir/"
  else
    model_dir=$STATE_DIR/models/faster-whisper-${WHISPER_MODEL//\//--}
    if [ -f "$model_dir/model.bin" ]; then
      say "Whisper model $WHISPER_MODEL: present in $model_dir"
    else
      say "downloading the Whisper model $WHISPER_MODEL (Internet needed)"
      run install -d -m 0750 -o "$KUSER" -g "$KUSER" "$STATE_DIR/models"
      as_kiosk "$PREFIX/venv/bin/python" -c \
        'import sys; from faster_whisper.utils import download_model; download_model(sys.argv[1], output_dir=sys.argv[2])' \
        "$WHISPER_MODEL" "$model_dir" \
        || { warn "could not download Whisper $WHISPER_MODEL (offline?) — keeping the embedded model"; model_dir=""; }
    fi
  fi
  if [ -n "$model_dir" ]; then
    if ((DRY_RUN)); then
      echo "+ toml_default $CONFIG asr model_dir $model_dir"
    elif [ -f "$CONFIG" ]; then
      toml_default "$CONFIG" asr model_dir "$model_dir"
    fi
  fi
fi

if [ -n "$ASR_MODEL" ]; then
  # Fetch/convert/verify as the kiosk user (no root for downloads and pip); only the
  # config edit (root-owned /etc/kiosk/kiosk.toml) runs as root. On any failure the
  # kiosk keeps the recogniser it has.
  say "installing the recogniser $ASR_MODEL into $STATE_DIR/models"
  run install -d -m 0750 -o "$KUSER" -g "$KUSER" "$STATE_DIR/models"
  from_args=()
  [ -n "$ASR_MODEL_FROM" ] && from_args=(--from-dir "$ASR_MODEL_FROM")
  if as_kiosk "$PREFIX/venv/bin/kiosk" models install "$ASR_MODEL" --dest "$STATE_DIR/models" \
       --no-configure "${from_args[@]}"; then
    run "$PREFIX/venv/bin/kiosk" --config "$CONFIG" models use "$ASR_MODEL" --models-dir "$STATE_DIR/models"
  else
    warn "could not install $ASR_MODEL (see the line above) — the kiosk keeps its current recogniser"
  fi
fi

# ---------------------------------------------------------------- 7. systemd and friends
changed_units=0
for u in "$SRC/kiosk.service" "$SRC/kiosk-admin.service" "$SRC/deploy/kiosk-backup.service" \
         "$SRC/deploy/kiosk-backup.timer" "$SRC/deploy/kiosk-recover.service" "$SRC/deploy/kiosk-sync.service"; do
  install_file "$u" "$UNIT_DIR/$(basename "$u")" 0644 && changed_units=1
done
install_file "$SRC/deploy/tmpfiles-kiosk.conf" /etc/tmpfiles.d/kiosk.conf 0644 || true
install_file "$SRC/deploy/logrotate-kiosk" /etc/logrotate.d/kiosk 0644 || true
install_file "$SRC/deploy/journald-kiosk.conf" /etc/systemd/journald.conf.d/kiosk.conf 0644 || true
install_file "$SRC/deploy/udev-kiosk-printer.rules" /etc/udev/rules.d/60-kiosk-printer.rules 0644 || true

if systemd_running; then
  ((changed_units)) && run systemctl daemon-reload
  run systemd-tmpfiles --create /etc/tmpfiles.d/kiosk.conf
  run udevadm control --reload-rules || true
  run systemctl try-restart systemd-journald.service || true
fi
# kiosk-sync exits at once (inactive) while [fleet] hub_url is empty: enabling it always
# means setting hub_url later and restarting it is all a ward needs to join a hub.
enable=(kiosk-admin.service kiosk-backup.timer kiosk-sync.service)
((WITH_SESSION)) && enable+=(kiosk.service)
for u in "${enable[@]}"; do
  if [ "$(systemctl is-enabled "$u" 2>/dev/null || true)" = enabled ]; then
    say "enabled: $u"
  else
    run systemctl enable "$u"
  fi
done

# ---------------------------------------------------------------- 8. the kiosk session
if ((WITH_SESSION)); then
  install_file "$SRC/deploy/lightdm-kiosk.conf" /etc/lightdm/lightdm.conf.d/50-kiosk.conf 0644 || true
  install_file "$SRC/deploy/kiosk.desktop" /usr/share/xsessions/kiosk.desktop 0644 || true
  install_file "$SRC/deploy/xorg-kiosk.conf" /etc/X11/xorg.conf.d/50-kiosk.conf 0644 || true
  if [ "$(cat /etc/X11/default-display-manager 2>/dev/null || true)" != /usr/sbin/lightdm ]; then
    if ((DRY_RUN)); then
      echo "+ echo /usr/sbin/lightdm > /etc/X11/default-display-manager"
    else
      echo /usr/sbin/lightdm > /etc/X11/default-display-manager
    fi
    run systemctl enable --force lightdm.service
  fi
  [ "$(systemctl get-default 2>/dev/null || true)" = graphical.target ] || run systemctl set-default graphical.target
  # A kiosk never sleeps.
  for t in sleep.target suspend.target hibernate.target hybrid-sleep.target; do
    [ "$(systemctl is-enabled "$t" 2>/dev/null || true)" = masked ] || run systemctl mask "$t"
  done
fi

# ---------------------------------------------------------------- start
if ((START)) && systemd_running; then
  run systemctl --no-block restart kiosk-admin.service kiosk-backup.timer kiosk-sync.service
  # Updates: restart a running app; a first install starts it with the session.
  ((WITH_SESSION)) && run systemctl --no-block try-restart kiosk.service
fi

say "done. Check: ${PREFIX}/venv/bin/kiosk --config $CONFIG models status; systemctl status kiosk kiosk-admin"
((WITH_SESSION)) && say "first install: reboot to start the kiosk session (LightDM auto-login)"
exit 0
