// Small C helpers for what Swift cannot do safely: namespace switching that needs
// _GNU_SOURCE, and everything that runs in a child between fork and execve (only
// async-signal-safe calls may run there in a multithreaded process).
#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ftw.h>
#include <dirent.h>
#include <limits.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static void close_from(int lowfd) {
    if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) != 0) {
        for (int fd = lowfd; fd < 4096; fd++) close(fd);
    }
}

static void close_all_but(int keep) {
    if (keep > 0) syscall(SYS_close_range, 0U, (unsigned)(keep - 1), 0);
    close_from(keep + 1);
}

int sn_netns_open_current(void) {
    int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int sn_netns_enter(int fd) {
    return setns(fd, CLONE_NEWNET) == 0 ? 0 : -errno;
}

int sn_netns_create(void) {
    int orig = sn_netns_open_current();
    if (orig < 0) return orig;
    if (unshare(CLONE_NEWNET) != 0) {
        int e = errno;
        close(orig);
        return -e;
    }
    int fd = sn_netns_open_current();
    int e = fd < 0 ? -fd : 0;
    if (setns(orig, CLONE_NEWNET) != 0) {
        // Cannot get back: the thread is stranded in the new namespace. This never
        // happens with CAP_SYS_ADMIN; abort rather than build in the wrong place.
        abort();
    }
    close(orig);
    return fd < 0 ? -e : fd;
}

static int sysctl_path(const char *key, char *out, size_t len) {
    int n = snprintf(out, len, "/proc/sys/%s", key);
    if (n < 0 || (size_t)n >= len) return -ENAMETOOLONG;
    // Dotted keys become paths; a key written with slashes is taken as it is, so an
    // interface name containing dots survives.
    if (!strchr(key, '/')) {
        for (char *p = out + 10; *p; p++) {
            if (*p == '.') *p = '/';
        }
    }
    return 0;
}

// Enters nsfd (when >= 0) for the calling thread; *orig gets the namespace to return to.
static int enter_netns(int nsfd, int *orig) {
    *orig = -1;
    if (nsfd < 0) return 0;
    *orig = sn_netns_open_current();
    if (*orig < 0) return *orig;
    if (setns(nsfd, CLONE_NEWNET) != 0) {
        int r = -errno;
        close(*orig);
        *orig = -1;
        return r;
    }
    return 0;
}

static void leave_netns(int orig) {
    if (orig < 0) return;
    // Returning cannot fail while we hold CAP_SYS_ADMIN; never go on in the wrong place.
    if (setns(orig, CLONE_NEWNET) != 0) abort();
    close(orig);
}

int sn_sysctl_write(int nsfd, const char *key, const char *value) {
    return sn_sysctl_write_many(nsfd, &key, &value, 1);
}

int sn_sysctl_write_many(int nsfd, const char *const *keys, const char *const *values, int count) {
    int orig;
    int r = enter_netns(nsfd, &orig);
    if (r) return r;
    for (int i = 0; i < count && r == 0; i++) {
        char path[512];
        r = sysctl_path(keys[i], path, sizeof path);
        if (r) break;
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) { r = -errno; break; }
        size_t len = strlen(values[i]);
        if (write(fd, values[i], len) != (ssize_t)len) r = -errno;
        close(fd);
    }
    leave_netns(orig);
    return r;
}

int sn_sysctl_read(int nsfd, const char *key, char *buf, int len) {
    char path[512];
    int r = sysctl_path(key, path, sizeof path);
    if (r) return r;
    int orig;
    r = enter_netns(nsfd, &orig);
    if (r) return r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        r = -errno;
    } else {
        ssize_t n = read(fd, buf, (size_t)(len - 1));
        if (n < 0) { r = -errno; } else { buf[n] = 0; r = (int)n; }
        close(fd);
    }
    leave_netns(orig);
    return r;
}

