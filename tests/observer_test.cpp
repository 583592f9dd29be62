// The decoders fed from the BPF observer's records (observed_call.h) instead of a stopped process's
// memory: a record made by hand as the BPF program fills one decodes to the same event as the same
// call decoded from the process, and what the program did not copy reads as unreadable.
#include <gtest/gtest.h>
#include <sys/sem.h>
#include <sys/syscall.h>

#include <cstring>
#include <memory>
#include <optional>

#include "grader/families/decoders.hpp"
#include "grader/tracer/observed_memory.hpp"
#include "tests/fake_memory.hpp"

using namespace ipcgrade;
using namespace ipcgrade::families;

namespace {

// A record of a call's entry, as observer.bpf.c writes it: the arguments, and the bytes it copied.
observer::ObservedCall record(int nr, std::initializer_list<unsigned long long> args) {
  observer::ObservedCall r{};
  r.nr = nr;
  std::copy(args.begin(), args.end(), r.args);
  return r;
}
void copy_head(observer::ObservedCall& r, std::uint64_t address, const std::string& bytes) {
  r.head = {address, static_cast<std::uint32_t>(bytes.size()), 0};
  std::memcpy(r.head_bytes, bytes.data(), bytes.size());
}

// Decodes the same call twice: from the process's memory (FakeMemory) and from the record.
struct Both {
  trace::Event from_process, from_record;
};
Both decode(const observer::ObservedCall& r, const FakeMemory& process) {
  Registers a;
  std::copy(std::begin(r.args), std::end(r.args), a);
  Both out;
  for (auto* e : {&out.from_process, &out.from_record}) {
    const tracer::ObservedMemory observed(r);
    const Memory& memory = e == &out.from_process ? static_cast<const Memory&>(process) : observed;
    FdTable fds;
    fds[4] = {.pipe = 1, .write = true};
    fds[3] = {.pipe = 1, .write = false};
    long next_pipe = 2;
    std::chrono::steady_clock::time_point timer{};
    RunNames names;
    DecodeContext ctx{memory, fds, next_pipe, timer, names};
    decode_entry(ctx, r.nr, a, *e);
  }
  return out;
}

}  // namespace

TEST(ObservedRecords, AMsgsndDecodesItsTypeFromTheCopiedBytes) {
  long mtype = 7;
  auto r = record(SYS_msgsnd, {3, 0x1000, 64, 0});
  copy_head(r, 0x1000, std::string(reinterpret_cast<const char*>(&mtype), sizeof mtype));
  FakeMemory process;
  process.put<long>(0x1000, 7);
  const auto [from_process, from_record] = decode(r, process);
  EXPECT_EQ(from_record.value("mtype"), 7);
  EXPECT_EQ(from_record.values, from_process.values);
  EXPECT_EQ(trace::format_call(from_record), "msgsnd(3, {mtype=7, ...}, 64, 0)");
}

TEST(ObservedRecords, ASemopDecodesEveryCopiedOperation) {
  const sembuf ops[2] = {{0, -1, SEM_UNDO}, {1, 1, 0}};
  auto r = record(SYS_semop, {5, 0x2000, 2});
  copy_head(r, 0x2000, std::string(reinterpret_cast<const char*>(ops), sizeof ops));
  FakeMemory process;
  process.put_bytes(0x2000, std::string(reinterpret_cast<const char*>(ops), sizeof ops));
  const auto [from_process, from_record] = decode(r, process);
  ASSERT_EQ(from_record.sem_ops.size(), 2u);
  EXPECT_EQ(from_record.sem_ops, from_process.sem_ops);
  EXPECT_EQ(trace::format_call(from_record), trace::format_call(from_process));
}

TEST(ObservedRecords, APipeWriteKeepsItsHeadAndTailFromTheTwoCopies) {
  const std::string text = "a message longer than the twenty-four bytes kept at its head\n";
  auto r = record(SYS_write, {4, 0x3000, text.size()});
  copy_head(r, 0x3000, text.substr(0, 24));
  r.tail = {0x3000 + text.size() - 16, 16, 0};
  std::memcpy(r.tail_bytes, text.data() + text.size() - 16, 16);
  FakeMemory process;
  process.put_bytes(0x3000, text);
  const auto [from_process, from_record] = decode(r, process);
  EXPECT_EQ(from_record.texts.at("head"), from_process.texts.at("head"));
  EXPECT_EQ(from_record.texts.at("tail"), "ept at its head\\n");
  EXPECT_EQ(from_record.texts, from_process.texts);
}

// Bytes the observer could not copy (an unmapped buffer) are what a failed read of the process gives:
// no mtype, as from the process.
TEST(ObservedRecords, WhatWasNotCopiedReadsAsUnreadable) {
  const auto r = record(SYS_msgsnd, {3, 0x1000, 64, 0});
  const auto [from_process, from_record] = decode(r, FakeMemory{});
  EXPECT_FALSE(from_record.has("mtype"));
  EXPECT_EQ(from_record.values, from_process.values);
}

// The walk to a call site reads the copied piece of stack word by word, at addresses the student's own
// call-frame rules can make anything: a word inside the piece is read, and nothing else is, not even an
// address so near the top of the address space that adding a word's size to it wraps.
TEST(ObservedRecords, TheWalkReadsOnlyWordsInsideTheCopiedStack) {
  auto r = std::make_unique<observer::ObservedCall>();
  const std::uint64_t sp = 0x7ffd00001000;
  r->regs[19] = sp;
  r->stack_length = 128;
  for (unsigned i = 0; i < 128; ++i) r->stack[i] = static_cast<std::uint8_t>(i);
  const tracer::ObservedMemory memory(*r);
  EXPECT_EQ(memory.stack_word(sp), 0x0706050403020100ul);
  EXPECT_EQ(memory.stack_word(sp + 120), 0x7f7e7d7c7b7a7978ul);
  EXPECT_EQ(memory.stack_word(sp + 121), std::nullopt);  // its last byte is past the piece
  EXPECT_EQ(memory.stack_word(sp - 8), std::nullopt);
  EXPECT_EQ(memory.stack_word(sp + 128), std::nullopt);
  EXPECT_EQ(memory.stack_word(~0ul - 3), std::nullopt);  // ~0 - 3 + 8 wraps to 4
  EXPECT_EQ(memory.stack_word(~0ul), std::nullopt);
}
