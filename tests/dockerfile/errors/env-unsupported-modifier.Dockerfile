FROM alpine
ENV x=${y:x}