// The init of a run's PID namespace: reaps orphans until it is killed. When it dies
// (SIGKILL from its parent thread's death, or from the run's stop), the kernel kills
// every other process in the namespace.
static void pidns_init_loop(pid_t parent) {
    close_from(0);
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);  // SIGKILL still ends us
    // getppid() is 0 here (the parent is outside the namespace), so a parent that died
    // before prctl cannot be detected that way; the parent thread waits for us to start.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    (void)parent;
    prctl(PR_SET_NAME, "swiftnet-init");
    // Ignoring SIGCHLD makes the kernel reap orphans reparented to us at once, including
    // while we are being torn down ourselves.
    signal(SIGCHLD, SIG_IGN);
    for (;;) pause();
}

pid_t sn_pidns_start(int *pidns_fd_out) {
    if (unshare(CLONE_NEWPID) != 0) return -errno;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) pidns_init_loop(parent);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -e;
    }
    *pidns_fd_out = fd;
    return pid;
}

static int own_pidns_fd = -1;
static pthread_once_t own_pidns_once = PTHREAD_ONCE_INIT;
static void open_own_pidns(void) { own_pidns_fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC); }

static void child_fail(int errfd, int err) {
    (void)!write(errfd, &err, sizeof err);
    _exit(127);
}

// What getdents64 returns, one entry after another.
struct sn_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

// dir + "/" + name into out; no malloc (this runs between fork and execve).
static int join_path(char *out, size_t len, const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    if (a > 0 && dir[a - 1] == '/') a--;
    if (a + 1 + b + 1 > len) return -ENAMETOOLONG;
    memcpy(out, dir, a);
    out[a] = '/';
    memcpy(out + a + 1, name, b + 1);
    return 0;
}

