// The observer: the system calls of a run's processes, read from the kernel's tracepoints instead
// of stopping the processes. It follows the run by thread id (the map `followed`, seeded by the grader
// with the first process and grown at each fork of a followed task), records each call the map
// `captures` names at its entry (and its exit where the grader needs the result), with the bytes of
// the caller's memory the decoders read, and counts every record the ring buffer had no room for.
//
// Types are declared here with only the fields read, marked for CO-RE relocation: the kernel's BTF
// places them at load time, so the program needs no kernel headers of the machine it was built on.
typedef unsigned char __u8;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
#define __VMLINUX_TYPES

#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "observed_call.h"

struct task_struct {
  int pid;
} __attribute__((preserve_access_index));

// The kernel's struct pt_regs, the fields read: a BTF tracepoint's arguments are typed, so the program
// loads them in place instead of through a helper call (every system call of the machine passes here).
// cs and ss (in unions of the kernel's) are not read: the call site's walk needs neither.
struct pt_regs {
  unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, flags, sp;
} __attribute__((preserve_access_index));

// struct pt_regs of x86_64: 21 registers in user_regs_struct's order (an ABI the kernel keeps).
struct x86_regs {
  __u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

char LICENSE[] SEC("license") = "GPL";

// Preallocated (1.5 ms at every scenario's start): a map that allocates at each insert may fail one
// for want of memory, and kernels before 6.1 refuse or warn about one used from a tracepoint.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u32);
  __type(value, __u8);
} followed SEC(".maps");

// By system call number: the capture kind (low byte), whether the exit is recorded too, and whether
// only descriptors above 2 count (read and write: stdout and stderr are not pipes of the run).
#define CAPTURE_KIND 0xff
#define CAPTURE_EXIT IPCGRADE_CAPTURE_EXIT
#define CAPTURE_FD_ABOVE_2 IPCGRADE_CAPTURE_FD_ABOVE_2
#define CAPTURE_DEEP IPCGRADE_CAPTURE_DEEP
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, IPCGRADE_OBSERVED_CALLS);
  __type(key, __u32);
  __type(value, __u32);
} captures SEC(".maps");

// Its size is set by the grader before loading (Observer::Options::ring_bytes).
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 8 << 20);
} records SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} drops SEC(".maps");

// Whether the call is on stdin, stdout or stderr (its first argument), where `CAPTURE_FD_ABOVE_2`
// leaves it unrecorded: they are not pipes of the run.
static __always_inline int on_standard_stream(__u32 capture, const struct pt_regs* regs) {
  if (!(capture & CAPTURE_FD_ABOVE_2)) return 0;
  return (int)regs->di <= 2;
}

static __u32 capture_of(long nr) {
  if (nr < 0 || nr >= IPCGRADE_OBSERVED_CALLS) return 0;
  __u32 key = (__u32)nr;
  __u32* c = bpf_map_lookup_elem(&captures, &key);
  return c ? *c : 0;
}

static void count_drop(void) {
  __u32 zero = 0;
  __u64* n = bpf_map_lookup_elem(&drops, &zero);
  if (n) __sync_fetch_and_add(n, 1);
}

// Copies up to `room` bytes (a constant at each call, so that the verifier sees the bound) at
// `address` of the caller's memory; the region's length says how many were read (0: none).
static __always_inline void copy_region(struct ipcgrade_region* region, __u8* into, __u32 room, __u64 address,
                                        __u64 length) {
  if (length > room) length = room;
  region->address = address;
  region->length = 0;
  if (length == 0 || address == 0) return;
  if (bpf_probe_read_user(into, length, (void*)address) == 0) region->length = (__u32)length;
}

// The caller's stack from its stack pointer, for the frames from the system call out to the student's
// code (`room` bytes, a constant: the record's size); a quarter of it where the stack's top is nearer.
static __always_inline void copy_stack(struct ipcgrade_observed_call* r, const __u32 room) {
  const __u64 sp = ((const struct x86_regs*)r->regs)->sp;
  r->stack_length = 0;
  if (bpf_probe_read_user(r->stack, room, (void*)sp) == 0) {
    r->stack_length = room;
  } else if (bpf_probe_read_user(r->stack, room / 4, (void*)sp) == 0) {
    r->stack_length = room / 4;
  }
}

// A record in the ring, long or short (`deep`, a constant at each call, so that the verifier knows
// which size each path holds), with the caller's registers and the call's arguments.
static __always_inline struct ipcgrade_observed_call* start_record(const struct pt_regs* regs, __u32 tid, long nr,
                                                                   __u32 exit, const int deep) {
  struct ipcgrade_observed_call* r = deep ? bpf_ringbuf_reserve(&records, IPCGRADE_RECORD_LONG, 0)
                                          : bpf_ringbuf_reserve(&records, IPCGRADE_RECORD_SHORT, 0);
  if (!r) {
    count_drop();
    return 0;
  }
  r->ns = bpf_ktime_get_ns();
  r->tid = tid;
  r->nr = (__s32)nr;
  r->exit = exit;
  r->ret = 0;
  r->head.length = r->tail.length = 0;
  r->stack_length = 0;
  struct x86_regs* u = (struct x86_regs*)r->regs;
  u->r15 = regs->r15;
  u->r14 = regs->r14;
  u->r13 = regs->r13;
  u->r12 = regs->r12;
  u->bp = regs->bp;
  u->bx = regs->bx;
  u->r11 = regs->r11;
  u->r10 = regs->r10;
  u->r9 = regs->r9;
  u->r8 = regs->r8;
  u->ax = regs->ax;
  u->cx = regs->cx;
  u->dx = regs->dx;
  u->si = regs->si;
  u->di = regs->di;
  u->orig_ax = regs->orig_ax;
  u->ip = regs->ip;
  u->cs = 0;
  u->flags = regs->flags;
  u->sp = regs->sp;
  u->ss = 0;
  // The arguments as the system call sees them (the fourth is in r10, not rcx).
  r->args[0] = u->di;
  r->args[1] = u->si;
  r->args[2] = u->dx;
  r->args[3] = u->r10;
  r->args[4] = u->r8;
  r->args[5] = u->r9;
  return r;
}

