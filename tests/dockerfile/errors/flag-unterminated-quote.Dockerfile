FROM alpine
RUN --mount=type=secret,id="tok echo hi
