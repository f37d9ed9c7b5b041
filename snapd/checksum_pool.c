/* checksum_pool.c: files' contents read and hashed by worker threads while SNAP_CHECKSUM's walk goes on; the records fed in the walk's order. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "checksum.h"

/*
 * The walk (one thread: its opens, watches and stats are in order) hands
 * each file that is not cached over with its open fd; a worker reads it,
 * hashes it and closes it. A record that follows a file still being
 * hashed waits in pend, so the records reach the sum in the walk's order
 * whatever order the files end in. With every slot taken the walk hashes
 * the next file itself rather than wait, so a busy or single CPU costs
 * nothing over hashing in line.
 */
#define CKP_SLOTS	64	/* files in flight */
#define CKP_WORKERS_MAX	3	/* past that the walk's system calls are the limit */
#define CKP_START	8	/* files queued before any worker starts: a small
				 * context is not worth a thread */
#define CKP_BATCH	8	/* a sleeping worker is woken for this many files */
#define CKP_PEND_MAX	(256 * 1024)	/* bytes of records behind one file: a
				 * big file being hashed holds up the walk
				 * rather than every cached file's record */

enum ckp_state { CKP_QUEUED, CKP_RUNNING, CKP_DONE };

struct ckp_job {
	/* the walk's: where the record and its digest are in pend */
	size_t		 rec, dig;
	/* under mu until state is CKP_RUNNING, then the worker's until
	 * CKP_DONE, then the walk's */
	int		 fd, r;
	struct stat	 st;
	unsigned char	 md[32];
	enum ckp_state	 state;
};

struct ckp;
struct ckp_worker {
	struct ckp	*p;
	pthread_t	 tid;
	unsigned char	*buf;
};

struct ckp {
	EVP_MD_CTX	*out;
	struct snap_err	*err;
	char		*pend;	/* records behind a file still being hashed */
	size_t		 len, fed, cap;
	int		 r;	/* the first error */
	struct ckp_job	 jobs[CKP_SLOTS];
	size_t		 tail, next, head;	/* given [tail, head); claimed before next */
	pthread_mutex_t	 mu;
	pthread_cond_t	 work, done;
	struct ckp_worker w[CKP_WORKERS_MAX];
	int		 nworkers, started, idle, walk_waits, stop;
};

/* The walk's own read buffer, for the files it hashes itself. */
static unsigned char walk_buf[CK_READ_BUF];

static int
workers_wanted(void)
{
	static int n = -1;
	cpu_set_t set;

	if (n < 0) {
		n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) - 1 : 0;
		if (n > CKP_WORKERS_MAX)
			n = CKP_WORKERS_MAX;
		if (n < 0)
			n = 0;
	}
	return n;
}

static void
job_run(struct ckp_job *j, unsigned char *buf)
{
	j->r = checksum_fd(j->fd, &j->st, buf, CK_READ_BUF, j->md);
	close(j->fd);
	j->fd = -1;
}

/* Under mu: the oldest queued job, claimed; NULL if none. */
static struct ckp_job *
job_claim(struct ckp *p)
{
	struct ckp_job *j;

	if (p->next == p->head)
		return NULL;
	j = &p->jobs[p->next++ % CKP_SLOTS];
	j->state = CKP_RUNNING;
	return j;
}