// A call's entry: its record, with the bytes of the caller's memory its kind names.
static __always_inline void record_entry(const struct pt_regs* regs, __u32 tid, long nr, __u32 capture,
                                         const int deep) {
  struct ipcgrade_observed_call* r = start_record(regs, tid, nr, 0, deep);
  if (!r) return;
  const __u32 kind = capture & CAPTURE_KIND;
  if (kind == IPCGRADE_CAPTURE_MTYPE) {
    copy_region(&r->head, r->head_bytes, 8, r->args[1], 8);
  } else if (kind == IPCGRADE_CAPTURE_SEM_OPS) {
    __u64 n = r->args[2];
    if (n > 16) n = 16;
    copy_region(&r->head, r->head_bytes, IPCGRADE_OBSERVED_HEAD, r->args[1], n * 6);
  } else if (kind == IPCGRADE_CAPTURE_WRITE) {
    const __u64 count = r->args[2];
    copy_region(&r->head, r->head_bytes, 24, r->args[1], count);
    if (count > 24) {
      const __u64 tail = count < IPCGRADE_OBSERVED_TAIL ? count : IPCGRADE_OBSERVED_TAIL;
      copy_region(&r->tail, r->tail_bytes, IPCGRADE_OBSERVED_TAIL, r->args[1] + count - tail, tail);
    }
  }
  copy_stack(r, deep ? IPCGRADE_OBSERVED_STACK : IPCGRADE_OBSERVED_STACK_SHORT);
  bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
}

// A call's exit: its result, and what msgrcv received; placed at its exit.
static __always_inline void record_exit(const struct pt_regs* regs, __u32 tid, long nr, __u32 capture, __s64 ret,
                                        const int deep) {
  struct ipcgrade_observed_call* r = start_record(regs, tid, nr, 1, deep);
  if (!r) return;
  r->ret = ret;
  if ((capture & CAPTURE_KIND) == IPCGRADE_CAPTURE_MTYPE && r->ret >= 0)
    copy_region(&r->head, r->head_bytes, 8, r->args[1], 8);
  copy_stack(r, deep ? IPCGRADE_OBSERVED_STACK : IPCGRADE_OBSERVED_STACK_SHORT);
  bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
}

// A BTF tracepoint (tp_btf): its context is the tracepoint's arguments, typed by the kernel's BTF.
SEC("tp_btf/sys_enter")
int observe_enter(__u64* ctx) {
  // Every system call of the machine comes here: the array of observed calls first (most calls are
  // not observed), the hash of followed threads after.
  const long nr = (long)ctx[1];
  const __u32 capture = capture_of(nr);
  if (!capture) return 0;
  const __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (!bpf_map_lookup_elem(&followed, &tid)) return 0;
  const struct pt_regs* regs = (const struct pt_regs*)ctx[0];
  if (on_standard_stream(capture, regs)) return 0;
  if (capture & CAPTURE_DEEP)
    record_entry(regs, tid, nr, capture, 1);
  else
    record_entry(regs, tid, nr, capture, 0);
  return 0;
}

SEC("tp_btf/sys_exit")
int observe_exit(__u64* ctx) {
  const struct pt_regs* regs = (const struct pt_regs*)ctx[0];
  const long nr = (long)regs->orig_ax;
  const __u32 capture = capture_of(nr);
  if (!(capture & CAPTURE_EXIT)) return 0;
  const __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (!bpf_map_lookup_elem(&followed, &tid)) return 0;
  if (on_standard_stream(capture, regs)) return 0;
  if (capture & CAPTURE_DEEP)
    record_exit(regs, tid, nr, capture, (__s64)ctx[1], 1);
  else
    record_exit(regs, tid, nr, capture, (__s64)ctx[1], 0);
  return 0;
}

// A followed task's new task (a child process or a thread) is followed from its first instruction.
SEC("raw_tracepoint/sched_process_fork")
int observe_fork(struct bpf_raw_tracepoint_args* ctx) {
  struct task_struct* parent = (struct task_struct*)ctx->args[0];
  struct task_struct* child = (struct task_struct*)ctx->args[1];
  __u32 parent_tid = (__u32)BPF_CORE_READ(parent, pid);
  if (!bpf_map_lookup_elem(&followed, &parent_tid)) return 0;
  __u32 child_tid = (__u32)BPF_CORE_READ(child, pid);
  __u8 one = 1;
  // A child not followed would make calls no one records: counted as a loss, the scenario is graded
  // again under ptrace.
  if (bpf_map_update_elem(&followed, &child_tid, &one, BPF_ANY) != 0) count_drop();
  return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int observe_exit_task(struct bpf_raw_tracepoint_args* ctx) {
  struct task_struct* task = (struct task_struct*)ctx->args[0];
  __u32 tid = (__u32)BPF_CORE_READ(task, pid);
  bpf_map_delete_elem(&followed, &tid);
  return 0;
}
