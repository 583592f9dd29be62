#include "grader/tracer/symbolizer.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <filesystem>
#include <sstream>

#include "grader/families/tracee_memory.hpp"
#include "grader/util/procfs.hpp"

namespace ipcgrade::tracer {

using families::read_tracee_value;

// One ELF file: its call-frame information (to walk out of it) and its line table (to name a line).
struct Symbolizer::Module {
  int fd = -1;
  Elf* elf = nullptr;
  Dwarf* dwarf = nullptr;    // debug information, when the file has it
  Dwarf_CFI* cfi = nullptr;  // .eh_frame
  bool relocatable = false;  // ET_DYN (PIE or library): addresses are relative to the load base

  ~Module() {
    if (dwarf) dwarf_end(dwarf);
    if (cfi) dwarf_cfi_end(cfi);
    if (elf) elf_end(elf);
    if (fd >= 0) ::close(fd);
  }
};

namespace {

constexpr int kRegRbp = 6, kRegRsp = 7, kRegRa = 16;

// What a value of the walk came from (Symbolizer::WalkInputs): the words of memory read for it, and
// whether one of the stopped frame's registers other than rip, rsp and rbp went into it.
struct Sources {
  bool other = false;
  std::vector<unsigned long> words;
  void add(const Sources& more) {
    other = other || more.other;
    words.insert(words.end(), more.words.begin(), more.words.end());
  }
};

// The registers a frame walk tracks, by DWARF number (x86-64).
struct Regs {
  std::array<unsigned long, 17> value{};
  std::array<bool, 17> known{};
  std::array<Sources, 17> sources{};
  void set(int r, unsigned long v, Sources from) {
    value[r] = v;
    known[r] = true;
    sources[r] = std::move(from);
  }
};

Regs from(const user_regs_struct& r) {
  Regs out;
  const unsigned long values[] = {r.rax, r.rdx, r.rcx, r.rbx, r.rsi, r.rdi, r.rbp, r.rsp,
                                  r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15};
  for (int i = 0; i < 16; ++i)
    out.set(i, values[i], Sources{.other = i != kRegRbp && i != kRegRsp, .words = {}});
  out.set(kRegRa, r.rip, {});
  return out;
}

// Evaluates the small DWARF expressions CFI uses; false for anything else. `used` gathers the sources
// of the registers (and the CFA) it read, whether it succeeded or not.
bool evaluate(const Dwarf_Op* ops, size_t n, const Regs& regs, unsigned long cfa, const Sources& cfa_sources,
              unsigned long* out, Sources* used) {
  std::vector<unsigned long> stack;
  for (size_t i = 0; i < n; ++i) {
    const Dwarf_Op& op = ops[i];
    if (op.atom >= DW_OP_breg0 && op.atom <= DW_OP_breg16) {
      const int r = op.atom - DW_OP_breg0;
      used->add(regs.sources[r]);
      if (!regs.known[r]) return false;
      stack.push_back(regs.value[r] + static_cast<unsigned long>(static_cast<long>(op.number)));
    } else if (op.atom == DW_OP_bregx) {
      const auto r = static_cast<size_t>(op.number);
      if (r >= regs.known.size()) return false;
      used->add(regs.sources[r]);
      if (!regs.known[r]) return false;
      stack.push_back(regs.value[r] + static_cast<unsigned long>(static_cast<long>(op.number2)));
    } else if (op.atom == DW_OP_call_frame_cfa) {
      used->add(cfa_sources);
      stack.push_back(cfa);
    } else if (op.atom >= DW_OP_lit0 && op.atom <= DW_OP_lit31) {
      stack.push_back(op.atom - DW_OP_lit0);
    } else if (op.atom == DW_OP_consts || op.atom == DW_OP_constu) {
      stack.push_back(static_cast<unsigned long>(op.number));
    } else if (op.atom == DW_OP_plus_uconst && !stack.empty()) {
      stack.back() += static_cast<unsigned long>(op.number);
    } else if ((op.atom == DW_OP_plus || op.atom == DW_OP_minus) && stack.size() >= 2) {
      const unsigned long b = stack.back();
      stack.pop_back();
      stack.back() = op.atom == DW_OP_plus ? stack.back() + b : stack.back() - b;
    } else if (op.atom == DW_OP_stack_value) {
      break;
    } else {
      return false;
    }
  }
  if (stack.empty()) return false;
  *out = stack.back();
  return true;
}

}  // namespace

Symbolizer::Symbolizer(std::string own_dir) : own_dir_(std::move(own_dir)) {
  elf_version(EV_CURRENT);
  if (!own_dir_.empty() && own_dir_.back() != '/') own_dir_ += '/';
}
Symbolizer::~Symbolizer() = default;

Symbolizer::Module* Symbolizer::module(const std::string& path) {
  auto it = modules_.find(path);
  if (it != modules_.end()) return it->second.get();
  auto m = std::make_unique<Module>();
  m->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m->fd >= 0) m->elf = elf_begin(m->fd, ELF_C_READ_MMAP, nullptr);
  if (m->elf) {
    GElf_Ehdr header;
    if (gelf_getehdr(m->elf, &header)) m->relocatable = header.e_type == ET_DYN;
    m->cfi = dwarf_getcfi_elf(m->elf);
    m->dwarf = dwarf_begin_elf(m->elf, DWARF_C_READ, nullptr);
  }
  Module* raw = m.get();
  modules_[path] = std::move(m);
  return raw;
}

