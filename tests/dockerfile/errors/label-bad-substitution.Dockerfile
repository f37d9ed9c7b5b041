FROM alpine
LABEL version=${}
