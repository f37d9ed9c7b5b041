/* notify.h: sd_notify(3) without libsystemd. */
#ifndef KILN_NOTIFY_H
#define KILN_NOTIFY_H
/* Sends state ("READY=1", ...) to $NOTIFY_SOCKET; 0 when there is none. */
int notify_systemd(const char *state);
#endif