const std::vector<Symbolizer::Mapping>& Symbolizer::maps(pid_t pid) {
  auto it = maps_.find(pid);
  if (it != maps_.end()) return it->second;
  std::vector<Mapping> out;
  for (const auto& line : util::read_proc_lines("/proc/" + std::to_string(pid) + "/maps")) {
    std::istringstream f(line);
    std::string range, perms, offset, dev, inode, path;
    f >> range >> perms >> offset >> dev >> inode >> path;
    if (path.empty() || path[0] != '/') continue;
    const auto dash = range.find('-');
    out.push_back({std::stoul(range.substr(0, dash), nullptr, 16),
                   std::stoul(range.substr(dash + 1), nullptr, 16), std::stoul(offset, nullptr, 16), path});
  }
  return maps_[pid] = std::move(out);
}

std::string Symbolizer::line_of(Module& m, unsigned long address) {
  if (m.dwarf) {
    Dwarf_Die cu;
    if (dwarf_addrdie(m.dwarf, address, &cu)) {
      if (Dwarf_Line* line = dwarf_getsrc_die(&cu, address)) {
        int number = 0;
        dwarf_lineno(line, &number);
        const char* file = dwarf_linesrc(line, nullptr, nullptr);
        if (file && number > 0)
          return fmt::format("{}:{}", std::filesystem::path(file).filename().string(), number);
      }
    }
  }
  return {};
}

std::string Symbolizer::function_of(Module& m, unsigned long address) {
  // The function and the offset into it, from the symbol table.
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(m.elf, scn)) != nullptr) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM)) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    // Counted from the data actually read, not from the header's claim.
    const size_t count = data && sh.sh_entsize ? data->d_size / sh.sh_entsize : 0;
    for (size_t i = 0; data && i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC) continue;
      if (address >= sym.st_value && address - sym.st_value < sym.st_size) {
        // A symbol table may name a string table that is not one, or an offset past it.
        const char* name = elf_strptr(m.elf, sh.sh_link, sym.st_name);
        if (!name || !*name) continue;
        return fmt::format("{}+0x{:x}", name, address - sym.st_value);
      }
    }
  }
  return {};
}

std::string Symbolizer::call_site(pid_t pid, const user_regs_struct& start) {
  return call_site(pid, start,
                   [pid](unsigned long address) { return read_tracee_value<unsigned long>(pid, address); });
}

