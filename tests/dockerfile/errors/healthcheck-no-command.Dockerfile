FROM alpine
HEALTHCHECK --timeout=3s CMD
