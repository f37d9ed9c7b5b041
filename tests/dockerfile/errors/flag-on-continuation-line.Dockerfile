FROM alpine
RUN --mount=type=cache,target=/root/.cache \
    --netwrk=none \
    make
