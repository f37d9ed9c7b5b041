FROM alpine
RUN --foo=bar echo hi
