#pragma once
#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "grader/trace/value_name.hpp"

namespace ipcgrade::trace {

// An event's values (or texts) by name: a small map kept sorted by ValueName, so that it iterates in
// the names' order as the trace file writes them. Every key is a ValueName, so a lookup or a write
// with a name no event has does not build.
template <typename T>
class Named {
 public:
  using Item = std::pair<ValueName, T>;
  using const_iterator = typename std::vector<Item>::const_iterator;

  // One `{name, value}` of an initializer list: the value converted as a map's would be.
  struct Entry {
    template <typename V>
    Entry(ValueName n, V&& v) : name(n), value(static_cast<T>(std::forward<V>(v))) {}  // NOLINT
    ValueName name;
    T value;
  };

  Named() = default;
  Named(std::initializer_list<Entry> entries) {  // NOLINT: `e.values = {{"key", 1}}`
    for (const auto& entry : entries) (*this)[entry.name] = entry.value;
  }

  T& operator[](ValueName name) {
    auto it = lower(name);
    if (it == items_.end() || it->first != name) it = items_.insert(it, {name, T{}});
    return it->second;
  }
  const_iterator find(ValueName name) const {
    const auto it = lower(name);
    return it != items_.end() && it->first == name ? it : items_.end();
  }
  size_t count(ValueName name) const { return find(name) != end() ? 1 : 0; }
  const T& at(ValueName name) const {
    const auto it = find(name);
    if (it == end()) throw std::out_of_range("no value " + std::string(name.str()));
    return it->second;
  }
  void erase(ValueName name) {
    if (const auto it = find(name); it != end()) items_.erase(it);
  }

  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  bool operator==(const Named&) const = default;

 private:
  auto lower(ValueName name) {
    return std::lower_bound(items_.begin(), items_.end(), name,
                            [](const Item& item, ValueName n) { return item.first < n; });
  }
  auto lower(ValueName name) const {
    return std::lower_bound(items_.begin(), items_.end(), name,
                            [](const Item& item, ValueName n) { return item.first < n; });
  }
  std::vector<Item> items_;
};

// As a JSON object by name. Reading a name no event has is an error that names it.
template <typename T>
void to_json(nlohmann::json& j, const Named<T>& named) {
  j = nlohmann::json::object();
  for (const auto& [name, value] : named) j[std::string(name.str())] = value;
}
template <typename T>
void from_json(const nlohmann::json& j, Named<T>& named) {
  for (const auto& [key, item] : j.items()) {
    const auto name = ValueName::parse(key);
    if (!name)
      throw nlohmann::json::other_error::create(501, "an event has no value named '" + key + "'", &j);
    named[*name] = item.template get<T>();
  }
}

}  // namespace ipcgrade::trace