static void *
worker(void *arg)
{
	struct ckp_worker *w = arg;
	struct ckp *p = w->p;
	struct ckp_job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while ((j = job_claim(p)) == NULL && !p->stop) {
			p->idle++;
			pthread_cond_wait(&p->work, &p->mu);
			p->idle--;
		}
		if (j == NULL)
			break;
		pthread_mutex_unlock(&p->mu);
		job_run(j, w->buf);
		pthread_mutex_lock(&p->mu);
		j->state = CKP_DONE;
		if (p->walk_waits)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Signals blocked in the workers: libevent's handlers stay on the loop's
 * thread; but SIGSYS, which the kernel would otherwise deliver unblocked
 * to the default action, without the reporter's word on it. Without
 * workers the walk hashes every file itself. */
static void
workers_start(struct ckp *p)
{
	sigset_t all, old;
	int want = workers_wanted();

	p->started = 1;
	sigfillset(&all);
	sigdelset(&all, SIGSYS);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < want; i++) {
		struct ckp_worker *w = &p->w[i];

		w->p = p;
		if ((w->buf = malloc(CK_READ_BUF)) == NULL)
			break;
		if (pthread_create(&w->tid, NULL, worker, w) != 0) {
			free(w->buf);
			break;
		}
		p->nworkers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void
workers_stop(struct ckp *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nworkers; i++) {
		pthread_join(p->w[i].tid, NULL);
		free(p->w[i].buf);
	}
	p->nworkers = 0;
}

/* Until the oldest file is hashed: the walk hashes a queued one itself
 * rather than wait, and waits only when the workers hold all the rest. */
static void
wait_oldest(struct ckp *p)
{
	struct ckp_job *oldest = &p->jobs[p->tail % CKP_SLOTS], *j;

	pthread_mutex_lock(&p->mu);
	while (oldest->state != CKP_DONE) {
		if ((j = job_claim(p)) != NULL) {
			pthread_mutex_unlock(&p->mu);
			job_run(j, walk_buf);
			pthread_mutex_lock(&p->mu);
			j->state = CKP_DONE;
			continue;
		}
		p->walk_waits = 1;
		pthread_cond_wait(&p->done, &p->mu);
		p->walk_waits = 0;
	}
	pthread_mutex_unlock(&p->mu);
}

static void
feed(struct ckp *p, size_t to)
{
	if (to > p->fed)
		EVP_DigestUpdate(p->out, p->pend + p->fed, to - p->fed);
	p->fed = to;
	if (p->fed == p->len)
		p->len = p->fed = 0;
}

/* The path in a record "TYPE MODE PATH\0" */
static const char *
rec_path(const char *rec)
{
	const char *s = strchr(rec, ' ');

	s = s ? strchr(s + 1, ' ') : NULL;
	return s ? s + 1 : rec;
}

/* The hashed files at the front: their digests into their records, into
 * the cache, and the records up to the first file still out fed. */
static void
settle(struct ckp *p)
{
	struct ckp_job *j;
	int done;

	for (; p->tail < p->head; p->tail++) {
		j = &p->jobs[p->tail % CKP_SLOTS];
		pthread_mutex_lock(&p->mu);
		done = j->state == CKP_DONE;
		pthread_mutex_unlock(&p->mu);
		if (!done)
			break;
		if (j->r < 0 && p->r == 0)
			p->r = snap_errf(p->err, j->r, "source '%s': %s",
			    rec_path(p->pend + j->rec), strerror(-j->r));
		if (j->r == 0)
			checksum_remember(&j->st, j->md);
		memcpy(p->pend + j->dig, j->md, 32);
	}
	feed(p, p->tail < p->head ? p->jobs[p->tail % CKP_SLOTS].dig : p->len);
}

/* Room for n more bytes in pend, what was fed moved out first. */
static int
pend_room(struct ckp *p, size_t n)
{
	char *b;

	if (p->fed > 0 && p->len + n > p->cap) {
		memmove(p->pend, p->pend + p->fed, p->len - p->fed);
		for (size_t i = p->tail; i < p->head; i++) {
			p->jobs[i % CKP_SLOTS].rec -= p->fed;
			p->jobs[i % CKP_SLOTS].dig -= p->fed;
		}
		p->len -= p->fed;
		p->fed = 0;
	}
	if (p->len + n <= p->cap)
		return 0;
	if ((b = realloc(p->pend, p->len + n + 64 * 1024)) == NULL)
		return -ENOMEM;
	p->pend = b;
	p->cap = p->len + n + 64 * 1024;
	return 0;
}

struct ckp *
ckp_new(EVP_MD_CTX *out, struct snap_err *err)
{
	struct ckp *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->out = out;
	p->err = err;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	return p;
}

int
ckp_record(struct ckp *p, const char *rec, size_t len)
{
	if (p->tail < p->head && p->len - p->fed > CKP_PEND_MAX) {
		wait_oldest(p);
		settle(p);
	}
	if (p->tail == p->head) {
		EVP_DigestUpdate(p->out, rec, len);	/* nothing before it is out */
		return 0;
	}
	if (pend_room(p, len) < 0)
		return -ENOMEM;
	memcpy(p->pend + p->len, rec, len);
	p->len += len;
	return 0;
}

int
ckp_record_fd(struct ckp *p, const char *rec, size_t len, int fd,
    const struct stat *st)
{
	struct ckp_job *j;

	if (p->head - p->tail == CKP_SLOTS) {
		wait_oldest(p);
		settle(p);
	}
	if (p->r < 0 || pend_room(p, len + 33) < 0) {
		close(fd);
		return p->r < 0 ? p->r : snap_errf(p->err, -ENOMEM, "checksum: %s",
		    strerror(ENOMEM));
	}
	j = &p->jobs[p->head % CKP_SLOTS];
	j->rec = p->len;
	j->dig = p->len + len;
	memcpy(p->pend + p->len, rec, len);
	p->pend[j->dig + 32] = '\n';
	p->len += len + 33;
	j->fd = fd;
	j->st = *st;
	j->r = 0;
	pthread_mutex_lock(&p->mu);
	j->state = CKP_QUEUED;
	p->head++;
	if (p->idle > 0 && p->head - p->next >= CKP_BATCH)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	if (!p->started && p->head - p->next >= CKP_START)
		workers_start(p);
	settle(p);
	return p->r;
}

int
ckp_end(struct ckp *p)
{
	while (p->tail < p->head) {
		wait_oldest(p);
		settle(p);
	}
	return p->r;
}

void
ckp_free(struct ckp *p)
{
	if (p == NULL)
		return;
	p->err = NULL;	/* the walk's own error, if any, stands */
	ckp_end(p);	/* every fd closed, every worker idle */
	workers_stop(p);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p->pend);
	free(p);
}
