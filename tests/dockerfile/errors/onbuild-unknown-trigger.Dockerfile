FROM alpine
ONBUILD RUM make
