#!/bin/sh
# greet.sh: the example build's one step of work: a greeting from the words file.
printf 'built by kiln, rootless, as uid %s in its user namespace: ' "$(id -u)"
tr '\n' ' ' <words.txt
echo
