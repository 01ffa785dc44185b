#!/bin/sh
# Daily backup: a consistent copy of the live database, sent off the machine, old ones pruned.
# Run by guanai-backup.service (as user guanai); run it by hand before every upgrade too.
#
# Off-machine storage here is restic (https://restic.net): encrypted, deduplicated, with a
# retention policy; RESTIC_REPOSITORY (e.g. sftp:backup@backup-host:/srv/restic/guanai, or an
# S3-compatible bucket) and RESTIC_PASSWORD_FILE come from /etc/guanai/backup.env. The restic
# password is not the data key, and the data key is never in the repository: a backup is
# useless without the key, which is backed up separately (see README, "Backups").
set -eu

BACKUP_DIR=${BACKUP_DIR:-/var/backups/guanai}
LOCAL_KEEP_DAYS=${LOCAL_KEEP_DAYS:-3}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file="$BACKUP_DIR/guanai-$stamp.backup"

umask 077
mkdir -p "$BACKUP_DIR"
cd /opt/guanai
# SQLite: the online backup API; PostgreSQL: pg_dump --format=custom. Owner-only, audited.
.venv/bin/python -m bot backup --out "$file"

restic backup --quiet --tag guanai "$file"
# Retention: 14 daily, 8 weekly, 12 monthly copies; older ones (and the personal data in them,
# including records deleted since) are gone for good after `forget --prune`.
restic forget --quiet --tag guanai --keep-daily 14 --keep-weekly 8 --keep-monthly 12 --prune

# A few recent copies stay on the machine for a quick restore; the rest live off it.
find "$BACKUP_DIR" -name 'guanai-*.backup' -mtime "+$LOCAL_KEEP_DAYS" -delete