// Shows `name` of the directory `old` (a descriptor of the directory as it was before a
// tmpfs covered it) again at `dir/name`: the same symlink, or the same file or directory
// bind-mounted with everything mounted below it.
static int bind_back(int old, int cover, const char *dir, const char *name, unsigned char type) {
    char target[PATH_MAX];
    int r = join_path(target, sizeof target, dir, name);
    if (r) return r;
    if (type == DT_UNKNOWN) {
        struct stat st;
        if (fstatat(old, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
        type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
    }
    if (type == DT_LNK) {
        char link[PATH_MAX];
        ssize_t n = readlinkat(old, name, link, sizeof link - 1);
        if (n < 0) return -errno;
        link[n] = 0;
        return symlinkat(link, cover, name) == 0 ? 0 : -errno;
    }
    if (type == DT_DIR) {
        if (mkdirat(cover, name, 0755) != 0) return -errno;
    } else {
        int fd = openat(cover, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) return -errno;
        close(fd);
    }
    int src = openat(old, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (src < 0) return -errno;
    char source[64];
    memcpy(source, "/proc/self/fd/", 14);
    // The descriptor's number, in decimal, without printf.
    char digits[16];
    int nd = 0;
    for (int v = src; nd == 0 || v > 0; v /= 10) digits[nd++] = (char)('0' + v % 10);
    for (int i = 0; i < nd; i++) source[14 + i] = digits[nd - 1 - i];
    source[14 + nd] = 0;
    r = mount(source, target, NULL, MS_BIND | MS_REC, NULL) == 0 ? 0 : -errno;
    close(src);
    return r;
}

// Makes `path` exist in this private mount namespace without writing to the machine, so
// that something can be mounted on it. An existing path is left alone. A missing one is
// made inside a private tmpfs laid over its parent, after every entry of the parent has
// been shown again in place (symlinks copied, files and directories bind-mounted back
// with whatever is mounted below them): the program sees the parent as it was, plus the
// new entry, and the machine's disk gets nothing. A missing parent is made the same way;
// a dangling symlink at `path` is replaced by the new entry, in this namespace only.
static int ensure_mount_point(const char *path, int is_dir, int depth) {
    struct stat st;
    if (stat(path, &st) == 0) return 0;
    if (errno != ENOENT) return -errno;
    if (depth > 8) return -ELOOP;
    char parent[PATH_MAX];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof parent) return -ENAMETOOLONG;
    memcpy(parent, path, len + 1);
    while (len > 1 && parent[len - 1] == '/') parent[--len] = 0;
    char *slash = strrchr(parent, '/');
    if (!slash || slash == parent) return -ENOENT;  // never cover "/"
    *slash = 0;
    const char *name = slash + 1;
    int r = ensure_mount_point(parent, 1, depth + 1);
    if (r) return r;
    int old = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (old < 0) return -errno;
    struct stat pst;
    if (fstat(old, &pst) != 0) { r = -errno; close(old); return r; }
    if (mount("tmpfs", parent, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
        r = -errno; close(old); return r;
    }
    int cover = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cover < 0) { r = -errno; close(old); return r; }
    // The cover looks like the directory it hides: owner and mode.
    if (fchown(cover, pst.st_uid, pst.st_gid) != 0 || fchmod(cover, pst.st_mode & 07777) != 0) r = -errno;
    char buf[4096] __attribute__((aligned(8)));
    while (r == 0) {
        long n = syscall(SYS_getdents64, old, buf, sizeof buf);
        if (n < 0) { r = -errno; break; }
        if (n == 0) break;
        for (long off = 0; off < n && r == 0;) {
            struct sn_dirent64 *d = (struct sn_dirent64 *)(buf + off);
            off += d->d_reclen;
            if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
            // A dangling symlink by that name is replaced, not copied.
            if (strcmp(d->d_name, name) == 0) continue;
            r = bind_back(old, cover, parent, d->d_name, d->d_type);
        }
    }
    if (r == 0) {
        if (is_dir) {
            if (mkdirat(cover, name, 0755) != 0) r = -errno;
        } else {
            int fd = openat(cover, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd < 0) r = -errno; else close(fd);
        }
    }
    close(cover);
    close(old);
    return r;
}

// Joins the cgroup, takes the real-time policy and the CPU, before anything else runs:
// what the program starts inherits all three.
static void place_child(const sn_spawn_options *o, int errfd) {
    if (o->cgroup_procs) {
        int fd = open(o->cgroup_procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0) child_fail(errfd, errno);
        if (write(fd, "0", 1) != 1) child_fail(errfd, errno);
        close(fd);
    }
    if (o->realtime_priority > 0) {
        struct sched_param sp = { .sched_priority = o->realtime_priority };
        if (sched_setscheduler(0, SCHED_RR, &sp) != 0) child_fail(errfd, errno);
    }
    if (o->pin_cpu > 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(o->pin_cpu - 1, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) child_fail(errfd, errno);
    }
}

static void spawn_child(const sn_spawn_options *o, int errfd) {
    place_child(o, errfd);
    sigset_t none;
    sigemptyset(&none);
    for (int s = 1; s < 65; s++) {
        if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (o->controlling_tty) {
        if (setsid() < 0) child_fail(errfd, errno);
    } else if (o->new_process_group) {
        setpgid(0, 0);
    }
    if (o->new_process_group && !o->controlling_tty && o->terminal_fd >= 0) {
        // Take the terminal, as a shell does for a foreground job: Ctrl-C and input now
        // go to this program. SIGTTOU would stop us for asking from the background.
        signal(SIGTTOU, SIG_IGN);
        tcsetpgrp(o->terminal_fd, getpid());
        signal(SIGTTOU, SIG_DFL);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (o->netns_fd >= 0 && setns(o->netns_fd, CLONE_NEWNET) != 0) child_fail(errfd, errno);
    if (o->hostname) {
        if (unshare(CLONE_NEWUTS) != 0) child_fail(errfd, errno);
        if (sethostname(o->hostname, strlen(o->hostname)) != 0) child_fail(errfd, errno);
    }
    if (o->private_mounts) {
        if (unshare(CLONE_NEWNS) != 0) child_fail(errfd, errno);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) child_fail(errfd, errno);
        // A sysfs mounted from inside the namespace shows its interfaces under
        // /sys/class/net, as `ip netns exec` arranges.
        if (umount2("/sys", MNT_DETACH) == 0) {
            mount("sysfs", "/sys", "sysfs", 0, NULL);
        }
        // Every mount point is made to exist first, inside this namespace only: a mount
        // done "only if the target exists" would let the program write to the machine
        // on the first run, where the directory is missing.
        int r;
        if (o->tmpfs_path) {
            // A private, empty tmpfs (gone with the mount namespace) over a directory where
            // the program would otherwise leave files on the machine (FRR's /var/tmp/frr).
            if ((r = ensure_mount_point(o->tmpfs_path, 1, 0)) != 0) child_fail(errfd, -r);
            if (mount("tmpfs", o->tmpfs_path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
                child_fail(errfd, errno);
        }
        if (o->extra_bind_source && o->extra_bind_target) {
            if ((r = ensure_mount_point(o->extra_bind_target, 1, 0)) != 0) child_fail(errfd, -r);
            if (mount(o->extra_bind_source, o->extra_bind_target, NULL, MS_BIND, NULL) != 0)
                child_fail(errfd, errno);
        }
        if (o->bind_resolv) {
            if ((r = ensure_mount_point("/etc/resolv.conf", 0, 0)) != 0) child_fail(errfd, -r);
            if (mount(o->bind_resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL) != 0) child_fail(errfd, errno);
        }
        if (o->bind_hosts) {
            if ((r = ensure_mount_point("/etc/hosts", 0, 0)) != 0) child_fail(errfd, -r);
            if (mount(o->bind_hosts, "/etc/hosts", NULL, MS_BIND, NULL) != 0) child_fail(errfd, errno);
        }
    }
    int devnull = -1;
    int fds[3] = { o->stdin_fd, o->stdout_fd, o->stderr_fd };
    for (int i = 0; i < 3; i++) {
        if (fds[i] < 0) {
            if (devnull < 0) devnull = open("/dev/null", O_RDWR);
            fds[i] = devnull;
        }
    }
    // dup every source (and the error pipe) first above 4 so that dup2 into 0..4 cannot
    // clobber a source.
    int moved = fcntl(errfd, F_DUPFD_CLOEXEC, 5);
    if (moved < 0) child_fail(errfd, errno);
    errfd = moved;
    int srcs[5] = { fds[0], fds[1], fds[2], o->extra_fd3 > 0 ? o->extra_fd3 : -1, o->extra_fd4 > 0 ? o->extra_fd4 : -1 };
    int tmp[5];
    for (int i = 0; i < 5; i++) {
        tmp[i] = srcs[i] < 0 ? -1 : fcntl(srcs[i], F_DUPFD_CLOEXEC, 5);
        if (srcs[i] >= 0 && tmp[i] < 0) child_fail(errfd, errno);
    }
    for (int i = 0; i < 5; i++) {
        if (tmp[i] >= 0 && dup2(tmp[i], i) < 0) child_fail(errfd, errno);
    }
    if (o->controlling_tty && ioctl(0, TIOCSCTTY, 0) != 0) child_fail(errfd, errno);
    if (o->cwd && chdir(o->cwd) != 0) child_fail(errfd, errno);
    execve(o->path, o->argv, o->envp);
    child_fail(errfd, errno);
}

pid_t sn_spawn(const sn_spawn_options *o) {
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) return -errno;
    if (o->pidns_fd >= 0) {
        pthread_once(&own_pidns_once, open_own_pidns);  // kept for the process's lifetime
        if (own_pidns_fd < 0) { close(errpipe[0]); close(errpipe[1]); return -EBADF; }
        if (setns(o->pidns_fd, CLONE_NEWPID) != 0) {
            int e = errno;
            close(errpipe[0]); close(errpipe[1]);
            return -e;
        }
    }
    pid_t pid = fork();
    int fork_errno = errno;
    if (pid == 0) {
        close(errpipe[0]);
        spawn_child(o, errpipe[1]);
    }
    if (o->pidns_fd >= 0 && setns(own_pidns_fd, CLONE_NEWPID) != 0) abort();
    close(errpipe[1]);
    if (pid < 0) {
        close(errpipe[0]);
        return -fork_errno;
    }
    int child_err = 0;
    ssize_t n;
    do { n = read(errpipe[0], &child_err, sizeof child_err); } while (n < 0 && errno == EINTR);
    close(errpipe[0]);
    if (n == (ssize_t)sizeof child_err) {
        waitpid(pid, NULL, 0);
        return -child_err;
    }
    return pid;
}

// Cleanup lines received from the parent; static so the forked child needs no malloc.
static int janitor_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st; (void)ftw;
    if (flag == FTW_DP) rmdir(path); else unlink(path);
    return 0;
}

static char janitor_buf[1 << 20];
static char *janitor_lines[1 << 16];

static void janitor_loop(int rfd) {
    close_all_but(rfd);
    setsid();
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_NAME, "swiftnet-janitor");
    size_t used = 0;
    for (;;) {
        if (used >= sizeof janitor_buf - 1) break;
        ssize_t n = read(rfd, janitor_buf + used, sizeof janitor_buf - 1 - used);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        used += (size_t)n;
    }
    janitor_buf[used] = 0;
    // Split into lines, then carry them out newest first.
    size_t count = 0;
    size_t pos = 0;
    while (pos < used && count < sizeof janitor_lines / sizeof janitor_lines[0]) {
        janitor_lines[count++] = janitor_buf + pos;
        while (pos < used && janitor_buf[pos] != '\n') pos++;
        if (pos < used) janitor_buf[pos++] = 0;
    }
    while (count > 0) {
        char *line = janitor_lines[--count];
        if (line[0] == 0 || line[1] != ' ' || line[2] == 0) continue;
        char *path = line + 2;
        switch (line[0]) {
        case 'U': umount2(path, MNT_DETACH); unlink(path); break;
        case 'F': unlink(path); break;
        case 'D': rmdir(path); break;
        // A cgroup of the run: its processes may still be exiting (swiftnet was killed
        // and the kernel is ending them); rmdir fails with EBUSY until they are gone.
        case 'C':
            for (int i = 0; i < 500 && rmdir(path) != 0 && errno == EBUSY; i++) usleep(10000);
            break;
        // A directory the run made and whose contents programs of the run wrote (FRR's
        // sockets and logs): removed with everything in it, never following symlinks.
        case 'R': nftw(path, janitor_remove_entry, 16, FTW_DEPTH | FTW_PHYS); break;
        default: break;
        }
    }
    _exit(0);
}

pid_t sn_janitor_start(int *write_fd_out) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) { int e = errno; close(p[0]); close(p[1]); return -e; }
    if (pid == 0) janitor_loop(p[0]);
    close(p[0]);
    *write_fd_out = p[1];
    return pid;
}

