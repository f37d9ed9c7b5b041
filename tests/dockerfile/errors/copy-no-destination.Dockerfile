FROM alpine
COPY onlysrc
