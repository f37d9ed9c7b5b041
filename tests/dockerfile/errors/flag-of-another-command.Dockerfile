FROM alpine
RUN --from=build echo hi
