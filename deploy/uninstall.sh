#!/usr/bin/env bash
# Remove the ward kiosk installed by deploy/install.sh.
#
#   sudo deploy/uninstall.sh [--dry-run] [--purge]
#
# Stops and disables the services, removes the units, the kiosk session (LightDM
# auto-login, X session, Xorg flags), tmpfiles/logrotate/journald/udev files,
# unmasks sleep, and deletes /opt/kiosk. The data (/var/lib/kiosk: content database,
# question log, backups, voices), /etc/kiosk and the `kiosk` user are KEPT unless
# --purge is given. Debian packages are left installed (other software may use them).
# Idempotent: running it twice is harmless.
set -euo pipefail

PREFIX=/opt/kiosk
KUSER=kiosk
UNIT_DIR=/etc/systemd/system
DRY_RUN=0
PURGE=0

while (($#)); do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    --purge) PURGE=1 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "uninstall.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '[uninstall] %s\n' "$*"; }
run() {
  if ((DRY_RUN)); then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}
remove() {  # remove PATH...: only what exists
  local p
  for p in "$@"; do
    if [ -e "$p" ] || [ -L "$p" ]; then
      run rm -rf -- "$p"
    fi
  done
}

if ((!DRY_RUN)) && [ "$(id -u)" -ne 0 ]; then
  echo "uninstall.sh: run as root (sudo), or with --dry-run" >&2
  exit 1
fi
((DRY_RUN)) && say "--dry-run: nothing will be changed"

units=(kiosk.service kiosk-admin.service kiosk-backup.timer kiosk-backup.service kiosk-recover.service kiosk-sync.service)
if [ -d /run/systemd/system ]; then
  run systemctl stop "${units[@]}" || true
fi
for u in kiosk.service kiosk-admin.service kiosk-backup.timer kiosk-sync.service; do
  if [ -e "$UNIT_DIR/$u" ]; then
    run systemctl disable "$u" || true
  fi
done
for u in "${units[@]}"; do
  remove "$UNIT_DIR/$u"
done
remove /etc/tmpfiles.d/kiosk.conf /etc/logrotate.d/kiosk /etc/systemd/journald.conf.d/kiosk.conf \
  /etc/udev/rules.d/60-kiosk-printer.rules
remove /etc/lightdm/lightdm.conf.d/50-kiosk.conf /usr/share/xsessions/kiosk.desktop /etc/X11/xorg.conf.d/50-kiosk.conf
for t in sleep.target suspend.target hibernate.target hybrid-sleep.target; do
  if [ "$(systemctl is-enabled "$t" 2>/dev/null || true)" = masked ]; then
    run systemctl unmask "$t"
  fi
done
if [ -d /run/systemd/system ]; then
  run systemctl daemon-reload
fi
remove "$PREFIX"

if ((PURGE)); then
  say "--purge: deleting the data, configuration, cache, logs and the $KUSER user"
  remove /var/lib/kiosk /var/cache/kiosk /var/log/kiosk /etc/kiosk
  if id -u "$KUSER" >/dev/null 2>&1; then
    run userdel "$KUSER"
  fi
else
  say "kept: /var/lib/kiosk (database, question log, backups), /etc/kiosk, user $KUSER — use --purge to delete them"
fi
say "done. LightDM (if installed) now shows its normal login screen after a reboot."
