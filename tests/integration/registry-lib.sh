# registry-lib.sh: the image tests' own registries: Debian's docker-registry on 127.0.0.1, plain or with TLS and htpasswd, stopped at exit.
# After lib.sh and kiln_setup:  . "$KILN_SRCDIR/tests/integration/registry-lib.sh"
#   reg_start NAME [--tls] [--auth USER:PASSWORD | --token]  -> REG_PORT, REG_ADDR
#     --token: bearer tokens from registry-token.py (anyone pulls public/*,
#     kiln:s3cret does anything)
#   reg_ca: $T/ca/ca.pem, made on the first --tls

REG_PIDS=
command -v docker-registry >/dev/null 2>&1 || { echo "SKIP: no docker-registry (scripts/deps.sh)"; exit 77; }
command -v skopeo >/dev/null 2>&1 || { echo "SKIP: no skopeo (scripts/deps.sh)"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: no jq (scripts/deps.sh)"; exit 77; }

reg_cleanup() {
	for p in $REG_PIDS; do
		kill -KILL "$p" 2>/dev/null || true
	done
	kiln_cleanup
}
trap reg_cleanup EXIT

# A test CA and a certificate for 127.0.0.1 signed by it.
reg_make_certs() {
	[ -f "$T/ca/server.pem" ] && return 0
	mkdir -p "$T/ca"
	(
		cd "$T/ca"
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kiln test CA" \
		    -keyout ca.key -out ca.pem >/dev/null 2>&1
		openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		    -keyout server.key -out server.csr >/dev/null 2>&1
		printf 'subjectAltName=IP:127.0.0.1\n' >ext.cnf
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		    -days 2 -extfile ext.cnf -out server.pem >/dev/null 2>&1
	) || fail "openssl could not make the test certificates"
}

# The token server of reg_start --token: TOKEN_PORT, its key and cert.
token_start() {
	command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
	mkdir -p "$T/tok"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kiln token" \
	    -keyout "$T/tok/key.pem" -out "$T/tok/cert.pem" >/dev/null 2>&1 ||
	    fail "openssl could not make the token key"
	for try in 1 2 3 4 5; do
		TOKEN_PORT=$(shuf -i 20000-60000 -n 1)
		python3 "$KILN_SRCDIR/tests/integration/registry-token.py" "$TOKEN_PORT" \
		    "$T/tok/key.pem" "$T/tok/cert.pem" kiln-registry kiln-issuer \
		    >>"$T/token.log" 2>&1 &
		REG_PIDS="$REG_PIDS $!"
		wait_for 50 curl -sf -o /dev/null "http://127.0.0.1:$TOKEN_PORT/token" && return 0
	done
	fail "registry-token.py did not start: $(tail -5 "$T/token.log")"
}

reg_config() {
	d=$1 port=$2 tls=$3 auth=$4
	cat >"$d/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $d/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
	if [ "$tls" = 1 ]; then
		cat >>"$d/config.yml" <<EOF
  tls:
    certificate: $T/ca/server.pem
    key: $T/ca/server.key
EOF
	fi
	if [ "$auth" = token ]; then
		cat >>"$d/config.yml" <<EOF
auth:
  token:
    realm: http://127.0.0.1:$TOKEN_PORT/token
    service: kiln-registry
    issuer: kiln-issuer
    rootcertbundle: $T/tok/cert.pem
EOF
	elif [ -n "$auth" ]; then
		htpasswd -Bbn "${auth%%:*}" "${auth#*:}" >"$d/htpasswd" 2>/dev/null ||
		    fail "htpasswd (apache2-utils) could not write $d/htpasswd"
		cat >>"$d/config.yml" <<EOF
auth:
  htpasswd:
    realm: kiln-test
    path: $d/htpasswd
EOF
	fi
}

reg_up() {
	curl -s -o /dev/null --cacert "$T/ca/ca.pem" "$1/v2/" 2>/dev/null ||
	    curl -s -o /dev/null "$1/v2/"
}

# Starts one registry; REG_PORT and REG_ADDR (127.0.0.1:PORT) name it.
reg_start() {
	name=$1
	shift
	tls=0 auth=
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) tls=1 ;;
		--auth) auth=$2; shift ;;
		--token) auth=token ;;
		esac
		shift
	done
	[ "$tls" = 1 ] && reg_make_certs
	[ "$auth" = token ] && token_start
	d=$T/reg-$name
	mkdir -p "$d/data"
	scheme=http
	[ "$tls" = 1 ] && scheme=https
	for try in 1 2 3 4 5; do
		REG_PORT=$(shuf -i 20000-60000 -n 1)
		reg_config "$d" "$REG_PORT" "$tls" "$auth"
		docker-registry serve "$d/config.yml" >"$d/log" 2>&1 &
		pid=$!
		REG_PIDS="$REG_PIDS $pid"
		if wait_for 100 reg_up "$scheme://127.0.0.1:$REG_PORT"; then
			REG_ADDR=127.0.0.1:$REG_PORT
			eval "REG_PID_$name=$pid REG_PORT_$name=$REG_PORT"
			return 0
		fi
		kill -KILL "$pid" 2>/dev/null || true
	done
	cat "$d/log" >&2
	fail "docker-registry $name did not start"
}

reg_stop() {
	eval "pid=\${REG_PID_$1:-}"
	if [ -n "$pid" ]; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
}

# A base image (tests/tools/mkbase.sh) pushed by skopeo: reg_push_base
# DEST-REF [mkbase options]; DEST-REF without docker://.
reg_push_base() {
	dest=$1
	shift
	src=$T/base.$$.$(date +%s%N)
	sh "$KILN_SRCDIR/tests/tools/mkbase.sh" "$src" "$@" >/dev/null ||
	    fail "mkbase.sh failed"
	skopeo copy -q --dest-tls-verify=false ${SKOPEO_DEST_CREDS:+--dest-creds "$SKOPEO_DEST_CREDS"} \
	    "oci:$src:kiln-busybox:latest" "docker://$dest" >"$T/skopeo.out" 2>&1 ||
	    fail "skopeo copy to $dest: $(cat "$T/skopeo.out")"
	rm -rf "$src"
}

# A registry-proxy.py in front of registry NAME: proxy_start NAME MODE
# [PORT] -> PROXY_PORT, PROXY_PID. Its log is $T/proxy.log.
proxy_start() {
	command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
	eval "up=\${REG_PORT_$1}"
	for try in 1 2 3 4 5; do
		PROXY_PORT=${3:-$(shuf -i 20000-60000 -n 1)}
		python3 "$KILN_SRCDIR/tests/integration/registry-proxy.py" "$PROXY_PORT" "$up" \
		    "$2" >>"$T/proxy.log" 2>&1 &
		PROXY_PID=$!
		REG_PIDS="$REG_PIDS $PROXY_PID"
		wait_for 50 reg_up "http://127.0.0.1:$PROXY_PORT" && return 0
		kill -KILL "$PROXY_PID" 2>/dev/null || true
	done
	fail "registry-proxy.py did not start: $(tail -5 "$T/proxy.log")"
}
