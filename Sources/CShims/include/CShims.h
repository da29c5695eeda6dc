#ifndef SWIFTNET_CSHIMS_H
#define SWIFTNET_CSHIMS_H

#include <sys/types.h>

/// Options for sn_spawn: what to run and where.
typedef struct sn_spawn_options {
    const char *path;            ///< absolute path of the program
    char *const *argv;           ///< NULL-terminated
    char *const *envp;           ///< NULL-terminated
    int netns_fd;                ///< network namespace to enter, or -1 for the caller's
    int pidns_fd;                ///< PID namespace for the child, or -1 for the caller's
    int stdin_fd;                ///< dup2'ed to 0 (-1: /dev/null)
    int stdout_fd;               ///< dup2'ed to 1 (-1: /dev/null)
    int stderr_fd;               ///< dup2'ed to 2 (-1: /dev/null)
    int private_mounts;          ///< 1: private mount namespace, fresh /sys for the netns
    const char *bind_resolv;     ///< bind-mounted over /etc/resolv.conf when not NULL
    const char *bind_hosts;      ///< bind-mounted over /etc/hosts when not NULL
    const char *cwd;             ///< working directory, or NULL
    int new_process_group;       ///< 1: setpgid(0, 0) so the whole job can be signalled
    int terminal_fd;             ///< >= 0: make the new process group the foreground of this terminal
    const char *hostname;        ///< not NULL: a UTS namespace of its own with this host name
    const char *tmpfs_path;      ///< not NULL (with private_mounts): an empty tmpfs mounted here (made if missing, privately)
    const char *extra_bind_source; ///< with extra_bind_target: one more bind mount (the target is made if missing, in the private namespace only)
    const char *extra_bind_target;
    int extra_fd3;               ///< > 0: dup2'ed to 3 (0, the default, means none)
    int extra_fd4;               ///< > 0: dup2'ed to 4
    int controlling_tty;         ///< 1: a session of its own, with stdin (a terminal) as its controlling terminal
    const char *cgroup_procs;    ///< not NULL: "0" is written to this cgroup.procs file first thing, so the child and all it starts belong to that cgroup
    int realtime_priority;       ///< > 0: SCHED_RR at this priority (after joining the cgroup)
    int pin_cpu;                 ///< > 0: run on CPU pin_cpu - 1 only (sched_setaffinity)
} sn_spawn_options;

/// Creates a new network namespace and returns an O_CLOEXEC descriptor for it.
/// The calling thread's own namespace is unchanged afterwards. Returns -errno on failure.
int sn_netns_create(void);

/// Opens the calling thread's current network namespace. Returns -errno on failure.
int sn_netns_open_current(void);

/// setns(fd, CLONE_NEWNET) for the calling thread. Returns 0 or -errno.
int sn_netns_enter(int fd);

/// Writes value to /proc/sys/<key> (dots or slashes) as seen from namespace nsfd.
/// The calling thread's namespace is restored. Returns 0 or -errno.
int sn_sysctl_write(int nsfd, const char *key, const char *value);

/// Writes several sysctls in namespace nsfd, entering it once. Returns 0 or the first -errno.
int sn_sysctl_write_many(int nsfd, const char *const *keys, const char *const *values, int count);

/// Reads up to len-1 bytes of /proc/sys/<key> in namespace nsfd. Returns bytes read or -errno.
int sn_sysctl_read(int nsfd, const char *key, char *buf, int len);

/// Must be called on a thread that lives as long as the PID namespace should:
/// moves the thread's future children into a new PID namespace and forks its init
/// (dies with that thread, kills every process of the namespace when it dies).
/// Returns the init's pid (> 0) and an O_CLOEXEC fd of the namespace, or -errno.
pid_t sn_pidns_start(int *pidns_fd_out);

/// Forks and execs per the options. The fork happens inside opts->pidns_fd if set.
/// Returns the child's pid, or -errno; when exec fails in the child, the child's errno
/// is returned as -errno after the child has been reaped.
pid_t sn_spawn(const sn_spawn_options *opts);

/// Starts a janitor process that outlives the caller: it reads cleanup lines from a pipe
/// ("U <path>": unmount and unlink, "F <path>": unlink, "D <path>": rmdir, "C <path>":
/// rmdir of a cgroup, retried for up to 5 s while exiting processes still hold it) and carries
/// them out, newest first, when the write end closes (normal stop or the caller's death).
/// Returns the janitor's pid and the pipe's write end in *write_fd_out, or -errno.
pid_t sn_janitor_start(int *write_fd_out);

