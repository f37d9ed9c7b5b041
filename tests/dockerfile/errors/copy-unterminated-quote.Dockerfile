FROM alpine
COPY "my file" /dst/
