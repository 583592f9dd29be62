// The record the observer (observer.bpf.c) writes for each observed call, and the flags the grader
// gives it per call: shared by the BPF program and the grader (observer.cpp).
#pragma once
#ifndef __VMLINUX_TYPES
#include <linux/types.h>
#endif

#define IPCGRADE_OBSERVED_CALLS 512  // system call numbers the call table may name (x86_64)
#define IPCGRADE_OBSERVED_HEAD 96    // bytes of a region the decoders read (16 sembufs, a write's head)
#define IPCGRADE_OBSERVED_TAIL 16    // bytes of a write's tail
#define IPCGRADE_OBSERVED_STACK 512  // bytes of the caller's stack, for the call site's frames
// A call whose libc wrapper is one or two small frames (a queue's, a semaphore's) has its call site
// within this much of the stack: its record is that much shorter. Pipe reads and writes, often made
// through stdio's deeper frames, keep the whole piece.
#define IPCGRADE_OBSERVED_STACK_SHORT 128

// What the observer copies from the caller's memory, per call (the call table's `capture`).
enum ipcgrade_capture {
  IPCGRADE_CAPTURE_NONE = 0,     // the call is not observed: it stops at the tracer
  IPCGRADE_CAPTURE_ARGS = 1,     // its arguments only
  IPCGRADE_CAPTURE_MTYPE = 2,    // a long at argument 1 (msgsnd's mtype), at entry; msgrcv's, at exit
  IPCGRADE_CAPTURE_SEM_OPS = 3,  // argument 2 sembufs at argument 1
  IPCGRADE_CAPTURE_WRITE = 4,    // the first and last bytes of argument 1 (count in argument 2)
};
#define IPCGRADE_CAPTURE_EXIT 0x100        // the call's exit is recorded too
#define IPCGRADE_CAPTURE_FD_ABOVE_2 0x200  // only on a descriptor above 2 (argument 0)
#define IPCGRADE_CAPTURE_DEEP 0x400        // the whole piece of stack, not the short one

struct ipcgrade_region {
  __u64 address;
  __u32 length;
  __u32 pad;
};

// What a record is (its `exit`).
#define IPCGRADE_RECORD_ENTRY 0   // a call's entry
#define IPCGRADE_RECORD_EXIT 1    // a call's exit
#define IPCGRADE_RECORD_REPEAT 2  // a call's entry that is an earlier entry's again: only the head is written
#define IPCGRADE_RECORD_EXIT_REPEAT 3  // that call's exit, the earlier entry's exit again: only the head
// The rule of an entry's exit is kept under the entry's number with this bit set.
#define IPCGRADE_EXIT_RULE (1ull << 63)

// A thread's last entries the observer compares each new one with (per thread, oldest replaced first).
#define IPCGRADE_REPEAT_SLOTS 8
// The words of the short piece of stack a repeat rule can name (a bit each).
#define IPCGRADE_REPEAT_WORDS (IPCGRADE_OBSERVED_STACK_SHORT / 8)

struct ipcgrade_observed_call {
  __u64 ns;   // CLOCK_MONOTONIC
  __u32 tid;  // the host's thread id
  __s32 nr;
  __u32 exit;  // IPCGRADE_RECORD_ENTRY, _EXIT or _REPEAT
  __u32 stack_length;
  // An entry the observer may find again: a number no other entry has (0: one it never compares); the
  // exit of that entry has it too. A repeat: the number of the entry (or exit) it is again, which the
  // grader was given before.
  __u64 gen;
  __u64 args[6];
  __s64 ret;       // at exit
  __u64 regs[21];  // struct pt_regs: the same order as user_regs_struct's first 21
  struct ipcgrade_region head, tail;
  __u8 head_bytes[IPCGRADE_OBSERVED_HEAD];
  __u8 tail_bytes[IPCGRADE_OBSERVED_TAIL];
  __u8 stack[IPCGRADE_OBSERVED_STACK];  // the last member: a short record ends within it
};
// The three sizes a record has in the ring.
#define IPCGRADE_RECORD_REPEAT_SIZE 32  // ns, tid, nr, exit, stack_length and gen
#define IPCGRADE_RECORD_LONG sizeof(struct ipcgrade_observed_call)
#define IPCGRADE_RECORD_SHORT \
  (sizeof(struct ipcgrade_observed_call) - IPCGRADE_OBSERVED_STACK + IPCGRADE_OBSERVED_STACK_SHORT)
