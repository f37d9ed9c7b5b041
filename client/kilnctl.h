/* kilnctl.h: kilnctl's shared declarations. */
#ifndef KILN_KILNCTL_H
#define KILN_KILNCTL_H

#include "ipc.h"

struct ctl {
	const char	*addr;
	int		 fd;
	uint8_t		 buf[IPC_MAX_FRAME];
	msgpack_zone	 zone;
	struct ipc_msg	 reply;
};

/* conn.c */
int ctl_connect(struct ctl *c);
/* Sends a request and waits for its reply; an ERROR reply is printed and
 * turned into its negative errno. */
int ctl_call(struct ctl *c, uint16_t type, const struct ipc_wr *body);
/* The same with fds riding along; they stay the caller's. */
int ctl_call_fds(struct ctl *c, uint16_t type, const struct ipc_wr *body,
    const int *fds, int nfds);
void ctl_close(struct ctl *c);

/* cmd_info.c */
int cmd_info(struct ctl *c, int argc, char **argv);
int cmd_debug(struct ctl *c, int argc, char **argv);
int cmd_ping(struct ctl *c, int argc, char **argv);

/* cmd_du.c */
int cmd_du(struct ctl *c, int argc, char **argv);
int cmd_prune(struct ctl *c, int argc, char **argv);

/* cmd_run.c */
int cmd_debug_run(struct ctl *c, int argc, char **argv);

/* cmd_status.c: each helper's STATUS_REPLY */
int cmd_debug_status(struct ctl *c, int argc, char **argv);

/* cmd_call.c: any message, body written as JSON (tests) */
int cmd_debug_call(struct ctl *c, int argc, char **argv);

/* cmd_login.c */
int cmd_login(struct ctl *c, int argc, char **argv);
int cmd_logout(struct ctl *c, int argc, char **argv);

/* cmd_image.c */
int cmd_image(struct ctl *c, int argc, char **argv);
int cmd_images(struct ctl *c, int argc, char **argv);
/* cmd_pull.c */
int cmd_pull(struct ctl *c, int argc, char **argv);
int cmd_push(struct ctl *c, int argc, char **argv);
int cmd_tag(struct ctl *c, int argc, char **argv);
/* cmd_save.c */
int cmd_save(struct ctl *c, int argc, char **argv);

/* cmd_build.c, cmd_history.c */
int cmd_build(struct ctl *c, int argc, char **argv);
int cmd_history(struct ctl *c, int argc, char **argv);

#endif
