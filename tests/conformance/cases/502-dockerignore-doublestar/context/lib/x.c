lib/x.c
