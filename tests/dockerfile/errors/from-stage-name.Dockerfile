FROM alpine AS 9lives
