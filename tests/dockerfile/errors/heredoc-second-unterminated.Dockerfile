FROM alpine
RUN cat <<A <<B
a
A
b