int sn_bind_ns(int fd, const char *target) {
    char src[64];
    snprintf(src, sizeof src, "/proc/self/fd/%d", fd);
    return mount(src, target, NULL, MS_BIND, NULL) == 0 ? 0 : -errno;
}


int sn_allowed_cpus(int *out, int max) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -errno;
    int n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++) {
        if (CPU_ISSET(cpu, &set)) out[n++] = cpu;
    }
    return n;
}

int sn_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno;
}

/// The classic BPF program that passes a frame only when it arrived on one of `ranges`
/// (pairs of first and last ifindex, inclusive): per range, two comparisons and an accept.
static int packet_filter(struct sock_filter *prog, int max, const int *ranges, int count) {
    int n = 0;
    if (1 + 3 * count + 1 > max) return -1;
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_IFINDEX));
    for (int i = 0; i < count; i++) {
        // below the range: on to the next one; above it: likewise; inside: keep it whole.
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)ranges[2 * i], 0, 2);
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)ranges[2 * i + 1], 1, 0);
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0x40000);
    }
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
    return n;
}

/// Puts the filter for `ranges` on the socket: 0; 1 when they are too many for one program
/// and the socket now gets every frame of the namespace (the caller drops what is not a
/// port's); or -errno.
static int set_port_filter(int fd, const int *ranges, int count) {
    struct sock_filter prog[BPF_MAXINSNS];
    int n = packet_filter(prog, BPF_MAXINSNS, ranges, count);
    if (n < 0) {
        // Too scattered for one program: every frame comes, and the caller sorts them.
        return setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, NULL, 0) == 0 || errno == ENOENT ? 1 : -errno;
    }
    struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) == 0 ? 0 : -errno;
}

