FROM alpine
XYZZY foo
