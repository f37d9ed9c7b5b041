FROM alpine
HEALTHCHECK CURL http://localhost/
