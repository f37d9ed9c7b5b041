/* proc.h: the identities of kiln's processes, used for routing and permissions. */
#ifndef KILN_PROC_H
#define KILN_PROC_H

enum kiln_proc {
	PROC_SUPERVISOR = 0,
	PROC_SOLVERD,
	PROC_EXECD,
	PROC_SNAPD,
	PROC_NETD,
	PROC_CLIENT,
	PROC_MAX
};

#define P_BIT(p)	(1u << (p))
#define P_SUP		P_BIT(PROC_SUPERVISOR)
#define P_SOLVERD	P_BIT(PROC_SOLVERD)
#define P_EXECD		P_BIT(PROC_EXECD)
#define P_SNAPD		P_BIT(PROC_SNAPD)
#define P_NETD		P_BIT(PROC_NETD)
#define P_CLIENT	P_BIT(PROC_CLIENT)
#define P_HELPERS	(P_SOLVERD | P_EXECD | P_SNAPD | P_NETD)
#define P_DAEMON	(P_SUP | P_HELPERS)
#define P_ANY		(P_DAEMON | P_CLIENT)

/* "kilnd", "kiln-solverd", ... : the names ps, journalctl -t and logs use. */
const char *proc_name(enum kiln_proc p);
/* Accepts "execd", "kiln-execd"; returns -1 when unknown. */
int proc_from_name(const char *name);
/* True for the four helpers kilnd spawns. */
int proc_is_helper(int p);

#endif
