// The user switch's kernel fast path: two small eBPF programs and two maps.
//
// A flow the switch has decided (a frame from port A with MAC addresses D and S leaves by
// port B, unchanged) goes into a hash map keyed by (A's ifindex, D, S). A tc ingress
// program on port A looks each frame up there and, on a hit, counts it and redirects it
// to B in the kernel, as a bridge would. The ports' packet socket gets the same lookup as
// its filter, so the frames the kernel forwards are not also read by the switch (packet
// sockets hear a frame before tc ingress sees it). Frames with a VLAN tag, and every
// frame without an entry, go to the switch as before.
#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

// Instruction encoders (the kernel's own macros are not part of its uapi headers).
#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV_REG(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i) I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX_W(d, s, o) I(BPF_LDX | BPF_W | BPF_MEM, d, s, o, 0)
#define STX_W(d, s, o) I(BPF_STX | BPF_W | BPF_MEM, d, s, o, 0)
#define XADD_DW(d, s, o) I(BPF_STX | BPF_DW | BPF_ATOMIC, d, s, o, BPF_ADD)
#define JEQ_IMM(d, i, o) I(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_IMM(d, i, o) I(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define CALL(f) I(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
// A map's descriptor into a register: two instruction slots.
#define LD_MAP(d, fd) I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), I(0, 0, 0, 0, 0)

#define SKB(field) ((int16_t)offsetof(struct __sk_buff, field))

static long bpf(int cmd, union bpf_attr *attr) {
    return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

static int map_create(uint32_t type, uint32_t key, uint32_t value, uint32_t max, uint32_t flags) {
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_type = type;
    a.key_size = key;
    a.value_size = value;
    a.max_entries = max;
    a.map_flags = flags;
    int fd = (int)bpf(BPF_MAP_CREATE, &a);
    return fd < 0 ? -errno : fd;
}

static int prog_load(uint32_t type, const struct bpf_insn *insns, int count, const char *name) {
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = type;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = (uint32_t)count;
    a.license = (uint64_t)(uintptr_t)"GPL";
    strncpy(a.prog_name, name, sizeof a.prog_name - 1);
    int fd = (int)bpf(BPF_PROG_LOAD, &a);
    return fd < 0 ? -errno : fd;
}

// The key sits on the stack at r10-16: the ifindex (4 bytes), then the destination and
// source MAC addresses (12 bytes, as on the wire).
#define KEY (-16)

// The frame's two MAC addresses into the key (bpf_skb_load_bytes; r0 is 0 when they
// were there): six slots.
#define LOAD_ADDRESSES() \
    MOV_REG(BPF_REG_1, BPF_REG_6), MOV_IMM(BPF_REG_2, 0), MOV_REG(BPF_REG_3, BPF_REG_10), \
    ADD_IMM(BPF_REG_3, KEY + 4), MOV_IMM(BPF_REG_4, 12), CALL(BPF_FUNC_skb_load_bytes)
// The key looked up in `map` (r0: the value, or 0): five slots.
#define LOOKUP(map) \
    LD_MAP(BPF_REG_1, map), MOV_REG(BPF_REG_2, BPF_REG_10), ADD_IMM(BPF_REG_2, KEY), CALL(BPF_FUNC_map_lookup_elem)

/// tc ingress, direct action: a frame with an entry is counted and redirected.
static int load_tc_program(int flows) {
    struct bpf_insn p[] = {
        MOV_REG(BPF_REG_6, BPF_REG_1),
        LDX_W(BPF_REG_0, BPF_REG_6, SKB(vlan_present)),
        JNE_IMM(BPF_REG_0, 0, 28),                          // tagged: to the switch
        LDX_W(BPF_REG_2, BPF_REG_6, SKB(ifindex)),
        STX_W(BPF_REG_10, BPF_REG_2, KEY),
        LOAD_ADDRESSES(),
        JNE_IMM(BPF_REG_0, 0, 19),                          // runt frame
        LOOKUP(flows),
        JEQ_IMM(BPF_REG_0, 0, 13),                          // no entry
        MOV_REG(BPF_REG_7, BPF_REG_0),
        MOV_IMM(BPF_REG_1, 1),
        XADD_DW(BPF_REG_7, BPF_REG_1, 8),                   // packets
        LDX_W(BPF_REG_1, BPF_REG_6, SKB(len)),
        XADD_DW(BPF_REG_7, BPF_REG_1, 16),                  // bytes
        // The out port: into its peer's ingress when that is in another namespace (a
        // host's end: no second pass through a backlog queue), else out of its egress.
        // Both return TC_ACT_REDIRECT.
        LDX_W(BPF_REG_1, BPF_REG_7, 0),
        LDX_W(BPF_REG_3, BPF_REG_7, 4),
        MOV_IMM(BPF_REG_2, 0),
        JEQ_IMM(BPF_REG_3, 0, 2),
        CALL(BPF_FUNC_redirect_peer),
        EXIT(),
        CALL(BPF_FUNC_redirect),
        EXIT(),
        MOV_IMM(BPF_REG_0, 0),                              // TC_ACT_OK: on as before
        EXIT(),
    };
    return prog_load(BPF_PROG_TYPE_SCHED_CLS, p, (int)(sizeof p / sizeof p[0]), "swiftnet_fwd");
}

/// The packet socket's filter: only the ports' frames, and of those only the ones the
/// tc program will not forward.
static int load_socket_program(int flows, int ports) {
    struct bpf_insn p[] = {
        MOV_REG(BPF_REG_6, BPF_REG_1),
        LDX_W(BPF_REG_2, BPF_REG_6, SKB(ifindex)),
        STX_W(BPF_REG_10, BPF_REG_2, KEY),
        LOOKUP(ports),
        JEQ_IMM(BPF_REG_0, 0, 17),                          // not a port: drop
        LDX_W(BPF_REG_0, BPF_REG_6, SKB(vlan_present)),
        JNE_IMM(BPF_REG_0, 0, 13),                          // tagged: keep
        LOAD_ADDRESSES(),
        JNE_IMM(BPF_REG_0, 0, 6),                           // runt: keep
        LOOKUP(flows),
        JNE_IMM(BPF_REG_0, 0, 2),                           // the kernel forwards it: drop
        MOV_IMM(BPF_REG_0, 0x40000),                        // keep, whole
        EXIT(),
        MOV_IMM(BPF_REG_0, 0),
        EXIT(),
    };
    return prog_load(BPF_PROG_TYPE_SOCKET_FILTER, p, (int)(sizeof p / sizeof p[0]), "swiftnet_ports");
}

void sn_offload_close(struct sn_offload *o) {
    int *fds[] = { &o->flows, &o->ports, &o->tc_program, &o->socket_program };
    for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (*fds[i] >= 0) close(*fds[i]);
        *fds[i] = -1;
    }
}

