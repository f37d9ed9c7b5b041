#!/bin/sh
# make-corpus.sh: writes the seed corpus of fuzz-ipc-frame: good frames and every bad case.
# Usage: tests/fuzz/make-corpus.sh [dir]   (default: corpus/ipc-frame beside it)
# A file is one control byte (low nibble: fds that came with the record,
# high nibble: sender proc, 0 kilnd 1 solverd ... 5 client), then the record:
# a little-endian header u32 len, u16 type, u8 version, u8 nfds, u32 id, and
# the msgpack body.
set -eu
dir=${1:-$(dirname "$0")/corpus/ipc-frame}
mkdir -p "$dir"

# bytes N... : writes each decimal value as one byte
bytes() {
	for b in "$@"; do
		printf "\\$(printf %03o "$b")"
	done
}
le16() { bytes $(($1 & 255)) $(($1 >> 8 & 255)); }
le32() { bytes $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }

# frame NAME CTRL LEN TYPE VERSION NFDS ID [BODY BYTES...]
frame() {
	name=$1 ctrl=$2 len=$3 type=$4 ver=$5 nfds=$6 id=$7
	shift 7
	{
		bytes "$ctrl"
		le32 "$len"; le16 "$type"; bytes "$ver" "$nfds"; le32 "$id"
		bytes "$@"
	} >"$dir/$name"
}
# good NAME CTRL TYPE NFDS ID [BODY...]: a header that matches its body
good() {
	name=$1 ctrl=$2 type=$3 nfds=$4 id=$5
	shift 5
	frame "$name" "$ctrl" $# "$type" 1 "$nfds" "$id" "$@"
}

# types: ERROR 1, PING 3, PONG 4, STATUS_REPLY 6, PEER_CONNECT 11,
# SHUTDOWN 13, SECCOMP_NOTE 14, INFO 20, INFO_REPLY 21, DEBUG_VIOLATE 22
SUP=0 SOLVERD=16 CLIENT=80
good ok-ping $CLIENT 3 0 1
good ok-pong $SOLVERD 4 0 1
good ok-shutdown $SUP 13 0 0
good ok-peer-connect $((SUP | 1)) 11 1 0  145 2
good ok-error $SOLVERD 1 0 9  146 2 161 120
# [str name, i64 pid, str, str, str, u64 caps]
good ok-status-reply $SOLVERD 6 0 5  150 164 107 105 108 110 205 1 0 \
	160 160 163 111 102 102 207 0 0 0 0 255 255 255 255
good ok-seccomp-note $SOLVERD 14 0 0  146 204 59 206 192 0 0 62
good ok-debug-violate $CLIENT 22 0 3  145 165 101 120 101 99 100
# INFO_REPLY-like: nested arrays, negative ints, bool, bin, float, map
good ok-info-reply $SUP 21 0 4  150 163 48 46 49 147 147 0 1 1 144 144 \
	145 149 161 120 255 195 194 192 196 2 0 1 \
	203 63 240 0 0 0 0 0 0 129 161 107 1
good ok-max-fds $((SUP | 1)) 12 1 0

frame bad-short $CLIENT 0 3 1 0 1
truncate -s 6 "$dir/bad-short"
frame bad-len-long $CLIENT 100 3 1 0 7  145 1
frame bad-len-short $CLIENT 1 3 1 0 7  145 1
frame bad-version $CLIENT 0 3 2 0 7
good bad-unknown-type $CLIENT 30000 0 7
good bad-sender $SUP 20 0 7
good bad-fd-mismatch $((SUP | 1)) 11 0 0  145 2
good bad-fd-mismatch-hdr $SUP 11 1 0  145 2
good bad-fds-for-type $((CLIENT | 1)) 3 1 7
good bad-fds-over-max $((SUP | 9)) 11 9 0
frame bad-too-big $CLIENT 131073 3 1 0 7
# array32 / map32 of 2^32-1 elements in 5 bytes
good bad-gigabytes-array $SUP 21 0 7  221 255 255 255 255
good bad-gigabytes-map $SUP 21 0 7  223 255 255 255 255
good bad-count-array16 $SUP 21 0 7  220 0 3 1 2
good bad-str32-len $SUP 21 0 7  219 127 255 255 255 97
# 17 and 40 nested arrays around an int, 16 (allowed)
good bad-deep-17 $SUP 21 0 7  $(i=0; while [ $i -lt 17 ]; do printf '145 '; i=$((i + 1)); done) 1
good bad-deep-40 $SUP 21 0 7  $(i=0; while [ $i -lt 40 ]; do printf '129 '; i=$((i + 1)); done) 1
good ok-deep-16 $SUP 21 0 7  $(i=0; while [ $i -lt 16 ]; do printf '145 '; i=$((i + 1)); done) 1
good bad-trailing $SUP 21 0 7  144 1
good bad-ext-fixext1 $SUP 21 0 7  145 212 1 0
good bad-ext8 $SUP 21 0 7  199 1 1 0
good bad-c1 $SUP 21 0 7  193
good bad-str-nul $SUP 21 0 7  146 163 97 0 98 161 0
good bad-leftover $SOLVERD 1 0 9  147 2 161 120 3
good bad-not-array $SOLVERD 1 0 9  129 1 2
good bad-truncated-u64 $SUP 21 0 7  145 207 1 2
bytes $CLIENT 1 2 3 >"$dir/bad-garbage"
