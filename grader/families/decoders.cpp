// The decoders' dispatch: each row of the call table to its family's decoder, by name, once.
#include <stdexcept>
#include <vector>

#include "grader/families/decoders.hpp"
#include "grader/families/family.hpp"

namespace ipcgrade::families {

namespace {

std::vector<const Decoder*> make_dispatch() {
  std::vector<const Decoder*> by_nr;
  for (const Family* family : all_families()) {
    for (const auto& d : family->decoders()) {
      const trace::CallRow* row = trace::call_row(d.call);
      // A decoder for a call the table does not hold would never run: a mistake worth stopping at.
      if (!row)
        throw std::logic_error("decoder for a call the call table does not hold: " + std::string(d.call));
      if (row->nr >= static_cast<int>(by_nr.size())) by_nr.resize(static_cast<size_t>(row->nr) + 1);
      by_nr[static_cast<size_t>(row->nr)] = &d;
    }
  }
  return by_nr;
}

}  // namespace

const Decoder* decoder_for(int nr) {
  static const std::vector<const Decoder*> dispatch = make_dispatch();
  return nr >= 0 && static_cast<size_t>(nr) < dispatch.size() ? dispatch[static_cast<size_t>(nr)] : nullptr;
}

bool decode_entry(DecodeContext& ctx, int nr, const Registers& args, trace::Event& e) {
  const Decoder* d = decoder_for(nr);
  const trace::CallRow* row = trace::call_row(nr);
  if (!d || !row) return false;
  e.call = row->name;
  const bool asked = d->entry(ctx, args, e);
  if (e.call.empty()) return false;  // nothing to record
  return row->exit == trace::Exit::Always || (row->exit == trace::Exit::IfDecoded && asked);
}

void decode_exit(DecodeContext& ctx, int nr, const Registers& args, long rval, bool is_error,
                 trace::Event& e) {
  if (is_error) {
    e.error = static_cast<int>(-rval);
    e.result = -1;
    if (const Decoder* d = decoder_for(nr); d && d->failed) d->failed(ctx, args, rval, e);
    return;
  }
  e.result = rval;
  if (const Decoder* d = decoder_for(nr); d && d->exit) d->exit(ctx, args, rval, e);
}

}  // namespace ipcgrade::families
