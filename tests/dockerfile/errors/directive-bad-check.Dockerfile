# check=skip=all;warn=true
FROM alpine
