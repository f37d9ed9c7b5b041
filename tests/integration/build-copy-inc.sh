#!/bin/sh
# build-copy-inc.sh: a COPY whose context changed is made from its last result, only the changed entries written (edits, additions, removals, modes, times, symlinks, a removed file the base image also has), and gives the tree and the layer a full COPY gives; a pruned last result means a full COPY.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
build_test_start
mkdir -p "$C/d1/d2" "$C/empty" "$C/gone/sub" "$C/etc"
for i in 1 2 3 4 5 6 7 8; do echo "file $i" >"$C/d1/f$i"; done
echo deep >"$C/d1/d2/deep"
echo x >"$C/gone/sub/x"
echo 'with a space' >"$C/a b"
printf 'root:x:0:\nkilntest:x:42:\n' >"$C/etc/group"
echo 'kiln' >"$C/etc/kiln.conf"
ln -s d1/f1 "$C/link"
ln -s nowhere "$C/dangling"
chmod 600 "$C/d1/f2"
chmod 755 "$C/d1/f3"
touch -d 2001-02-03 "$C/d1/f7"
printf 'FROM kiln-busybox\nCOPY etc/ /etc/\nCOPY . /app/\n' >"$T/inc.Dockerfile"
# the same COPYs by other names: other keys, so always full copies
printf 'FROM kiln-busybox\nCOPY etc/ /etc/\nCOPY ./ /app/\n' >"$T/full.Dockerfile"
printf 'FROM kiln-busybox\nCOPY ./etc/ /etc/\nCOPY ./ /app/\n' >"$T/full2.Dockerfile"

