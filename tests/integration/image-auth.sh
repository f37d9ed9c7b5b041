#!/bin/sh
# image-auth.sh: a registry with TLS (a test CA) and htpasswd: no credentials, a wrong password, the right one from config.json or a credential helper, kilnctl login and logout.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"
command -v htpasswd >/dev/null 2>&1 || { echo "SKIP: no htpasswd (apache2-utils)"; exit 77; }

reg_start secure --tls --auth kiln:s3cret
R=$REG_ADDR
SKOPEO_DEST_CREDS=kiln:s3cret reg_push_base "$R/kiln/busybox:latest"

mkdir -p "$XDG_CONFIG_HOME/kiln" "$T/bin"
export DOCKER_CONFIG="$T/docker" PATH="$T/bin:$PATH"
# the test CA for this registry only; every other registry keeps the system's
echo "registry = $R,ca=$T/ca/ca.pem" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
kiln_start --test-hooks

get() {
	kilnctl debug call REG_MANIFEST_GET "[\"$R/kiln/busybox\",\"\"]" \
	    --fd-write "$T/m.json" >"$T/out" 2>&1
}

# no credentials: a clear 401 that says what to run
get && fail "pulled without credentials"
assert_grep "manifest $R/kiln/busybox: registry $R answered 401 (UNAUTHORIZED" "$T/out"
assert_grep "no credentials for $R in $DOCKER_CONFIG/config.json: run 'kilnctl login $R'" "$T/out"

# a wrong password in config.json
mkdir -p "$DOCKER_CONFIG"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$R" "$(printf kiln:wrong | base64)" \
    >"$DOCKER_CONFIG/config.json"
get && fail "pulled with a wrong password"
assert_grep "answered 401" "$T/out"
assert_grep "it refused the credentials from $DOCKER_CONFIG/config.json" "$T/out"

# the right one, as https://HOST keys are written too
printf '{"auths":{"https://%s":{"auth":"%s"}}}' "$R" "$(printf kiln:s3cret | base64)" \
    >"$DOCKER_CONFIG/config.json"
get || fail "right password: $(cat "$T/out")"
assert_grep "^REG_MANIFEST \[\"$R/kiln/busybox:latest\"" "$T/out"

# a credential helper, which credHelpers names for this registry
cat >"$T/bin/docker-credential-kilntest" <<EOF
#!/bin/sh
read -r server
echo "\$1 \$server" >>"$T/helper.log"
[ "\$server" = "$R" ] || { echo "credentials not found in native keychain"; exit 1; }
echo '{"ServerURL":"$R","Username":"kiln","Secret":"s3cret"}'
EOF
chmod +x "$T/bin/docker-credential-kilntest"
printf '{"credHelpers":{"%s":"kilntest"}}' "$R" >"$DOCKER_CONFIG/config.json"
get || fail "credential helper: $(cat "$T/out")"
assert_grep "^get $R" "$T/helper.log"
grep -q s3cret "$T/kilnd.log" && fail "a secret reached the log"

# kilnctl login: checked by the registry, then stored in auths (0600)
rm "$DOCKER_CONFIG/config.json"
echo wrong | kilnctl login -u kiln --password-stdin "$R" >"$T/out" 2>&1 &&
    fail "login with a wrong password succeeded"
assert_grep "login to $R: registry $R answered 401" "$T/out"
[ -e "$DOCKER_CONFIG/config.json" ] && fail "a refused login was stored"
echo s3cret | kilnctl login -u kiln --password-stdin "https://$R/" >"$T/out" 2>&1 ||
    fail "login: $(cat "$T/out")"
assert_grep "Login Succeeded" "$T/out"
[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ] || fail "config.json not 0600"
[ "$(jq -r --arg r "$R" '.auths[$r].auth' "$DOCKER_CONFIG/config.json" | base64 -d)" = kiln:s3cret ] ||
    fail "login stored: $(cat "$DOCKER_CONFIG/config.json")"
get || fail "after login: $(cat "$T/out")"
grep -q s3cret "$T/kilnd.log" && fail "a secret reached the log"

kilnctl logout "$R" >"$T/out" 2>&1 || fail "logout: $(cat "$T/out")"
get && fail "pulled after logout"
kilnctl logout "$R" >"$T/out" 2>&1 && fail "a second logout succeeded"
assert_grep "not logged in to $R" "$T/out"

kiln_stop

# without the CA the certificate is refused, and the message says how
echo "" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
kiln_start --test-hooks
get && fail "TLS without the CA was accepted"
assert_grep "TLS with $R failed" "$T/out"
assert_grep "registry = $R,ca=FILE" "$T/out"
kiln_stop
