FROM alpine
ENV msg="hello world