int sn_packet_open(const int *ranges, int count, int rcvbuf) {
    // Protocol 0: the socket hears nothing until bind, so no frame of another interface
    // is queued before the filter is in place.
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -errno;
    int on = 1;
    // Frames come and go with their virtio-net header (checksum and GSO offloads kept),
    // and what this socket sends is not read back.
    // PACKET_AUXDATA: the VLAN tag the kernel took off a received frame comes beside it,
    // and is put back (sn_packet_recv_batch).
    if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &on, sizeof on) != 0 ||
        setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof on) != 0 ||
        setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &on, sizeof on) != 0) {
        int e = errno; close(fd); return -e;
    }
    int r = set_port_filter(fd, ranges, count);
    if (r < 0) { close(fd); return r; }
    // veth has no queue of its own to bypass; skipping the qdisc layer saves work per frame.
    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &on, sizeof on);
    // One queue for every port: as deep as the caller asks, past net.core.rmem_max when
    // the process may (CAP_NET_ADMIN), else as deep as the limit allows.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    int big = 16 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = 0;  // every interface of the namespace (the filter picks the ports)
    if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) { int e = errno; close(fd); return -e; }
    return fd;
}

/// Puts back the 802.1Q tag the kernel took off a frame (as libpcap does): 4 bytes after
/// the MAC addresses, which the virtio-net header's offsets then account for. `frame` is
/// the 10-byte virtio-net header and the frame, `length` bytes of `capacity`.
static int sn_reinsert_vlan(unsigned char *buf, int length, int capacity, uint16_t tpid, uint16_t tci) {
    const int vnet = 10;
    if (length < vnet + 12 || length + 4 > capacity) return length;
    unsigned char *eth = buf + vnet;
    memmove(eth + 16, eth + 12, (size_t)(length - vnet - 12));
    eth[12] = (unsigned char)(tpid >> 8); eth[13] = (unsigned char)tpid;
    eth[14] = (unsigned char)(tci >> 8); eth[15] = (unsigned char)tci;
    uint16_t start = (uint16_t)(buf[6] | buf[7] << 8), hdr = (uint16_t)(buf[2] | buf[3] << 8);
    if (buf[0] & 1) { start += 4; buf[6] = (unsigned char)start; buf[7] = (unsigned char)(start >> 8); }
    if (buf[1] != 0) { hdr += 4; buf[2] = (unsigned char)hdr; buf[3] = (unsigned char)(hdr >> 8); }
    return length + 4;
}

