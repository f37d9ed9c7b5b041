FROM alpine
SHELL []