/// Bind-mounts the namespace behind fd onto target (an existing file). Returns 0 or -errno.
int sn_bind_ns(int fd, const char *target);

/// The CPUs the calling thread may run on (sched_getaffinity), up to max of them into
/// out, in order. Returns how many, or -errno.
int sn_allowed_cpus(int *out, int max);

/// pipe2(fds, O_CLOEXEC). Returns 0 or -errno.
int sn_pipe_cloexec(int fds[2]);

/// The switch's one AF_PACKET socket for every port of the calling thread's network
/// namespace: non-blocking, with PACKET_VNET_HDR, PACKET_IGNORE_OUTGOING and
/// PACKET_AUXDATA, a receive queue of `rcvbuf` bytes, and a filter that passes only frames
/// that arrived on the ports' interfaces, given as `count` ranges of ifindexes (pairs of
/// first and last, inclusive; past about 1,360 ranges the filter passes everything and the
/// caller drops what is not a port's). Returns the descriptor or -errno.
int sn_packet_open(const int *ranges, int count, int rcvbuf);

/// Most frames one batch call moves.
#define SN_PACKET_BATCH 64

/// Receives up to `count` frames (recvmmsg, non-blocking) into `bufs`, each of `capacity`
/// bytes; their lengths go to `lengths` and the ifindexes they arrived on to `ifindexes`.
/// A VLAN tag the kernel moved out of a frame (veth strips it into the packet's auxiliary
/// data) is put back in place, so a frame reads as it was sent; the last 4 bytes of each
/// buffer are kept for it. Returns the number received, or -errno.
int sn_packet_recv_batch(int fd, void *const *bufs, int capacity, int *lengths, int *ifindexes, int count);

/// Sends `count` frames (sendmmsg, non-blocking), frame i out of interface `ifindexes[i]`;
/// `sent[i]` says whether it went (a frame that fails does not stop the ones after it).
/// Returns how many went out.
int sn_packet_send_batch(int fd, void *const *bufs, const int *lengths, const int *ifindexes, unsigned char *sent, int count);

/// A new pseudo-terminal (both ends O_CLOEXEC): output passes unchanged (no \r\n), no
/// echo; lines, Ctrl-C and Ctrl-D work as on any terminal. Returns the master's fd and
/// the slave's in *slave_out, or -errno.
int sn_pty_open(int *slave_out);


/// The user switch's kernel fast path (offload.c): a map of decided flows, keyed by the
/// ifindex a frame came in on and its destination and source MAC addresses; a tc ingress
/// program that forwards the frames with an entry; and a filter for the ports' packet
/// socket that passes only the ports' frames without one. Descriptors are -1 when closed.
struct sn_offload {
    int flows;
    int ports;
    int tc_program;
    int socket_program;
};

/// What the kernel forwarded for one entry.
struct sn_offload_counts {
    unsigned long long packets;
    unsigned long long bytes;
};

/// Makes the maps (room for `max_flows` entries; the ports' `count` ifindexes) and loads
/// both programs. Returns 0 or -errno (EPERM without CAP_BPF, for instance), with nothing
/// left open on failure.
int sn_offload_open(const int *ifindexes, int count, int max_flows, struct sn_offload *o);
void sn_offload_close(struct sn_offload *o);
/// Replaces the packet socket's filter with the fast path's. Returns 0 or -errno.
int sn_offload_filter_socket(int socket, const struct sn_offload *o);
/// Adds an entry: frames in on `in_ifindex` with `macs` (destination then source, 12
/// bytes) leave by `out_ifindex`, a veth; with `peer`, straight into its peer's ingress
/// (the peer must be in another namespace). Returns 0 or -errno (EEXIST, E2BIG when full).
int sn_offload_put(const struct sn_offload *o, int in_ifindex, const unsigned char *macs, int out_ifindex, int peer);
/// An entry's counters. Returns 0 or -errno (ENOENT).
int sn_offload_counts(const struct sn_offload *o, int in_ifindex, const unsigned char *macs, struct sn_offload_counts *out);
/// Removes an entry. Returns 0 or -errno.
int sn_offload_remove(const struct sn_offload *o, int in_ifindex, const unsigned char *macs);

/// Forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT that another process sent (si_code <= 0,
/// e.g. kill(1)) to `target`; ones the terminal sent (Ctrl-C), which reach the target's
/// process group anyway, are not sent twice. 0 or -errno.
int sn_forward_signals(int target);
/// Sets the process that `sn_forward_signals` forwards to.
void sn_forward_target(int target);

#endif
