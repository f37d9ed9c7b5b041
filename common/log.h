/* log.h: one logging call for every kiln process, to stderr or journald. */
#ifndef KILN_LOG_H
#define KILN_LOG_H

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

enum log_target {
	LOG_TARGET_AUTO = 0,	/* journald when JOURNAL_STREAM is our stderr */
	LOG_TARGET_STDERR,
	LOG_TARGET_JOURNAL,
};

/* Opens the journal socket now, so a helper's seccomp filter needs no
 * socket(2). ident is e.g. "kiln-execd". */
int log_init(const char *ident, enum log_level level, enum log_target target);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
const char *log_ident(void);
/* "error", "warn", "info", "debug" -> level; -1 when unknown */
int log_level_parse(const char *s);
const char *log_level_name(enum log_level level);
/* "auto", "stderr", "journal"; -1 when unknown */
int log_target_parse(const char *s);
/* The journal socket's fd or -1; kept open across exec by nobody. */
int log_journal_fd(void);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
