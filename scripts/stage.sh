#!/bin/sh
# stage.sh: installs kiln's packages, makes the test user, and copies this tree into that user's home as DIR.
# Usage (as root): scripts/stage.sh DIR  ->  prints the copy's absolute path.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
USER_NAME=${KILN_TEST_USER:-kiln-test}
if [ "$(id -u)" != 0 ]; then
	echo "$0 installs packages and creates the user $USER_NAME: run it as root (sudo)" >&2
	exit 2
fi
"$here/scripts/deps.sh" >&2
"$here/scripts/test-user.sh" >&2
home=$(getent passwd "$USER_NAME" | cut -d: -f6)
dest="$home/$1"
rm -rf "$dest"
rsync -a --exclude .git --exclude 'build*/' "$here/" "$dest/"
chown -R "$USER_NAME:" "$dest"
echo "$dest"
