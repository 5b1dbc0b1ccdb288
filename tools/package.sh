#!/usr/bin/env bash
# Builds the Debian package (debian/, debhelper compat 13) from a copy of the
# tracked files, outside the source tree, and runs lintian on it.
#   tools/package.sh [OUTDIR]     default /tmp/linegate-pkg.<hash of the repo path>
# Leaves OUTDIR/linegate_<version>_<arch>.deb (and .buildinfo, .changes) and
# OUTDIR/lintian.txt; prints the .deb's path last. Exits non-zero when the
# build fails or lintian reports an error. DEB_BUILD_OPTIONS is passed on
# (nocheck skips the unit tests during the build; -j2 by default).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-/tmp/linegate-pkg.$(printf %s "$REPO" | md5sum | cut -c1-8)}
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=${LG_JOBS:-2}}
"$REPO/tools/bootstrap.sh"   # debhelper, lintian, ... (installs them as root)
VERSION=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
SRC="$OUT/linegate-$VERSION"

rm -rf "$OUT"
mkdir -p "$SRC"
# The files git knows or would add (uncommitted edits included), not build trees.
git -C "$REPO" ls-files -z --cached --others --exclude-standard |
	(cd "$REPO" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$SRC"
(cd "$SRC" && dpkg-buildpackage -us -uc -b >"$OUT/build.log" 2>&1) || {
	tail -40 "$OUT/build.log"; echo "package: dpkg-buildpackage failed (log: $OUT/build.log)" >&2; exit 1; }
rm -rf "$SRC"
DEB=$(ls "$OUT"/linegate_"$VERSION"_*.deb)
if ! lintian --fail-on error --info "$OUT"/linegate_"$VERSION"_*.changes >"$OUT/lintian.txt" 2>&1; then
	cat "$OUT/lintian.txt"; echo "package: lintian reports errors" >&2; exit 1
fi
sed 's/^/lintian: /' "$OUT/lintian.txt"
echo "$DEB"