std::string Symbolizer::walk(const std::vector<Mapping>& mappings, const user_regs_struct& start,
                             const ReadWord& read, WalkInputs* inputs) {
  Regs regs = from(start);
  // What the answer depends on: each frame's pc (which file, which line, whether to go on), and so
  // everything that went into it. A register restored but never used is not part of it.
  Sources answer;
  const auto done = [&](std::string site) {
    if (inputs) {
      inputs->only_ip_sp_bp = !answer.other;
      inputs->reads = std::move(answer.words);
    }
    return site;
  };
  std::string fallback;
  for (int depth = 0; depth < 16; ++depth) {
    answer.add(regs.sources[kRegRa]);
    const unsigned long pc = regs.value[kRegRa];
    const Mapping* map = nullptr;
    for (const auto& m : mappings) {
      if (pc >= m.start && pc < m.end) map = &m;
    }
    if (!map) return done(fallback);
    Module* m = module(map->path);
    if (!m || !m->elf) return done(fallback);
    // The load base: where the file's offset 0 is mapped (0 for a non-PIE executable).
    unsigned long base = 0;
    if (m->relocatable) {
      base = map->start - map->offset;
      for (const auto& other : mappings) {
        if (other.path == map->path && other.offset == 0) base = other.start;
      }
    }
    // A return address points after its call: look up the call itself (the stopped frame's pc is
    // already at the system call).
    const unsigned long lookup = pc - base - (depth > 0 ? 1 : 0);
    if (map->path.rfind(own_dir_, 0) == 0) {
      // The student's program; in a static binary also libc, which has no line information: keep
      // walking out until a frame has a line, and fall back to the first function+offset.
      std::string line = line_of(*m, lookup);
      if (!line.empty()) return done(line);
      if (fallback.empty()) fallback = function_of(*m, lookup);
    }
    // Still in a library: step out of this frame with its call-frame information.
    Dwarf_Frame* frame = nullptr;
    if (!m->cfi || dwarf_cfi_addrframe(m->cfi, lookup, &frame) != 0) return done(fallback);
    Dwarf_Op* ops;
    size_t n;
    unsigned long cfa = 0;
    Sources cfa_sources;
    const bool have_cfa =
        dwarf_frame_cfa(frame, &ops, &n) == 0 && n > 0 && evaluate(ops, n, regs, 0, {}, &cfa, &cfa_sources);
    answer.add(cfa_sources);  // whether there is one decides too
    Regs caller;
    bool ok = have_cfa;
    for (int r = 0; ok && r <= kRegRa; ++r) {
      Dwarf_Op mem[3];
      if (dwarf_frame_register(frame, r, mem, &ops, &n) != 0) {
        ok = r != kRegRa;
        continue;
      }
      if (n == 0) {
        // Same value (known, or unknown for the reasons it was unknown here), or undefined.
        if (ops == nullptr && regs.known[r]) caller.set(r, regs.value[r], regs.sources[r]);
        if (ops == nullptr && !regs.known[r]) caller.sources[r] = regs.sources[r];
        continue;
      }
      unsigned long where = 0;
      Sources where_sources;
      if (!evaluate(ops, n, regs, cfa, cfa_sources, &where, &where_sources)) {
        // Unknown to whatever uses it later, for what the expression read.
        caller.sources[r] = std::move(where_sources);
        if (r == kRegRa) answer.add(caller.sources[r]);
        ok = r != kRegRa;
        continue;
      }
      if (ops[n - 1].atom == DW_OP_stack_value) {
        caller.set(r, where, std::move(where_sources));
        continue;
      }
      // Read or not, the value came from that word (one not read is unknown to whatever uses it).
      where_sources.words.push_back(where);
      if (auto v = read(where)) {
        caller.set(r, *v, std::move(where_sources));
      } else {
        caller.sources[r] = std::move(where_sources);
        if (r == kRegRa) {
          answer.add(caller.sources[r]);
          ok = false;
        }
      }
    }
    free(frame);
    if (!ok || !caller.known[kRegRa] || caller.value[kRegRa] == 0) {
      answer.add(caller.sources[kRegRa]);
      return done(fallback);
    }
    caller.set(kRegRsp, cfa, cfa_sources);
    regs = caller;
  }
  return done(fallback);
}

}  // namespace ipcgrade::tracer
