/* build_send.h: the descriptors and body of one BUILD request. */
#ifndef KILN_CLIENT_BUILD_SEND_H
#define KILN_CLIENT_BUILD_SEND_H

#include "build.h"
#include "kilnctl.h"

struct bsend {
	char	 name[256];		/* the Dockerfile's, for messages */
	int	 fds[BOPT_MAX_FDS];	/* in BUILD's order (ipc_msg.h) */
	int	 nfds;
	char	**ignore;
	size_t	 nignore;
};

void bsend_init(struct bsend *b);
/* Opens everything; prints what failed. 0 or negative errno. */
int bsend_open(struct bsend *b, struct build_opts *o, struct ctl *c);
void bsend_pack(struct ipc_wr *w, const struct bsend *b, const struct build_opts *o);
void bsend_free(struct bsend *b);

#endif
