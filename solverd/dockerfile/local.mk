# solverd/dockerfile/local.mk: the Dockerfile frontend (parser, expansion), a noinst library solverd and its tests link.
