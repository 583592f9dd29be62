#pragma once
#include <sys/types.h>
#include <sys/user.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ipcgrade::tracer {

// Turns the call site of a stopped tracee's system call into "file:line" in the student's own code:
// the first frame, walking out of libc with the libraries' call-frame information (elfutils libdw),
// whose code lies under `own_dir`. Without debug information it says "function+0xOFFSET"; when no
// frame of the student's code is found it says nothing — never a wrong line.
class Symbolizer {
 public:
  explicit Symbolizer(std::string own_dir);
  ~Symbolizer();

  std::string call_site(pid_t pid, const user_regs_struct& regs);
  // The process ran exec (or is new): its memory map must be read again.
  void forget(pid_t pid) { maps_.erase(pid); }
  bool knows_map(pid_t pid) const { return maps_.count(pid) > 0; }
  // A fork: the child's memory map is its parent's. Read now (the parent is stopped at its fork), it
  // lets the child's observed calls be placed even if the child is gone when they are read.
  void share_map(pid_t parent, pid_t child) {
    if (!maps_.count(child)) maps_[child] = maps(parent);
  }

  struct Module;
  struct Mapping {
    unsigned long start, end, offset;
    std::string path;
  };
  // A word of the stopped process's memory, or nothing when it cannot be read.
  using ReadWord = std::function<std::optional<unsigned long>(unsigned long address)>;
  // The walk itself, over given mappings and memory: call_site reads both from the process. The files
  // named by `mappings` are the submission's own, so every byte of their ELF, DWARF and call-frame
  // information is hostile (the fuzz target tests/fuzz/fuzz_symbolizer.cpp feeds it mutated binaries).
  //
  // What a walk's answer depended on, besides the mappings and the files: the instruction, stack and
  // frame pointers, and the words read. A call equal to another in those is placed at the same site
  // without walking (the observer's repeats). `only_ip_sp_bp` is false where the walk used another
  // register's value (a frame's address computed from rbx, say), which a repeat does not compare.
  struct WalkInputs {
    bool only_ip_sp_bp = true;
    std::vector<unsigned long> reads;  // the addresses read, in order
  };
  std::string walk(const std::vector<Mapping>& mappings, const user_regs_struct& regs, const ReadWord& read,
                   WalkInputs* inputs = nullptr);
  // The call site of a call the BPF observer recorded: the process's mappings, and the registers and
  // piece of stack the observer copied (a frame past that piece is not guessed).
  std::string call_site(pid_t pid, const user_regs_struct& regs, const ReadWord& read,
                        WalkInputs* inputs = nullptr) {
    return walk(maps(pid), regs, read, inputs);
  }

 private:
  Module* module(const std::string& path);
  const std::vector<Mapping>& maps(pid_t pid);
  std::string line_of(Module& m, unsigned long address);      // "file.c:12", or empty
  std::string function_of(Module& m, unsigned long address);  // "main+0x1c", or empty

  std::string own_dir_;
  std::map<pid_t, std::vector<Mapping>> maps_;
  std::map<std::string, std::unique_ptr<Module>> modules_;
};

}  // namespace ipcgrade::tracer