int sn_offload_open(const int *ifindexes, int count, int max_flows, struct sn_offload *o) {
    o->flows = o->ports = o->tc_program = o->socket_program = -1;
    if (count <= 0) return -EINVAL;
    int r = map_create(BPF_MAP_TYPE_HASH, 16, sizeof(struct sn_offload_counts) + 8, (uint32_t)max_flows, BPF_F_NO_PREALLOC);
    if (r < 0) goto fail;
    o->flows = r;
    r = map_create(BPF_MAP_TYPE_HASH, 4, 4, (uint32_t)count, 0);
    if (r < 0) goto fail;
    o->ports = r;
    for (int i = 0; i < count; i++) {
        uint32_t key = (uint32_t)ifindexes[i], one = 1;
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.map_fd = (uint32_t)o->ports;
        a.key = (uint64_t)(uintptr_t)&key;
        a.value = (uint64_t)(uintptr_t)&one;
        a.flags = BPF_ANY;
        if (bpf(BPF_MAP_UPDATE_ELEM, &a) != 0) { r = -errno; goto fail; }
    }
    r = load_tc_program(o->flows);
    if (r < 0) goto fail;
    o->tc_program = r;
    r = load_socket_program(o->flows, o->ports);
    if (r < 0) goto fail;
    o->socket_program = r;
    return 0;
fail:
    sn_offload_close(o);
    return r;
}

int sn_offload_filter_socket(int socket, const struct sn_offload *o) {
    return setsockopt(socket, SOL_SOCKET, SO_ATTACH_BPF, &o->socket_program, sizeof o->socket_program) == 0 ? 0 : -errno;
}

static void make_key(uint8_t key[16], int in_ifindex, const unsigned char *macs) {
    uint32_t in = (uint32_t)in_ifindex;
    memcpy(key, &in, 4);
    memcpy(key + 4, macs, 12);
}

int sn_offload_put(const struct sn_offload *o, int in_ifindex, const unsigned char *macs, int out_ifindex, int peer) {
    uint8_t key[16];
    make_key(key, in_ifindex, macs);
    // The out port, whether to its peer, then the counters.
    uint8_t value[8 + sizeof(struct sn_offload_counts)];
    memset(value, 0, sizeof value);
    uint32_t out = (uint32_t)out_ifindex;
    memcpy(value, &out, 4);
    uint32_t to_peer = peer ? 1 : 0;
    memcpy(value + 4, &to_peer, 4);
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_fd = (uint32_t)o->flows;
    a.key = (uint64_t)(uintptr_t)key;
    a.value = (uint64_t)(uintptr_t)value;
    a.flags = BPF_NOEXIST;
    return bpf(BPF_MAP_UPDATE_ELEM, &a) == 0 ? 0 : -errno;
}

int sn_offload_counts(const struct sn_offload *o, int in_ifindex, const unsigned char *macs, struct sn_offload_counts *out) {
    uint8_t key[16];
    make_key(key, in_ifindex, macs);
    uint8_t value[8 + sizeof(struct sn_offload_counts)];
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_fd = (uint32_t)o->flows;
    a.key = (uint64_t)(uintptr_t)key;
    a.value = (uint64_t)(uintptr_t)value;
    if (bpf(BPF_MAP_LOOKUP_ELEM, &a) != 0) return -errno;
    memcpy(out, value + 8, sizeof *out);
    return 0;
}

int sn_offload_remove(const struct sn_offload *o, int in_ifindex, const unsigned char *macs) {
    uint8_t key[16];
    make_key(key, in_ifindex, macs);
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_fd = (uint32_t)o->flows;
    a.key = (uint64_t)(uintptr_t)key;
    return bpf(BPF_MAP_DELETE_ELEM, &a) == 0 ? 0 : -errno;
}
