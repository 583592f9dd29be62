// The observer: the system calls of a run's processes, read from the kernel's raw tracepoints instead
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

// struct pt_regs of x86_64: 21 registers in user_regs_struct's order (an ABI the kernel keeps).
struct x86_regs {
  __u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

char LICENSE[] SEC("license") = "GPL";

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
static __always_inline int on_standard_stream(__u32 capture, const struct x86_regs* kregs) {
  if (!(capture & CAPTURE_FD_ABOVE_2)) return 0;
  __u64 fd = 0;
  bpf_probe_read_kernel(&fd, sizeof(fd), &kregs->di);
  return (int)fd <= 2;
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
// code; a shorter piece where the stack's top is nearer than that.
static __always_inline void copy_stack(struct ipcgrade_observed_call* r) {
  const __u64 sp = ((const struct x86_regs*)r->regs)->sp;
  r->stack_length = 0;
  if (bpf_probe_read_user(r->stack, IPCGRADE_OBSERVED_STACK, (void*)sp) == 0) {
    r->stack_length = IPCGRADE_OBSERVED_STACK;
  } else if (bpf_probe_read_user(r->stack, IPCGRADE_OBSERVED_STACK / 4, (void*)sp) == 0) {
    r->stack_length = IPCGRADE_OBSERVED_STACK / 4;
  }
}

static struct ipcgrade_observed_call* start_record(const struct x86_regs* kregs, __u32 tid, long nr, __u32 exit) {
  struct ipcgrade_observed_call* r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
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
  if (bpf_probe_read_kernel(r->regs, sizeof(r->regs), kregs) != 0) {
    bpf_ringbuf_discard(r, 0);
    count_drop();
    return 0;
  }
  const struct x86_regs* u = (const struct x86_regs*)r->regs;
  // The arguments as the system call sees them (the fourth is in r10, not rcx).
  r->args[0] = u->di;
  r->args[1] = u->si;
  r->args[2] = u->dx;
  r->args[3] = u->r10;
  r->args[4] = u->r8;
  r->args[5] = u->r9;
  return r;
}

SEC("raw_tracepoint/sys_enter")
int observe_enter(struct bpf_raw_tracepoint_args* ctx) {
  // Every system call of the machine comes here: the array of observed calls first (most calls are
  // not observed), the hash of followed threads after.
  const long nr = (long)ctx->args[1];
  const __u32 capture = capture_of(nr);
  if (!capture) return 0;
  const __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (!bpf_map_lookup_elem(&followed, &tid)) return 0;
  const struct x86_regs* kregs = (const struct x86_regs*)ctx->args[0];
  if (on_standard_stream(capture, kregs)) return 0;
  struct ipcgrade_observed_call* r = start_record(kregs, tid, nr, 0);
  if (!r) return 0;
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
  copy_stack(r);
  bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
  return 0;
}

SEC("raw_tracepoint/sys_exit")
int observe_exit(struct bpf_raw_tracepoint_args* ctx) {
  const struct x86_regs* kregs = (const struct x86_regs*)ctx->args[0];
  __u64 orig = 0;
  bpf_probe_read_kernel(&orig, sizeof(orig), &kregs->orig_ax);
  const long nr = (long)orig;
  const __u32 capture = capture_of(nr);
  if (!(capture & CAPTURE_EXIT)) return 0;
  const __u32 tid = (__u32)bpf_get_current_pid_tgid();
  if (!bpf_map_lookup_elem(&followed, &tid)) return 0;
  if (on_standard_stream(capture, kregs)) return 0;
  struct ipcgrade_observed_call* r = start_record(kregs, tid, nr, 1);
  if (!r) return 0;
  r->ret = (__s64)ctx->args[1];
  if ((capture & CAPTURE_KIND) == IPCGRADE_CAPTURE_MTYPE && r->ret >= 0)
    copy_region(&r->head, r->head_bytes, 8, r->args[1], 8);
  copy_stack(r);  // a call recorded at its exit is placed then
  bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
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
  bpf_map_update_elem(&followed, &child_tid, &one, BPF_ANY);
  return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int observe_exit_task(struct bpf_raw_tracepoint_args* ctx) {
  struct task_struct* task = (struct task_struct*)ctx->args[0];
  __u32 tid = (__u32)BPF_CORE_READ(task, pid);
  bpf_map_delete_elem(&followed, &tid);
  return 0;
}
