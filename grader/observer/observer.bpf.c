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

// linux/bpf.h first: the helpers' headers need its types.
// clang-format off
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
// clang-format on

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

// A loop's calls, recorded once: each thread's last entries of the short kind (queue and semaphore
// calls), kept with the task and compared with every new one. A call equal to one of them in its
// arguments, the bytes copied, its instruction, stack and frame pointers, and in the words of the
// stack the grader's walk to its call site read (the entry's rule) is written as a repeat of it: 32
// bytes instead of a whole record, from which the grader makes the same call again.
struct repeat_slot {
  __u64 gen;  // 0: empty
  __s64 nr;
  __u64 args[6];
  __u64 ip, sp, bp;
  __u32 head_length, tail_length, stack_length, pad;
  __u64 head[IPCGRADE_OBSERVED_HEAD / 8];
  __u64 tail[IPCGRADE_OBSERVED_TAIL / 8];
  __u64 stack[IPCGRADE_REPEAT_WORDS];
  // Its exit, as the grader has it whole (exit_known): what a repeat's exit is compared with.
  __u32 exit_known, exit_head_length, exit_stack_length, exit_pad;
  __s64 exit_ret;
  __u64 exit_head;  // msgrcv's received mtype
  __u64 exit_stack[IPCGRADE_REPEAT_WORDS];
};
// The call in flight on the thread, from its entry to its exit.
#define INFLIGHT_NONE 0       // its exit is written whole, without a number
#define INFLIGHT_RECORDING 1  // its entry took slot inflight_slot: its exit is kept there too
#define INFLIGHT_REPEATING 2  // its entry repeated slot inflight_slot: so may its exit
struct repeat_state {
  __u32 next;  // the slot the next whole entry replaces
  __u32 inflight, inflight_slot, pad;
  __u64 inflight_gen;
  struct repeat_slot slots[IPCGRADE_REPEAT_SLOTS];
};
// Made at a thread's first observed call; one the kernel cannot allocate leaves that thread's calls
// whole records, nothing lost.
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct repeat_state);
} repeats SEC(".maps");

// By entry number, the grader's rule for finding that entry again: a bit per word of the short piece of
// stack its call-site walk read. An entry without one is never repeated (the grader gives none where
// the walk read anything else: another register, memory outside the piece). Least recently used
// first out: a rule lost so is an entry recorded whole again.
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 16384);
  __type(key, __u64);
  __type(value, __u32);
} rules SEC(".maps");

// The record being made, before it is known whether it is a repeat: one per CPU (a tracepoint's program
// does not migrate, nor does the kernel run it again on a CPU where it is running) and per program
// (key 0 for the entry's, 1 for the exit's: one may run while the other is preempted).
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, struct ipcgrade_observed_call);
} scratch SEC(".maps");

// The numbers of entries: unique within the loaded observer (one per scenario).
__u64 next_gen = 0;

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

// A record's head, the caller's registers and the call's arguments.
static __always_inline void fill_record(struct ipcgrade_observed_call* r, const struct pt_regs* regs,
                                        __u32 tid, long nr, __u32 exit) {
  r->ns = bpf_ktime_get_ns();
  r->tid = tid;
  r->nr = (__s32)nr;
  r->exit = exit;
  r->gen = 0;
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
}

// A record in the ring, long or short (`deep`, a constant at each call, so that the verifier knows
// which size each path holds).
static __always_inline struct ipcgrade_observed_call* start_record(const struct pt_regs* regs, __u32 tid,
                                                                   long nr, __u32 exit, const int deep) {
  struct ipcgrade_observed_call* r = deep ? bpf_ringbuf_reserve(&records, IPCGRADE_RECORD_LONG, 0)
                                          : bpf_ringbuf_reserve(&records, IPCGRADE_RECORD_SHORT, 0);
  if (!r) {
    count_drop();
    return 0;
  }
  fill_record(r, regs, tid, nr, exit);
  return r;
}

// The bytes of the caller's memory a call's kind names, at its entry.
static __always_inline void copy_entry_regions(struct ipcgrade_observed_call* r, __u32 capture) {
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
}

