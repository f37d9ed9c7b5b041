#!/bin/sh
# snapd-files-copy.sh: SNAP_COPY, SNAP_MKDIR, SNAP_MKFILE and SNAP_CHECKSUM through the real kiln-snapd: the context fd, --chown into mapped ids, excludes, ADD of a tar, a copy out of another snapshot.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-files-lib.sh"
kiln_setup
C="$T/ctx"
mkdir -p "$C/src/sub" "$C/logs"
echo hello >"$C/hello.txt"
echo main >"$C/src/main.c"
echo deep >"$C/src/sub/deep.h"
echo noise >"$C/logs/a.log"
chmod 0750 "$C/src/sub"
ln -s hello.txt "$C/link"
mkdir "$T/t" && echo packed >"$T/t/inside" && tar -C "$T/t" -czf "$C/pkg.tar.gz" .

kiln_start --test-hooks
fprepare ""
P=$SID
PP=$SPATH

# COPY . /app/ with excludes; COPY --chown=1000:1000 --chmod=0640 hello.txt /home/u/
fcall SNAP_COPY "[\"$P\", \"/app/\", [\".\"], [\"logs\", \"*.tar.gz\"], \"\", -1, -1, \"\", 0, -1]" --fd-dir "$C"
fcall SNAP_COPY "[\"$P\", \"/home/u/\", [\"hello.txt\"], [], \"\", 1000, 1000, \"0640\", 0, 1700000000]" --fd-dir "$C"
fcall SNAP_COPY "[\"$P\", \"/opt\", [\"pkg.tar.gz\"], [], \"\", -1, -1, \"\", 2, -1]" --fd-dir "$C"
fcall SNAP_COPY "[\"$P\", \"/l\", [\"link\"], [], \"\", -1, -1, \"\", 1, -1]" --fd-dir "$C"
fcall SNAP_MKDIR "[\"$P\", \"/work/dir\", 493, 1000, 1000]"
printf 'inline\n' >"$T/content"
fcall SNAP_MKFILE "[\"$P\", \"/etc/motd\", 420, 0, 0, 0]" --fd-read "$T/content"
in_kiln "cd '$PP' && find . | sort && stat -c '%a %u:%g %Y %n' home/u/hello.txt app/src/sub work/dir etc/motd && cat opt/inside l" >"$T/tree" 2>&1 ||
    fail "looking: $(cat "$T/tree")"
assert_grep "^./app/src/sub/deep.h$" "$T/tree"
assert_grep "^./app/hello.txt$" "$T/tree"
grep -q "logs\|a.log\|pkg.tar.gz" "$T/tree" && fail "excluded files were copied: $(cat "$T/tree")"
assert_grep "^640 1000:1000 1700000000 home/u/hello.txt$" "$T/tree"
assert_grep "^750 0:0 .* app/src/sub$" "$T/tree"
assert_grep "^755 1000:1000 .* work/dir$" "$T/tree"
assert_grep "^644 0:0 0 etc/motd$" "$T/tree"
assert_grep "^packed$" "$T/tree"
assert_grep "^hello$" "$T/tree"

# errors name the source and the rule
fcall_err SNAP_COPY "[\"$P\", \"/x/\", [\"nope.txt\"], [], \"\", -1, -1, \"\", 0, -1]" --fd-dir "$C"
case $out in *"'nope.txt' not found"*) ;; *) fail "missing source: $out" ;; esac
fcall_err SNAP_COPY "[\"$P\", \"/x\", [\"hello.txt\", \"link\"], [], \"\", -1, -1, \"\", 0, -1]" --fd-dir "$C"
case $out in *"ending in '/'"*) ;; *) fail "several sources: $out" ;; esac
fcall SNAP_COPY "[\"$P\", \"/x\", [\"*.none\"], [], \"\", -1, -1, \"\", 0, -1]" --fd-dir "$C"

# checksums: stable, blind to times, not to content
fcall SNAP_CHECKSUM "[[\"src\", \"hello.txt\"], [\"logs\"], \"\", 0]" --fd-dir "$C"
s1=$(ffield 0)
touch -d @5 "$C/src/main.c"
fcall SNAP_CHECKSUM "[[\"src\", \"hello.txt\"], [\"logs\"], \"\", 0]" --fd-dir "$C"
[ "$(ffield 0)" = "$s1" ] || fail "a touched file changed the checksum"
echo changed >"$C/src/main.c"
fcall SNAP_CHECKSUM "[[\"src\", \"hello.txt\"], [\"logs\"], \"\", 0]" --fd-dir "$C"
[ "$(ffield 0)" != "$s1" ] || fail "new content, same checksum"
case $s1 in sha256:????????????????????????????????????????????????????????????????) ;;
*) fail "checksum $s1" ;; esac

# a copy out of a committed snapshot keeps its owners (COPY --from)
fcommit "$P"
C1=$SID
fprepare ""
P2=$SID
fcall SNAP_COPY "[\"$P2\", \"/from/\", [\"home/u\"], [], \"$C1\", -1, -1, \"\", 0, -1]"
fcall SNAP_CHECKSUM "[[\"home\"], [], \"$C1\", 0]"
in_kiln "stat -c '%a %u:%g %n' '$SPATH/from/hello.txt'" >"$T/from" 2>&1 || fail "$(cat "$T/from")"
assert_grep "^640 1000:1000 " "$T/from"
fcall SNAP_REMOVE "[\"$P2\"]"

kiln_stop
echo ok