int sn_packet_recv_batch(int fd, void *const *bufs, int capacity, int *lengths, int *ifindexes, int count) {
    if (count > SN_PACKET_BATCH) count = SN_PACKET_BATCH;
    struct mmsghdr msgs[SN_PACKET_BATCH];
    struct iovec iov[SN_PACKET_BATCH];
    struct sockaddr_ll from[SN_PACKET_BATCH];
    // Room for one struct tpacket_auxdata per frame.
    union { struct cmsghdr align; char bytes[CMSG_SPACE(sizeof(struct tpacket_auxdata))]; } control[SN_PACKET_BATCH];
    memset(msgs, 0, sizeof(struct mmsghdr) * (size_t)count);
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = (size_t)(capacity - 4);  // room to put a VLAN tag back
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_control = control[i].bytes;
        msgs[i].msg_hdr.msg_controllen = sizeof control[i].bytes;
    }
    int n = recvmmsg(fd, msgs, (unsigned)count, MSG_DONTWAIT, NULL);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
        int length = (int)msgs[i].msg_len;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c != NULL; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
            if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
                c->cmsg_len < CMSG_LEN(sizeof(struct tpacket_auxdata))) continue;
            struct tpacket_auxdata aux;
            memcpy(&aux, CMSG_DATA(c), sizeof aux);
            if (aux.tp_status & TP_STATUS_VLAN_VALID) {
                uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) && aux.tp_vlan_tpid ? aux.tp_vlan_tpid : ETH_P_8021Q;
                length = sn_reinsert_vlan((unsigned char *)bufs[i], length, capacity, tpid, aux.tp_vlan_tci);
            }
        }
        lengths[i] = length;
        ifindexes[i] = msgs[i].msg_hdr.msg_namelen >= (socklen_t)offsetof(struct sockaddr_ll, sll_ifindex) + (socklen_t)sizeof(int)
            ? from[i].sll_ifindex : 0;
    }
    return n;
}