// A pipe's read or write at its entry: always a whole (long) record.
static __always_inline void record_deep_entry(const struct pt_regs* regs, __u32 tid, long nr, __u32 capture) {
  struct ipcgrade_observed_call* r = start_record(regs, tid, nr, IPCGRADE_RECORD_ENTRY, 1);
  if (!r) return;
  copy_entry_regions(r, capture);
  copy_stack(r, IPCGRADE_OBSERVED_STACK);
  bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
}

// The bits where n words differ (0: equal), without a branch per word: fewer paths for the verifier.
static __always_inline __u64 differing(const __u64* a, const __u64* b, const int n) {
  __u64 d = 0;
  for (int i = 0; i < n; i++) d |= a[i] ^ b[i];
  return d;
}

// Of the short piece of stack, the words set in `words` that differ.
static __always_inline __u64 differing_words(const __u64* a, const __u64* b, __u32 words) {
  __u64 d = 0;
  for (int i = 0; i < IPCGRADE_REPEAT_WORDS; i++) d |= (a[i] ^ b[i]) & -(__u64)((words >> i) & 1);
  return d;
}

// Whether the call in `r` is slot `s`'s entry again, to everything the grader reads of it: SAME, or
// AWAITED where only the rule is missing (the grader has not read that entry yet), or DIFFERENT.
#define DIFFERENT 0
#define SAME 1
#define AWAITED 2
static __always_inline int repeats_slot(const struct ipcgrade_observed_call* r, const struct repeat_slot* s) {
  const struct x86_regs* u = (const struct x86_regs*)r->regs;
  // The call and its place first: most slots differ there.
  if (!s->gen || s->nr != r->nr || s->ip != u->ip) return DIFFERENT;
  __u64 d = (s->sp ^ u->sp) | (s->bp ^ u->bp) | (s->head_length ^ r->head.length) |
            (s->tail_length ^ r->tail.length) | (s->stack_length ^ r->stack_length);
  d |= differing(s->args, r->args, 6);
  d |= differing(s->head, (const __u64*)r->head_bytes, IPCGRADE_OBSERVED_HEAD / 8);
  d |= differing(s->tail, (const __u64*)r->tail_bytes, IPCGRADE_OBSERVED_TAIL / 8);
  if (d) return DIFFERENT;
  __u64 key = s->gen;
  const __u32* rule = bpf_map_lookup_elem(&rules, &key);
  if (!rule) return AWAITED;
  return differing_words(s->stack, (const __u64*)r->stack, *rule) ? DIFFERENT : SAME;
}

static __always_inline void keep_in_slot(struct repeat_slot* s, const struct ipcgrade_observed_call* r) {
  const struct x86_regs* u = (const struct x86_regs*)r->regs;
  s->gen = r->gen;
  s->exit_known = 0;
  s->nr = r->nr;
  s->ip = u->ip;
  s->sp = u->sp;
  s->bp = u->bp;
  s->head_length = r->head.length;
  s->tail_length = r->tail.length;
  s->stack_length = r->stack_length;
  __builtin_memcpy(s->args, r->args, sizeof(s->args));
  __builtin_memcpy(s->head, r->head_bytes, sizeof(s->head));
  __builtin_memcpy(s->tail, r->tail_bytes, sizeof(s->tail));
  __builtin_memcpy(s->stack, r->stack, sizeof(s->stack));
}

// Writes the 32-byte repeat of kept entry (or exit) `gen` for the call in `r`; false when the ring had
// no room (counted).
static __always_inline int write_repeat(const struct ipcgrade_observed_call* r, __u32 kind, __u64 gen) {
  struct ipcgrade_observed_call* repeat = bpf_ringbuf_reserve(&records, IPCGRADE_RECORD_REPEAT_SIZE, 0);
  if (!repeat) {
    count_drop();
    return 0;
  }
  repeat->ns = r->ns;
  repeat->tid = r->tid;
  repeat->nr = r->nr;
  repeat->exit = kind;
  repeat->stack_length = 0;
  repeat->gen = gen;
  bpf_ringbuf_submit(repeat, BPF_RB_NO_WAKEUP);
  return 1;
}

