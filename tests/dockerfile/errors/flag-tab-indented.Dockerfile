FROM alpine
	RUN --nope echo