# layers OCI-TAR NAME: $T/NAME.N, the listing of layer N (1: the base's)
# with numeric owners, modes, full times, link targets and each file's sha256
layers() {
	rm -rf "$T/x"
	mkdir "$T/x"
	tar -xf "$1" -C "$T/x" || fail "unpacking $1"
	m=$(sed -n 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' "$T/x/index.json")
	i=0
	for l in $(grep -o '"digest":"sha256:[0-9a-f]*"' "$T/x/blobs/sha256/$m" |
	    sed 1d | sed 's/.*sha256:\([0-9a-f]*\)"/\1/'); do
		i=$((i + 1))
		b="$T/x/blobs/sha256/$l"
		tar -tvzf "$b" --numeric-owner --full-time | sort -k6 >"$T/$2.$i"
		rm -rf "$T/y"
		mkdir "$T/y"
		tar -xzf "$b" -C "$T/y" 2>/dev/null || true
		(cd "$T/y" && find . -type f -exec sha256sum {} + | sort -k2) >>"$T/$2.$i"
	done
	echo "$i" >"$T/$2.n"
}

# the layers of two builds match; etc/ (the base's, copied up) has the
# time of the copy
same_layers() {
	[ "$(cat "$T/$1.n")" = "$(cat "$T/$2.n")" ] || fail "$1 has $(cat "$T/$1.n") layers, $2 $(cat "$T/$2.n")"
	for i in $(seq 1 "$(cat "$T/$1.n")"); do
		sed -i 's/^\(d.* [0-9]*\) [-0-9]* [0-9:.]* etc\/$/\1 TIME etc\//' "$T/$1.$i" "$T/$2.$i"
		diff "$T/$1.$i" "$T/$2.$i" >"$T/diff" || fail "layer $i of $1 and $2 differ: $(cat "$T/diff")"
	done
}

# a tree listing from inside a step: what a RUN on top sees
tree() {
	printf 'FROM kiln-busybox\nCOPY etc/ /etc/\nCOPY %s /app/\nRUN cd / && find app etc | sort | while read f; do stat -c "%%n %%f %%u %%g %%s %%Y" "$f"; [ -f "$f" ] && sha256sum "$f"; [ -L "$f" ] && readlink "$f"; true; done\n' \
	    "$1" >"$T/tree.Dockerfile"
	build_ok -f "$T/tree.Dockerfile" "$C"
	sed -n 's/^#[0-9]* [0-9.]* //p' "$T/out" | grep -v "^etc \|^etc/hostname \|^etc/hosts \|^etc/resolv.conf " >"$2"
}

build_ok -f "$T/inc.Dockerfile" --output "type=oci,dest=$T/a.tar" "$C"
grep -q "incremental COPY" "$T/kilnd.log" && fail "the first COPY was incremental"

# edits, additions, removals, a mode, a time, a new link target, a new dir
echo changed >>"$C/d1/f1"
echo new >"$C/d1/new"
rm "$C/d1/f4"
chmod 640 "$C/d1/f5"
touch -d 2002-03-04 "$C/d1/f6"
rm -r "$C/gone"
mkdir -p "$C/added/deeper"
echo added >"$C/added/deeper/file"
echo filled >"$C/empty/now"
rm "$C/link"
ln -s d1/f2 "$C/link"
build_ok -f "$T/inc.Dockerfile" --output "type=oci,dest=$T/b.tar" "$C"
cached "COPY etc/ /etc/"
ran "COPY . /app/"
assert_grep "incremental COPY into s[0-9]*: [0-9]* of [0-9]* entries written" "$T/kilnd.log"
build_ok -f "$T/full.Dockerfile" --output "type=oci,dest=$T/ref.tar" "$C"
layers "$T/b.tar" b
layers "$T/ref.tar" ref
same_layers b ref
[ "$(cat "$T/b.n")" = 3 ] || fail "$(cat "$T/b.n") layers, not 3"
grep -q "app/gone" "$T/b.3" && fail "a removed directory is in the layer"
grep -q "app/d1/f4" "$T/b.3" && fail "a removed file is in the layer"
tree . "$T/tree.inc"
tree ./ "$T/tree.full"
diff "$T/tree.inc" "$T/tree.full" >"$T/diff" || fail "the trees differ: $(cat "$T/diff")"
grep -q "^app/d1/f5 81a0 " "$T/tree.inc" || fail "mode 640 not kept: $(cat "$T/tree.inc")"

# a file of the base image that the COPY replaced comes back when the
# context no longer has it, as in a full COPY
rm "$C/etc/group"
echo more >"$C/etc/more"
build_ok -f "$T/inc.Dockerfile" --output "type=oci,dest=$T/c.tar" "$C"
ran "COPY etc/ /etc/"
build_ok -f "$T/full2.Dockerfile" --output "type=oci,dest=$T/ref2.tar" "$C"
layers "$T/c.tar" c
layers "$T/ref2.tar" ref2
same_layers c ref2
grep -q "etc/group" "$T/c.2" && fail "the base's /etc/group is in the COPY's layer"
printf 'FROM kiln-busybox\nCOPY etc/ /etc/\nRUN cat /etc/group; cat /etc/more\n' >"$T/g.Dockerfile"
build_ok -f "$T/g.Dockerfile" "$C"
grep -q "kilntest" "$T/out" && fail "the removed /etc/group is still the context's"
assert_grep "^#[0-9]* [0-9.]* root:x:0:" "$T/out"
assert_grep "^#[0-9]* [0-9.]* more" "$T/out"

# a big COPY into a new directory at the root is written into the layer
# directly, not through the overlay: the same layer as through it
mkdir "$C/many"
for i in $(seq 1 70); do echo "many $i" >"$C/many/f$i"; done
chmod 700 "$C/many/f7"
ln -s f1 "$C/many/link"
printf 'FROM kiln-busybox\nCOPY many/ /m/\n' >"$T/direct.Dockerfile"
printf 'FROM kiln-busybox\nCOPY many/ /x/m/\n' >"$T/mount.Dockerfile"
build_ok -f "$T/direct.Dockerfile" --output "type=oci,dest=$T/d.tar" "$C"
assert_grep "COPY into s[0-9]*: written into its layer directly" "$T/kilnd.log"
n=$(grep -c "written into its layer directly" "$T/kilnd.log")
build_ok -f "$T/mount.Dockerfile" --output "type=oci,dest=$T/m.tar" "$C"
[ "$(grep -c "written into its layer directly" "$T/kilnd.log")" = "$n" ] ||
    fail "a COPY below a directory of the base was written directly"
layers "$T/d.tar" d
layers "$T/m.tar" m
grep -v ' x/$' "$T/m.2" | sed 's| x/m| m|; s|\./x/m|./m|' >"$T/m.2x"
diff "$T/d.2" "$T/m.2x" >"$T/diff" || fail "direct and overlay layers differ: $(cat "$T/diff")"
grep -q "m/f70" "$T/d.2" || fail "no m/f70 in $(cat "$T/d.2")"

# the earlier result pruned: a full COPY, still right
n=$(grep -c "incremental COPY into .* written" "$T/kilnd.log")
kilnctl prune --all >/dev/null || fail "prune"
echo again >>"$C/d1/f1"
build_ok -f "$T/inc.Dockerfile" "$C"
ran "COPY . /app/"
[ "$(grep -c "incremental COPY into .* written" "$T/kilnd.log")" = "$n" ] ||
    fail "a COPY was incremental over a pruned result"
echo once-more >>"$C/d1/f1"
build_ok -f "$T/inc.Dockerfile" "$C"
[ "$(grep -c "incremental COPY into .* written" "$T/kilnd.log")" = "$((n + 1))" ] ||
    fail "the COPY after a full one was not incremental"
kiln_stop