int sn_packet_send_batch(int fd, void *const *bufs, const int *lengths, const int *ifindexes, unsigned char *sent, int count) {
    if (count > SN_PACKET_BATCH) count = SN_PACKET_BATCH;
    struct mmsghdr msgs[SN_PACKET_BATCH];
    struct iovec iov[SN_PACKET_BATCH];
    struct sockaddr_ll to[SN_PACKET_BATCH];
    memset(msgs, 0, sizeof(struct mmsghdr) * (size_t)count);
    memset(to, 0, sizeof(struct sockaddr_ll) * (size_t)count);
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = (size_t)lengths[i];
        to[i].sll_family = AF_PACKET;
        to[i].sll_ifindex = ifindexes[i];
        msgs[i].msg_hdr.msg_name = &to[i];
        msgs[i].msg_hdr.msg_namelen = sizeof to[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        sent[i] = 0;
    }
    int ok = 0, i = 0;
    while (i < count) {
        int n = sendmmsg(fd, msgs + i, (unsigned)(count - i), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            i++;  // this frame failed (its port is down, or no room): the rest still go
            continue;
        }
        for (int k = 0; k < n; k++) sent[i + k] = 1;
        ok += n;
        i += n;
    }
    return ok;
}

int sn_pty_open(int *slave_out) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -errno;
    char name[128];
    if (grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, name, sizeof name) != 0) {
        int e = errno;
        close(m);
        return -e;
    }
    int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        int e = errno;
        close(m);
        return -e;
    }
    struct termios t;
    if (tcgetattr(s, &t) == 0) {
        t.c_oflag &= ~OPOST;
        t.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
        tcsetattr(s, TCSANOW, &t);
    }
    *slave_out = s;
    return m;
}

static volatile sig_atomic_t forward_pid = 0;

static void forward_handler(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (info && info->si_code > 0) return;  // from the kernel (the terminal): not again
    if (forward_pid > 0) kill((pid_t)forward_pid, sig);
}

void sn_forward_target(int target) { forward_pid = target; }

int sn_forward_signals(int target) {
    forward_pid = target;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = forward_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    int sigs[4] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    for (int i = 0; i < 4; i++) {
        if (sigaction(sigs[i], &sa, NULL) != 0) return -errno;
    }
    return 0;
}