// A queue's or semaphore's call at its entry: made aside, then written as a repeat of one of the
// thread's last entries, or whole (and kept as one of them).
static __always_inline void record_short_entry(const struct pt_regs* regs, __u32 tid, long nr,
                                               __u32 capture) {
  __u32 mine = 0;
  struct ipcgrade_observed_call* r = bpf_map_lookup_elem(&scratch, &mine);
  if (!r) return;
  fill_record(r, regs, tid, nr, IPCGRADE_RECORD_ENTRY);
  // Compared whole: the bytes past what was copied must not be an earlier call's.
  __builtin_memset(r->head_bytes, 0, sizeof(r->head_bytes));
  __builtin_memset(r->tail_bytes, 0, sizeof(r->tail_bytes));
  copy_entry_regions(r, capture);
  copy_stack(r, IPCGRADE_OBSERVED_STACK_SHORT);
  struct repeat_state* state =
      bpf_task_storage_get(&repeats, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  int awaited = 0;
  if (state) {
    state->inflight = INFLIGHT_NONE;
    for (int i = 0; i < IPCGRADE_REPEAT_SLOTS; i++) {
      const int match = repeats_slot(r, &state->slots[i]);
      awaited |= match == AWAITED;
      if (match != SAME) continue;
      const __u64 gen = state->slots[i].gen;
      if (!write_repeat(r, IPCGRADE_RECORD_REPEAT, gen)) return;
      state->inflight = INFLIGHT_REPEATING;
      state->inflight_slot = i;
      state->inflight_gen = gen;
      return;
    }
    // Where an earlier entry may be this call again once the grader has read it, the call is written
    // whole without a number and takes no slot: a loop's first calls do not push out the entries its
    // later calls will repeat.
    if (!awaited) r->gen = __sync_fetch_and_add(&next_gen, 1) + 1;
  }
  if (bpf_ringbuf_output(&records, r, IPCGRADE_RECORD_SHORT, BPF_RB_NO_WAKEUP) != 0) {
    count_drop();
    return;
  }
  // Kept only once the grader has the entry whole: a repeat names an entry it holds.
  if (state && r->gen) {
    const __u32 slot = state->next++ % IPCGRADE_REPEAT_SLOTS;
    keep_in_slot(&state->slots[slot], r);
    state->inflight = INFLIGHT_RECORDING;
    state->inflight_slot = slot;
    state->inflight_gen = r->gen;
  }
}

// Whether the exit in `r` is slot `s`'s exit again, to everything the grader reads of it (the entry was
// that slot's again: arguments and pointers are equal already).
// The exit in `r` is the call's whose entry took or repeated slot `s`: its call and pointers, compared
// again in case the entry was not seen (the thread's storage busy at that moment).
static __always_inline int pairs_with(const struct ipcgrade_observed_call* r, const struct repeat_slot* s) {
  const struct x86_regs* u = (const struct x86_regs*)r->regs;
  return !((s->nr ^ r->nr) | (s->ip ^ u->ip) | (s->sp ^ u->sp) | (s->bp ^ u->bp));
}

static __always_inline int repeats_exit(const struct ipcgrade_observed_call* r, const struct repeat_slot* s,
                                        __u64 gen) {
  if (s->gen != gen || !s->exit_known || !pairs_with(r, s)) return 0;
  const __u64 d = (s->exit_ret ^ r->ret) | (s->exit_head_length ^ r->head.length) |
                  (s->exit_head ^ *(const __u64*)r->head_bytes) | (s->exit_stack_length ^ r->stack_length);
  if (d) return 0;
  __u64 key = gen | IPCGRADE_EXIT_RULE;
  const __u32* rule = bpf_map_lookup_elem(&rules, &key);
  return rule && !differing_words(s->exit_stack, (const __u64*)r->stack, *rule);
}

// A queue's or semaphore's call at its exit: a repeat of the exit of the entry it repeated, or whole.
static __always_inline void record_short_exit(const struct pt_regs* regs, __u32 tid, long nr, __u32 capture,
                                              __s64 ret) {
  __u32 mine = 1;
  struct ipcgrade_observed_call* r = bpf_map_lookup_elem(&scratch, &mine);
  if (!r) return;
  fill_record(r, regs, tid, nr, IPCGRADE_RECORD_EXIT);
  r->ret = ret;
  __builtin_memset(r->head_bytes, 0, 8);
  if ((capture & CAPTURE_KIND) == IPCGRADE_CAPTURE_MTYPE && ret >= 0)
    copy_region(&r->head, r->head_bytes, 8, r->args[1], 8);
  copy_stack(r, IPCGRADE_OBSERVED_STACK_SHORT);
  struct repeat_state* state = bpf_task_storage_get(&repeats, bpf_get_current_task_btf(), 0, 0);
  __u32 inflight = INFLIGHT_NONE, slot = 0;
  __u64 gen = 0;
  if (state) {
    inflight = state->inflight;
    slot = state->inflight_slot % IPCGRADE_REPEAT_SLOTS;
    gen = state->inflight_gen;
    state->inflight = INFLIGHT_NONE;
  }
  if (state && inflight == INFLIGHT_REPEATING && repeats_exit(r, &state->slots[slot], gen)) {
    write_repeat(r, IPCGRADE_RECORD_EXIT_REPEAT, gen);
    return;
  }
  const int keep = state && inflight == INFLIGHT_RECORDING && state->slots[slot].gen == gen &&
                   pairs_with(r, &state->slots[slot]);
  if (keep) r->gen = gen;
  if (bpf_ringbuf_output(&records, r, IPCGRADE_RECORD_SHORT, BPF_RB_NO_WAKEUP) != 0) {
    count_drop();
    return;
  }
  if (!keep) return;
  struct repeat_slot* s = &state->slots[slot];
  s->exit_ret = ret;
  s->exit_head_length = r->head.length;
  s->exit_head = *(const __u64*)r->head_bytes;
  s->exit_stack_length = r->stack_length;
  __builtin_memcpy(s->exit_stack, r->stack, sizeof(s->exit_stack));
  s->exit_known = 1;
}

// A pipe's read or write at its exit: its result, placed at its exit; always a whole (long) record.
static __always_inline void record_deep_exit(const struct pt_regs* regs, __u32 tid, long nr, __s64 ret) {
  struct ipcgrade_observed_call* r = start_record(regs, tid, nr, IPCGRADE_RECORD_EXIT, 1);
  if (!r) return;
  r->ret = ret;
  copy_stack(r, IPCGRADE_OBSERVED_STACK);
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
    record_deep_entry(regs, tid, nr, capture);
  else
    record_short_entry(regs, tid, nr, capture);
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
    record_deep_exit(regs, tid, nr, (__s64)ctx[1]);
  else
    record_short_exit(regs, tid, nr, capture, (__s64)ctx[1]);
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

// A new program in a followed task. Its entries are not the old program's, whatever their addresses:
// the thread's slots are emptied (written in place: deleting the storage can fail on a busy lock). A
// thread other than the first that runs exec takes the process's id (the old first thread is gone and
// no longer followed): the id it had (`old_pid`) says it was followed, and the new one is followed.
SEC("tp_btf/sched_process_exec")
int observe_exec(__u64* ctx) {
  const __u32 tid = (__u32)bpf_get_current_pid_tgid();
  const __u32 old_tid = (__u32)ctx[1];
  if (!bpf_map_lookup_elem(&followed, &tid) && !bpf_map_lookup_elem(&followed, &old_tid)) return 0;
  if (old_tid != tid) {
    __u8 one = 1;
    if (bpf_map_update_elem(&followed, &tid, &one, BPF_ANY) != 0) count_drop();
    bpf_map_delete_elem(&followed, &old_tid);
  }
  struct repeat_state* state = bpf_task_storage_get(&repeats, bpf_get_current_task_btf(), 0, 0);
  if (!state) return 0;
  state->inflight = INFLIGHT_NONE;
  for (int i = 0; i < IPCGRADE_REPEAT_SLOTS; i++) state->slots[i].gen = 0;
  return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int observe_exit_task(struct bpf_raw_tracepoint_args* ctx) {
  struct task_struct* task = (struct task_struct*)ctx->args[0];
  __u32 tid = (__u32)BPF_CORE_READ(task, pid);
  bpf_map_delete_elem(&followed, &tid);
  return 0;
}
