deep/a/b/keep.c
