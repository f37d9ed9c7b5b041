# syntax=docker/dockerfile:1
# syntax=docker/dockerfile:1.4
FROM alpine
