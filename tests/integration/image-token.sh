#!/bin/sh
# image-token.sh: the bearer token flow (WWW-Authenticate realm, service, scope): anonymous pulls of a public repository, credentials for a private one, a refused password, a push.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start tok --token
R=$REG_ADDR
SKOPEO_DEST_CREDS=kiln:s3cret reg_push_base "$R/public/busybox:latest"
SKOPEO_DEST_CREDS=kiln:s3cret reg_push_base "$R/private/busybox:latest"

mkdir -p "$XDG_CONFIG_HOME/kiln"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start

# anonymous: a token without credentials, for pull of public/*
kilnctl pull "$R/public/busybox" >"$T/out" 2>"$T/err" || fail "anonymous pull: $(cat "$T/err")"
grep -q "GET /token?service=kiln-registry&scope=repository%3Apublic%2Fbusybox%3Apull" "$T/token.log" ||
    fail "no token request with service and scope: $(cat "$T/token.log")"

# private: the anonymous token is not enough, and the message says so
kilnctl pull "$R/private/busybox" >"$T/out" 2>"$T/err" && fail "pulled private anonymously"
assert_grep "registry $R answered 401" "$T/err"
assert_grep "run 'kilnctl login $R'" "$T/err"

# a wrong password: the token server refuses it
mkdir -p "$DOCKER_CONFIG"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" "$(printf kiln:nope | base64)" \
    >"$DOCKER_CONFIG/config.json"
kilnctl pull "$R/private/busybox" >"$T/out" 2>"$T/err" && fail "pulled with a wrong password"
assert_grep "the token server of $R (http://127.0.0.1:[0-9]*/token" "$T/err"
assert_grep "answered 401 (UNAUTHORIZED: bad username or password)" "$T/err"

# the right one: login, pull, push (a pull,push token)
echo s3cret | kilnctl login -u kiln --password-stdin "$R" >"$T/out" 2>&1 ||
    fail "login: $(cat "$T/out")"
kilnctl pull "$R/private/busybox" >"$T/out" 2>"$T/err" || fail "pull: $(cat "$T/err")"
kilnctl tag "$R/private/busybox" "$R/private/copy:1" || fail "tag"
kilnctl push "$R/private/copy:1" >"$T/out" 2>"$T/err" || fail "push: $(cat "$T/err")"
grep -q "scope=repository%3Aprivate%2Fcopy%3Apull%2Cpush" "$T/token.log" ||
    fail "no pull,push token asked: $(cat "$T/token.log")"
grep -q s3cret "$T/kilnd.log" && fail "a secret reached the log"
kiln_stop
