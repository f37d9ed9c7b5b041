/* tarbuild.h: builds test tar archives (plain, gzip, zstd) in a memfd with libarchive, hostile ones included. */
#ifndef KILN_TESTS_TARBUILD_H
#define KILN_TESTS_TARBUILD_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>

struct tb {
	struct archive	*a;
	int		 fd;
};

/* compression: "none", "gzip", "zstd" */
static inline void
tb_open(struct tb *t, const char *compression)
{
	t->fd = memfd_create("tb", MFD_CLOEXEC);
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	if (strcmp(compression, "gzip") == 0)
		archive_write_add_filter_gzip(t->a);
	else if (strcmp(compression, "zstd") == 0)
		archive_write_add_filter_zstd(t->a);
	archive_write_open_fd(t->a, t->fd);
}

static inline struct archive_entry *
tb_entry(const char *path, mode_t type, mode_t mode, long uid, long gid)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_uid(e, uid);
	archive_entry_set_gid(e, gid);
	archive_entry_set_mtime(e, 1000000000, 0);
	return e;
}

static inline void
tb_put(struct tb *t, struct archive_entry *e, const void *data, size_t n)
{
	archive_write_header(t->a, e);
	if (n)
		archive_write_data(t->a, data, n);
	archive_entry_free(e);
}

static inline void
tb_file(struct tb *t, const char *path, mode_t mode, const char *content)
{
	struct archive_entry *e = tb_entry(path, AE_IFREG, mode, 0, 0);

	archive_entry_set_size(e, (la_int64_t)strlen(content));
	tb_put(t, e, content, strlen(content));
}

static inline void
tb_dir(struct tb *t, const char *path, mode_t mode)
{
	tb_put(t, tb_entry(path, AE_IFDIR, mode, 0, 0), NULL, 0);
}

static inline void
tb_symlink(struct tb *t, const char *path, const char *target)
{
	struct archive_entry *e = tb_entry(path, AE_IFLNK, 0777, 0, 0);

	archive_entry_set_symlink(e, target);
	tb_put(t, e, NULL, 0);
}

static inline void
tb_hardlink(struct tb *t, const char *path, const char *target)
{
	struct archive_entry *e = tb_entry(path, AE_IFREG, 0644, 0, 0);

	archive_entry_set_hardlink(e, target);
	archive_entry_set_size(e, 0);
	tb_put(t, e, NULL, 0);
}

/* Finishes the archive; returns its fd, rewound. */
static inline int
tb_close(struct tb *t)
{
	archive_write_close(t->a);
	archive_write_free(t->a);
	lseek(t->fd, 0, SEEK_SET);
	return t->fd;
}

/* A raw fd holding n bytes. */
static inline int
tb_raw(const void *data, size_t n)
{
	int fd = memfd_create("raw", MFD_CLOEXEC);

	if (write(fd, data, n) != (ssize_t)n)
		return -1;
	lseek(fd, 0, SEEK_SET);
	return fd;
}

#endif
