/* ipc_msg.h: every message type kiln's processes exchange, written down once. */
#ifndef KILN_IPC_MSG_H
#define KILN_IPC_MSG_H

#include <stdint.h>
#include "proc.h"

/*
 * Each message is a frame: struct ipc_hdr (ipc.h), then a msgpack body.
 * Bodies are msgpack arrays read field by field (ipc_rd_*); the layout of
 * each is given beside its line below as [field type, ...]; "-" means no
 * body. Kinds:
 *   REQ    a request; the receiver answers with a REPLY kind carrying the
 *          same id (or ERROR).
 *   REPLY  ends a request.
 *   EVENT  a stream event for an open request (same id); the request stays
 *          open until its REPLY.
 *   NOTE   one-way; no answer expected; id 0.
 * "senders" lists who may send the type; a frame of another sender is
 * refused before its body is parsed. "fds" is the most descriptors the
 * frame may carry.
 *
 * X(NAME, code, kind, senders, fds)
 */
#define IPC_MESSAGES(X) \
	/* [i64 errno, str message] */ \
	X(ERROR,         1, REPLY, P_ANY,     0) \
	/* - */ \
	X(OK,            2, REPLY, P_ANY,     0) \
	/* - */ \
	X(PING,          3, REQ,   P_ANY,     0) \
	/* - */ \
	X(PONG,          4, REPLY, P_ANY,     0) \
	/* kilnd or solverd -> helper: - (any body is ignored); \
	 * client -> solverd: [str helper]: that helper's own STATUS_REPLY, \
	 * relayed (kilnctl debug status) */ \
	X(STATUS,        5, REQ,   P_SUP | P_SOLVERD | P_CLIENT, 0) \
	/* [str name, i64 pid, str uid_map, str gid_map, str seccomp_mode, u64 caps] */ \
	X(STATUS_REPLY,  6, REPLY, P_HELPERS, 0) \
	/* helper -> kilnd after lockdown: - */ \
	X(SETUP_DONE,   10, NOTE,  P_HELPERS, 0) \
	/* kilnd -> helper: [i64 peer proc] + fd: a socket to that peer */ \
	X(PEER_CONNECT, 11, NOTE,  P_SUP,     1) \
	/* kilnd -> solverd: - + fd: the listening API socket */ \
	X(API_LISTEN,   12, NOTE,  P_SUP,     1) \
	/* kilnd -> helper: - ; finish and exit 0 */ \
	X(SHUTDOWN,     13, NOTE,  P_SUP,     0) \
	/* helper -> kilnd from the SIGSYS handler: [u64 syscall nr, u64 audit arch] */ \
	X(SECCOMP_NOTE, 14, NOTE,  P_HELPERS, 0) \
	/* kilnd (test hooks on) -> helper: - ; issue a forbidden syscall */ \
	X(TEST_VIOLATE, 15, NOTE,  P_SUP,     0) \
	/* client -> solverd -> kilnd: - */ \
	X(INFO,         20, REQ,   P_CLIENT | P_SOLVERD, 0) \
	/* [str version, str net_mode, str net_reason, \
	 *  [[u64 inside, u64 outside, u64 count]...] uid_map, (same) gid_map, \
	 *  [[str name, i64 pid, str state, u64 restarts, str seccomp]...] helpers, \
	 *  str warnings, str snapshotter ("" until snapd said), str why] */ \
	X(INFO_REPLY,   21, REPLY, P_SUP | P_SOLVERD, 0) \
	/* client -> solverd -> kilnd: [str helper]; needs kilnd --test-hooks */ \
	X(DEBUG_VIOLATE, 22, REQ,  P_CLIENT | P_SOLVERD, 0) \
	/* --- network (30-39) --- */ \
	/* kilnd -> netd: [u64 mtu, bool disable_host_loopback] + fds: the kiln \
	 * user and network namespaces; runs slirp4netns for them, answered \
	 * with NET_STARTED once it is ready, or ERROR with its own message */ \
	X(NET_START,    30, REQ,   P_SUP,     2) \
	/* [i64 slirp4netns pid] */ \
	X(NET_STARTED,  31, REPLY, P_NETD,    0) \
	/* netd -> kilnd when slirp4netns died or came back: \
	 * [i64 pid (0: down), str what happened] */ \
	X(NET_STATE,    32, NOTE,  P_NETD,    0) \
	/* --- end of network --- */ \
	/* --- execd (40-59) --- */ \
	/* solverd -> execd -> execd's spawner (and, with --test-hooks, client -> \
	 * solverd): [str rootfs, [str argv...], [str env...], str cwd, \
	 *  str user, str network, [mount...], str security, str hostname, \
	 *  [str "NAME ADDR"...] extra /etc/hosts lines] + fds: the write ends \
	 * of the step's stdout and stderr pipes, then one fd per mount that \
	 * takes one (below), in mount order. \
	 * user: "" (root), NAME, UID, NAME:GROUP, UID:GID; names resolved in \
	 *  the rootfs's /etc/passwd and /etc/group, supplementary groups too. \
	 * network: "default" (the daemon's), "none" (own netns, lo up), "host" \
	 *  (kiln's network namespace too: the same as "default"). \
	 * mount: [str type, str target, str source, bool readonly, u64 size, \
	 *  i64 uid, i64 gid, i64 mode] with type "bind" (source: a path in the \
	 *  kiln mount namespace, or "" to bind the next fd, a directory opened \
	 *  in the kiln mount namespace), "cache" (source: the SNAP_CACHE path; \
	 *  made with uid/gid/mode if missing), "tmpfs" (size in bytes, 0: \
	 *  default; mode default 1777), "secret" (content read from the next \
	 *  fd, a file or memfd, at most 500 KiB; target set by the caller, \
	 *  e.g. /run/secrets/ID; read-only, mode default 0400, uid/gid 0); \
	 *  uid/gid/mode -1 when not given; readonly as the caller says (a bind \
	 *  is read-only unless rw); mounted in order. Mount points missing \
	 *  from the rootfs are made and removed after the step. \
	 * hostname: "" for "kiln". /etc/hosts, /etc/hostname and (the daemon's) \
	 *  /etc/resolv.conf are bind-mounted from a private tmpfs. \
	 * security: "sandbox", or "insecure" (needs the daemon's \
	 *  --allow-insecure-entitlement security.insecure): every capability, \
	 *  no seccomp profile, no masked paths. \
	 * Answered by EXEC_EXIT, or ERROR when the step could not be started */ \
	X(EXEC_RUN,     40, REQ,   P_CLIENT | P_SOLVERD | P_EXECD, 8) \
	/* [i64 exit code (-1 if signalled), i64 signal, str error ("" or \
	 *  "cancelled")] once the step's pid 1 was reaped */ \
	X(EXEC_EXIT,    41, REPLY, P_SOLVERD | P_EXECD, 0) \
	/* [u32 id of the EXEC_RUN on this connection]: kill the step */ \
	X(EXEC_CANCEL,  42, NOTE,  P_CLIENT | P_SOLVERD | P_EXECD, 0) \
	/* an EXEC_RUN's step passed execve: [i64 pid of its pid 1, as kiln \
	 * sees it, for strace -p] */ \
	X(EXEC_STARTED, 43, EVENT, P_SOLVERD | P_EXECD, 0) \
	/* --- end of execd --- */ \
	/* --- snapd: snapshots (60-69) --- */ \
	/* Requests solverd makes; a client may send them too, and solverd \
	 * forwards those only when kilnd runs with --test-hooks (kilnctl \
	 * debug call, for tests). */ \
	/* Snapshot ids are snapd's strings. A mounted snapshot's path is in \
	 * the kiln mount namespace, which execd shares. A solverd connection \
	 * holds what it prepared, viewed or leased: when it closes, snapd \
	 * drops its prepared snapshots and views and its leases. */ \
	/* solverd -> snapd: [str parent committed id ("": empty root), \
	 * optional bool step]: a writable snapshot on parent's chain, \
	 * mounted; step: for a RUN step, over a read-only bottom layer with \
	 * the mount points kiln-execd uses (/proc, /dev, /sys, /etc/hosts, \
	 * /etc/hostname, /etc/resolv.conf; kiln-snapd.8). SNAP_MOUNTED */ \
	X(SNAP_PREPARE, 60, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* [str id, str path where it is mounted] */ \
	X(SNAP_MOUNTED, 61, REPLY, P_SNAPD,   0) \
	/* solverd -> snapd: [str committed id]: a read-only view, mounted; \
	 * SNAP_MOUNTED with the view's own id, which SNAP_REMOVE drops */ \
	X(SNAP_VIEW,    62, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* solverd -> snapd: [str prepared id, optional bool ahead]: unmount \
	 * it and make it committed and immutable; ahead: also prepare a \
	 * step's snapshot on it (as SNAP_PREPARE with step), held by the \
	 * connection like one it prepared. SNAP_COMMITTED */ \
	X(SNAP_COMMIT,  63, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* [str committed id, u64 size of its own layer in bytes] and, when \
	 * ahead was asked and worked, [str prepared id, str path] */ \
	X(SNAP_COMMITTED, 64, REPLY, P_SNAPD, 0) \
	/* solverd -> snapd: [str id]: drop a prepared snapshot, a view or a \
	 * cache hold (SNAP_CACHE). OK */ \
	X(SNAP_REMOVE,  65, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* solverd -> snapd: [str committed id]. SNAP_STAT_REPLY, or ERROR \
	 * ENOENT when it is gone (pruned): a cache miss, not an error */ \
	X(SNAP_STAT,    66, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* [str id, str parent id, u64 size, i64 last used (unix seconds)] */ \
	X(SNAP_STAT_REPLY, 67, REPLY, P_SNAPD, 0) \
	/* solverd -> snapd: [str committed id, bool hold]: a lease of this \
	 * connection that keeps the snapshot and its chain from GC and prune \
	 * while a build uses it. OK */ \
	X(SNAP_LEASE,   68, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* snapd -> kilnd once its store is open: [str snapshotter, str why it \
	 * was chosen (auto: why each better one was rejected)], for INFO */ \
	X(SNAP_DRIVER,  69, NOTE,  P_SNAPD,   0) \
	/* --- snapd: file operations (70-79) --- */ \
	/* solverd -> snapd: one COPY or ADD instruction into a prepared \
	 * snapshot, with Docker's rules for files, directories, wildcards \
	 * and a destination ending in '/': [str dest id, str dest path \
	 * (absolute), [str src...] (relative to the source root, wildcards \
	 * allowed), [str exclude...] (.dockerignore and --exclude patterns: \
	 * Go filepath.Match, **, ! exceptions, last match wins), str from \
	 * ("": the context fd; else a committed snapshot id), i64 uid, \
	 * i64 gid (-1: 0 for the context, the source's for a snapshot), \
	 * str chmod ("": keep; octal or symbolic), u32 flags (SNAP_COPY_*), \
	 * i64 mtime (-1: keep), optional str base key (the COPY's cache key \
	 * without content checksums, "": none; from "" only: snapd makes the \
	 * result from the last one of that key, copying only what changed, \
	 * see kiln-snapd.8)] + fd: the context directory when from is "". \
	 * OK, or ERROR naming the source */ \
	X(SNAP_COPY,    70, REQ,   P_SOLVERD | P_CLIENT, 1) \
	/* solverd -> snapd: [str dest id, str path, u32 mode, i64 uid, \
	 * i64 gid, i64 mtime(, str name)] + fd: the content (COPY <<EOF, \
	 * ADD URL). Parents are made as root 0755. With a name, a path that \
	 * is an existing directory gets the file under that name in it, as \
	 * COPY and BuildKit put a file into a directory. OK */ \
	X(SNAP_MKFILE,  71, REQ,   P_SOLVERD | P_CLIENT, 1) \
	/* solverd -> snapd: [str dest id, str path, u32 mode, i64 uid, \
	 * i64 gid] (WORKDIR): mkdir -p; existing ones are kept. OK */ \
	X(SNAP_MKDIR,   72, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* solverd -> snapd: the checksum of what SNAP_COPY with the same \
	 * sources would read: [[str src...], [str exclude...], str from, \
	 * u32 flags] + fd: the context when from is "". \
	 * SNAP_CHECKSUM_REPLY */ \
	X(SNAP_CHECKSUM, 73, REQ,  P_SOLVERD | P_CLIENT, 1) \
	/* [str "sha256:HEX"]: over names, types, modes, link targets and \
	 * contents; not times, so a touched file keeps its checksum */ \
	X(SNAP_CHECKSUM_REPLY, 74, REPLY, P_SNAPD, 0) \
	/* solverd -> snapd: [str cache id, str sharing (shared|private| \
	 * locked), i64 uid, i64 gid, i64 mode, str seed committed id ("": \
	 * none), str seed directory (absolute, in the seed)]: the persistent \
	 * directory of a RUN --mount=type=cache; with a seed (from=) one per \
	 * id and seed, starting as a copy of that directory. SNAP_MOUNTED \
	 * [str hold id, str path] once it may be used (locked: when the \
	 * previous holder let go); SNAP_REMOVE of the hold id lets go */ \
	X(SNAP_CACHE,   75, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* solverd -> snapd: [str prepared id, str "user[:group]"]: names \
	 * looked up in that snapshot's /etc/passwd and /etc/group (symlinks \
	 * resolved inside it), numbers taken as they are; without a group, a \
	 * named user's primary group, a number's own. SNAP_USER_REPLY, or \
	 * ERROR ENOENT naming the user or group that is not there */ \
	X(SNAP_USER,    76, REQ,   P_SOLVERD, 0) \
	/* [i64 uid, i64 gid] */ \
	X(SNAP_USER_REPLY, 77, REPLY, P_SNAPD, 0) \
	/* --- snapd: layers, images, exports, usage (80-99) --- */ \
	/* solverd -> snapd: [str committed id, str compression (gzip|zstd| \
	 * none, the first two optionally ":LEVEL": gzip 0-9, zstd 0-22), \
	 * i64 SOURCE_DATE_EPOCH (-1: none)(, u32 flags SNAP_DIFF_*)]: the \
	 * layer of this snapshot against its parent, stored as a blob; \
	 * remembered per snapshot and compression. SNAP_DIFF_REPLY */ \
	X(SNAP_DIFF,    80, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* [str diff_id (sha256 of the tar), str blob digest, u64 blob size, \
	 *  str media type] */ \
	X(SNAP_DIFF_REPLY, 81, REPLY, P_SNAPD, 0) \
	/* client -> solverd -> snapd: [str name ("": the archive's own \
	 * names)] + fd: an OCI layout directory, or an OCI layout tar or a \
	 * `docker save` tar open for reading. IMAGE_LIST_REPLY of what it \
	 * imported */ \
	X(IMAGE_IMPORT, 82, REQ,   P_CLIENT | P_SOLVERD, 1) \
	/* client -> solverd -> snapd: - */ \
	X(IMAGE_LIST,   83, REQ,   P_CLIENT | P_SOLVERD, 0) \
	/* [[str name, str manifest digest, u64 size, i64 created]...] */ \
	X(IMAGE_LIST_REPLY, 84, REPLY, P_SNAPD | P_SOLVERD | P_CLIENT, 0) \
	/* client -> solverd -> snapd: [str name]. OK */ \
	X(IMAGE_REMOVE, 85, REQ,   P_CLIENT | P_SOLVERD, 0) \
	/* solverd -> snapd: [str name or "sha256:..." digest]: the image's \
	 * config and its layers unpacked as a snapshot chain. \
	 * IMAGE_RESOLVED, or ERROR ENOENT */ \
	X(IMAGE_RESOLVE, 86, REQ,  P_SOLVERD | P_CLIENT, 0) \
	/* [str manifest digest, str config JSON, str top committed snapshot \
	 *  id ("": no layers)] */ \
	X(IMAGE_RESOLVED, 87, REPLY, P_SNAPD, 0) \
	/* solverd -> snapd: [str name ("": none), str config JSON, \
	 * [[str blob digest, u64 size, str media type]...] layers, str top \
	 * snapshot id(, str manifest media type: OCI's (the default) or \
	 * Docker v2 schema 2's; the config's and layers' types follow it, \
	 * and a zstd layer cannot go in a Docker one)]: writes config and \
	 * manifest blobs, names the image. IMAGE_CREATED */ \
	X(IMAGE_CREATE, 88, REQ,   P_SOLVERD | P_CLIENT, 0) \
	/* [str manifest digest, str config digest, u64 manifest size] */ \
	X(IMAGE_CREATED, 89, REPLY, P_SNAPD,  0) \
	/* solverd -> snapd: [str committed id ("": empty)] + fd: a directory \
	 * of the client's; the tree is copied in, owned by the user who runs \
	 * kilnd. OK */ \
	X(EXPORT_LOCAL, 90, REQ,   P_SOLVERD | P_CLIENT, 1) \
	/* solverd -> snapd: [str committed id] + fd: written as a tar \
	 * stream. OK after the last byte */ \
	X(EXPORT_TAR,   91, REQ,   P_SOLVERD | P_CLIENT, 1) \
	/* client -> solverd -> snapd: - */ \
	X(DU,           92, REQ,   P_CLIENT | P_SOLVERD, 0) \
	/* [[str id, str kind, u64 size, i64 last used, str description, \
	 *  bool in use]...]: kind is snapshot (committed), prepared, view, \
	 * cache (a cache mount's directory; id its cache id) or blob (id its \
	 * digest); size in bytes on disk, last used in unix seconds; in use: \
	 * held by a build, an image or a child, so prune keeps it. At most \
	 * one frame: past ~126 KiB the rest is one record with id "..." */ \
	X(DU_REPLY,     93, REPLY, P_SNAPD | P_SOLVERD | P_CLIENT, 0) \
	/* client -> solverd -> snapd: [bool all, u64 keep storage bytes (0: \
	 * no bound), i64 keep duration seconds (0: none)]: removes what is \
	 * not in use, least recently used first, until the store is under \
	 * keep storage, but nothing used within keep duration; cache mounts \
	 * only with all; never what a lease, an image or a child holds */ \
	X(PRUNE,        94, REQ,   P_CLIENT | P_SOLVERD, 0) \
	/* [u64 bytes reclaimed, u64 records removed] */ \
	X(PRUNE_REPLY,  95, REPLY, P_SNAPD | P_SOLVERD | P_CLIENT, 0) \
	/* --- end of snapd --- */ \
	/* --- solverd: builds (100-139), client <-> solverd --- */ \
	/* client -> solverd: one build (kilnctl build). [str Dockerfile name \
	 *  (for messages), str target stage ("": the last), [str "KEY=VALUE" \
	 *  ...] build args (the client resolved a bare KEY from its \
	 *  environment), [str pattern...] .dockerignore (Go filepath.Match, \
	 *  **, ! exceptions, last match wins), u32 flags (BUILD_*), \
	 *  [str stage...] --no-cache-filter, str platform ("": the \
	 *  daemon's), [str output...] ("local": a directory fd, "tar": a \
	 *  writable fd; "oci" and "docker", optionally ",name=REF": a \
	 *  writable fd for the image's IMAGE_EXPORT archive, named REF or \
	 *  the first -t name), [str name...] -t names, [str id...] secrets (one fd \
	 *  each: a regular file or memfd read from offset 0), [[str name, \
	 *  str image ("": a directory fd)]...] --build-context, optionally \
	 *  str image options ("compression=zstd,..."; "" none), then \
	 *  optionally [str cache-to...], [str cache-from...] (kiln-cache.5: \
	 *  "type=local[,mode=min|max]" with a directory fd, \
	 *  "type=registry,ref=REF[,mode=min|max]", "type=inline")] + fds, \
	 *  in order: \
	 *  the context directory, the Dockerfile (a regular file or memfd, \
	 *  read from offset 0), one per output, one per secret, one per \
	 *  directory build context, one per type=local cache-to and \
	 *  cache-from; at most 8 in all. \
	 * Answered by BUILD_VERTEX, BUILD_STATUS, BUILD_LOG and BUILD_WARN \
	 * events, then BUILD_RESULT, or ERROR [errno, message] (ECANCELED \
	 * when cancelled). The client closing its connection cancels too */ \
	X(BUILD,        100, REQ,   P_CLIENT,  8) \
	/* a step of the build, announced once before its status: [u64 n \
	 *  (1, 2, ... within the build), str name ("[stage 2/4] RUN ..."), \
	 *  [u64 n...] the steps it depends on] */ \
	X(BUILD_VERTEX, 101, EVENT, P_SOLVERD, 0) \
	/* [u64 n, str state, i64 ms since the build started, i64 duration \
	 *  ms (0 but for done and error), str error ("" but for error)] \
	 * state: "started", "cached", "done", "error", "cancelled" */ \
	X(BUILD_STATUS, 102, EVENT, P_SOLVERD, 0) \
	/* a chunk of a step's output: [u64 n, u64 stream (1 stdout, \
	 *  2 stderr), i64 ms since the build started, str bytes (not \
	 *  necessarily UTF-8, at most 32 KiB)] */ \
	X(BUILD_LOG,    103, EVENT, P_SOLVERD, 0) \
	/* [str message]: e.g. build args that no ARG consumed */ \
	X(BUILD_WARN,   104, EVENT, P_SOLVERD, 0) \
	/* [str build id, str image manifest digest ("": no image made), \
	 *  str config digest ("": none), u64 steps, u64 cached steps, \
	 *  i64 duration ms, u64 manifest size (0: none), str the target's \
	 *  image config JSON (rootfs diff_ids only when an image was made)] */ \
	X(BUILD_RESULT, 105, REPLY, P_SOLVERD, 0) \
	/* client -> solverd: [u32 id of the client's BUILD]: kill its running \
	 * steps, keep nothing half-made; the BUILD ends with ERROR ECANCELED */ \
	X(BUILD_CANCEL, 106, NOTE,  P_CLIENT,  0) \
	/* client -> solverd: [u64 most recent entries (0: all)] */ \
	X(HISTORY,      107, REQ,   P_CLIENT,  0) \
	/* newest first: [[str build id, i64 started (unix seconds), \
	 *  str Dockerfile digest, str target, str status ("ok", "error", \
	 *  "cancelled", "running", "interrupted": solverd died during it), \
	 *  i64 duration ms, u64 steps, u64 cached, \
	 *  str image digest or error message]...] */ \
	X(HISTORY_REPLY, 108, REPLY, P_SOLVERD, 0) \
	/* a base image's pull during a build, per blob: [u64 n (the pull's \
	 *  step, announced by BUILD_VERTEX "pulling REF" before the \
	 *  Dockerfile's steps, which are numbered after the pulls), str id \
	 *  (the blob's digest), u64 bytes so far, u64 total, i64 ms since \
	 *  the build started, str state ("downloading", "done", "present")]. \
	 * At most about five a second per blob */ \
	X(BUILD_PROGRESS, 115, EVENT, P_SOLVERD, 0) \
	/* --- end of solverd --- */ \
	/* --- images and registries (140-169) --- */ \
	/* The registry transport: snapd -> netd, and, with kilnd \
	 * --test-hooks, client -> solverd -> netd (kilnctl debug call). A \
	 * reference is name[:tag][@digest] (common/imgref.h), normalised by \
	 * netd; a repository is a name ("127.0.0.1:5000/foo"). netd finds \
	 * the registry's settings (kilnd.conf's registry lines) and the \
	 * credentials (~/.docker/config.json) itself; its ERROR names the \
	 * registry, the reference, what the registry answered and what to \
	 * do: EACCES (401), EPERM (403), ENOENT (404), EAGAIN (429), \
	 * ECONNREFUSED, EPROTO (TLS), ECONNRESET (dropped after retries). \
	 * Content fds are regular files or memfds, written (or read) from \
	 * their offset when the request came; snapd verifies digests. */ \
	/* [str reference, str accept ("": OCI and Docker v2 manifests and \
	 *  indexes)] + fd: the manifest is written there (at most 4 MiB). \
	 * By digest when the reference has one, else by tag. REG_MANIFEST */ \
	X(REG_MANIFEST_GET, 140, REQ, P_SNAPD | P_SOLVERD | P_CLIENT, 1) \
	/* [str canonical reference, str media type, str digest (the \
	 *  registry's Docker-Content-Digest; "" when it sent none), \
	 *  u64 size] */ \
	X(REG_MANIFEST,   141, REPLY, P_NETD,    0) \
	/* [str repository, str digest, u64 size (0: unknown)] + fd: the \
	 * blob is written there; redirects are followed, a dropped \
	 * connection is resumed with Range, more than size is refused. \
	 * REG_BLOB */ \
	X(REG_BLOB_GET,   142, REQ,   P_SNAPD | P_SOLVERD | P_CLIENT, 1) \
	/* [u64 bytes written] */ \
	X(REG_BLOB,       143, REPLY, P_NETD,    0) \
	/* [str repository, str digest]: is it there? REG_BLOB_STAT */ \
	X(REG_BLOB_HEAD,  144, REQ,   P_SNAPD | P_SOLVERD | P_CLIENT, 0) \
	/* [bool exists, u64 size (0 when not)] */ \
	X(REG_BLOB_STAT,  145, REPLY, P_NETD,    0) \
	/* [str repository, str digest, u64 size, str mount from (a \
	 *  repository of the same registry that has the blob; "": none)] + \
	 * fd: the blob, read from its offset. A blob already there is not \
	 * sent; else it is mounted from the other repository when the \
	 * registry lets it, else uploaded in one PUT. REG_BLOB_PUT_REPLY */ \
	X(REG_BLOB_PUT,   146, REQ,   P_SNAPD | P_SOLVERD | P_CLIENT, 1) \
	/* [str how: "present", "mounted" or "uploaded"] */ \
	X(REG_BLOB_PUT_REPLY, 147, REPLY, P_NETD, 0) \
	/* [str reference (a tag, or a digest, names the manifest), str media \
	 *  type] + fd: the manifest, read from its offset to its end. \
	 * REG_MANIFEST_PUT_REPLY */ \
	X(REG_MANIFEST_PUT, 148, REQ, P_SNAPD | P_SOLVERD | P_CLIENT, 1) \
	/* [str digest (the registry's Docker-Content-Digest, "" when it \
	 *  sent none)] */ \
	X(REG_MANIFEST_PUT_REPLY, 149, REPLY, P_NETD, 0) \
	/* client -> solverd -> netd: [str registry ("docker.io", \
	 *  "host:port"), str username] + fd: the password or token (a pipe \
	 * or memfd read to its end, at most 16 KiB; one trailing newline is \
	 * dropped). netd tries them on the registry's /v2/ (Basic or the \
	 * token flow) and answers OK, or ERROR EACCES with what the registry \
	 * said. solverd relays the fd unread; kilnctl itself stores \
	 * accepted credentials in ~/.docker/config.json. */ \
	X(REG_LOGIN,      150, REQ,   P_CLIENT | P_SOLVERD, 1) \
	/* Images from and to registries: client -> solverd -> snapd; snapd \
	 * asks netd for the bytes and writes the content store. */ \
	/* [str reference, str platform ("": the daemon's, e.g. \
	 *  linux/amd64)]: the manifest (the platform's, from an index), \
	 * then the config and the layers the content store lacks, each \
	 * verified against its digest, then the image is named (kilnctl \
	 * images shows it). Nothing is named when anything fails. \
	 * IMAGE_PROGRESS events, then IMAGE_PULLED */ \
	X(IMAGE_PULL,     151, REQ,   P_CLIENT | P_SOLVERD, 0) \
	/* [str name (as kilnctl images shows it), str manifest digest, \
	 *  u64 size of its blobs, u64 blobs fetched, u64 blobs that were \
	 *  already there] */ \
	X(IMAGE_PULLED,   152, REPLY, P_SNAPD | P_SOLVERD, 0) \
	/* a pull's or push's step: [str what ("manifest" or a blob digest), \
	 *  str state ("fetching", "downloading", "fetched", "present", \
	 *  "uploaded", "mounted"), u64 size(, u64 bytes so far: with \
	 *  "downloading", every 200 ms while a blob comes)] */ \
	X(IMAGE_PROGRESS, 153, EVENT, P_SNAPD | P_SOLVERD, 0) \
	/* [str local image (name or manifest digest), str destination \
	 *  reference ("": the image's own name)]: the config and layers the \
	 * registry lacks, then the manifest under the destination's tag. \
	 * IMAGE_PROGRESS events, then IMAGE_PUSHED */ \
	X(IMAGE_PUSH,     154, REQ,   P_CLIENT | P_SOLVERD, 0) \
	/* [str destination reference, str manifest digest, u64 blobs \
	 *  uploaded, u64 blobs the registry had or mounted] */ \
	X(IMAGE_PUSHED,   155, REPLY, P_SNAPD | P_SOLVERD, 0) \
	/* [str source (name or manifest digest), str new name]: one more \
	 * name for the same manifest. OK */ \
	X(IMAGE_TAG,      156, REQ,   P_CLIENT | P_SOLVERD, 0) \
	/* client -> solverd -> snapd (kilnctl save; solverd for --output \
	 * type=oci and type=docker): [str image (name or manifest digest), \
	 *  str format ("oci": an OCI image layout, "docker": the same with \
	 *  docker load's manifest.json and repositories), str name for the \
	 *  archive ("": the image's own)] + fd: the tar is written there (a \
	 * file or a pipe), every entry root-owned at time 0. OK after the \
	 * last byte */ \
	X(IMAGE_EXPORT,   157, REQ,   P_CLIENT | P_SOLVERD, 1) \
	/* ADD of a URL: solverd -> netd. [str url (http:// or https://), \
	 *  u64 most bytes to take, str ETag of the body solverd has seen \
	 *  ("": none)] + fd: the body is written there from its offset; \
	 * redirects (at most 5, http and https only) are followed; TLS is \
	 * verified; no credentials are sent. With an ETag it goes as \
	 * If-None-Match, and a 304 is answered as not modified, nothing \
	 * written. Anything else but a 2xx answer is an ERROR naming the \
	 * URL and the status (ENOENT for 404); a bigger body is EFBIG. \
	 * solverd hashes what came, never netd. NET_FETCHED */ \
	X(NET_FETCH,      160, REQ,   P_SOLVERD, 1) \
	/* [u64 bytes written, i64 Last-Modified in seconds since the epoch \
	 *  (-1: none or unreadable), str file name from Content-Disposition \
	 *  ("": none; never a path), str the ETag sent ("": none), bool not \
	 *  modified (a 304 to the ETag asked with)] */ \
	X(NET_FETCHED,    161, REPLY, P_NETD,    0) \
	/* --- end of images and registries --- */ \
	/* --- build cache export and import (170-179), man kiln-cache.5 --- */ \
	/* solverd -> snapd (--cache-to type=local,dest=DIR): [str cache \
	 *  manifest digest, [str record manifest digest...]] + fd: the \
	 * directory. oci-layout, then each image's manifest, config and \
	 * layers as blobs/sha256/HEX (a blob there already is kept), then \
	 * index.json naming the cache manifest, written aside and renamed \
	 * last. OK */ \
	X(CACHE_DIR_WRITE, 170, REQ, P_SOLVERD, 1) \
	/* solverd -> snapd (--cache-from type=local,src=DIR): [str manifest \
	 *  digest ("": the one index.json names)] + fd: such a directory. \
	 * That one image's blobs the content store lacks are copied in and \
	 * verified, the image recorded under its digest and resolved. \
	 * IMAGE_RESOLVED, or ERROR ENOENT when the directory lacks it */ \
	X(CACHE_DIR_LOAD, 171, REQ, P_SOLVERD, 1) \
	/* --- end of the build cache --- */

/* BUILD flags */
#define BUILD_NO_CACHE		0x1	/* --no-cache: look nothing up, store results */
#define BUILD_PULL		0x2	/* --pull: IMAGE_PULL each base image first */
#define BUILD_PUSH		0x4	/* --push: IMAGE_PUSH each -t name after */

/* SNAP_COPY and SNAP_CHECKSUM flags */
#define SNAP_COPY_FOLLOW	0x1	/* follow a source that is a symlink */
#define SNAP_COPY_UNPACK	0x2	/* ADD: extract a local tar archive */
#define SNAP_COPY_PARENTS	0x4	/* --parents: keep the source's path */
#define SNAP_COPY_LINK		0x8	/* --link: the layer stands alone; with from
					 * a snapshot, srcs ["."] and dest "/": that
					 * snapshot's own layer put on dest as it is
					 * (hard links; owners, chmod, excludes unused) */

/* SNAP_DIFF flags */
#define SNAP_DIFF_REUSE		0x1	/* a pulled layer's own blob serves, in any compression */
#define SNAP_DIFF_DOCKER	0x2	/* for a Docker v2 manifest: no zstd blob */

enum ipc_kind { IPC_KIND_REQ = 1, IPC_KIND_REPLY, IPC_KIND_EVENT, IPC_KIND_NOTE };

enum ipc_type {
#define IPC_X_ENUM(name, code, kind, senders, fds) IPC_##name = code,
	IPC_MESSAGES(IPC_X_ENUM)
#undef IPC_X_ENUM
};

struct ipc_type_info {
	uint16_t	type;
	const char	*name;
	enum ipc_kind	kind;
	unsigned	senders;
	int		max_fds;
};

/* NULL for a type kiln does not know. */
const struct ipc_type_info *ipc_type_lookup(uint16_t type);
/* "PING" -> its entry; NULL when unknown (kilnctl debug call). */
const struct ipc_type_info *ipc_type_by_name(const char *name);
/* "PING", or "unknown" */
const char *ipc_type_name(uint16_t type);

#endif
