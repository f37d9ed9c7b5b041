/* driver.h: the snapshotter drivers, one small vtable: overlayfs, fuse-overlayfs, native. */
#ifndef KILN_SNAPD_DRIVER_H
#define KILN_SNAPD_DRIVER_H

#include <stddef.h>

/*
 * A snapshot's directory is <state>/snapshots/<n>/; the driver owns what
 * is inside. Every driver has fs/ there: the layered drivers keep only
 * the snapshot's own changes in it (an overlay upper dir), native a whole
 * tree. A mount goes on <state>/mnt/<id>, an empty directory.
 */
struct snap_mount {
	const char		*dir;		/* the snapshot's directory; NULL: a view */
	const char *const	*lowers;	/* fs/ of the parent chain, nearest first */
	int			 nlowers;
	const char		*target;	/* the mountpoint */
	/* a read-only layer under the chain (a step's mount points, so that
	 * kiln-execd makes none in the snapshot), or NULL; the drivers that
	 * cannot stack it leave it out */
	const char		*bottom;
};

struct snap_driver {
	const char	*name;
	int		 layered;	/* fs/ holds the changes only */
	/* Trial mount in the empty directory scratch: 0, or a negative errno
	 * and the reason in why. */
	int		(*probe)(const char *scratch, char *why, size_t len);
	/* Makes a new writable snapshot's contents in dir (which exists);
	 * parent_fs is the parent's fs/ or NULL. */
	int		(*create)(const char *dir, const char *parent_fs);
	int		(*mount)(const struct snap_mount *m);
	/* Unmounts target; EBUSY is waited out with a lazy unmount. */
	int		(*unmount)(const char *target);
	/* What only a mount needs, in a snapshot's directory (an overlay's
	 * work dir): removed after the commit. NULL: none. */
	const char	*scratch;
};

extern const struct snap_driver driver_overlay;
extern const struct snap_driver driver_fuse;
extern const struct snap_driver driver_native;

/* driver_overlay.c, shared with the native driver: bind mounts with the
 * new mount API (open_tree, mount_setattr, move_mount) */
int driver_bind(const char *src, const char *target, int readonly);
int driver_umount(const char *target);
/* fs/ and work/ in dir, the root owned and moded as the parent's: the
 * overlay layout, fuse-overlayfs's too */
int driver_overlay_create(const char *dir, const char *parent_fs);
/* Its second half: an empty fs/ made earlier takes the parent's owner
 * and mode. */
int driver_overlay_adopt(const char *dir, const char *parent_fs);
int driver_write_file(const char *path, const char *text);

/* fuse_spawner.c: fuse-overlayfs runs outside snapd's seccomp filter */
int fuse_spawner_start(void);
/* fuse-overlayfs -f -o opts target, until it is mounted */
int fuse_spawner_mount(const char *opts, const char *target, char *why, size_t len);
void fuse_spawner_stop(void);

/* select.c */
struct snapd_config;
const struct snap_driver *select_by_name(const char *name);
/* The driver cfg->snapshotter names, or auto's first whose trial mount
 * works; why says why (for auto: why each better one was rejected). */
int select_driver(const struct snapd_config *cfg, const struct snap_driver **out,
    char *why, size_t len);

#endif
