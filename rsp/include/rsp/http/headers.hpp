#pragma once
// HTTP header fields as the server and the client exchange them: names compare without case
// (RFC 9110 §5.1), order and repeats are kept.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rsp::http {

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<Field> fields) : fields_(fields) {}

  // The first field of that name, if any.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  // Replaces every field of that name by one.
  void set(std::string name, std::string value);
  // Appends a field, keeping those of the same name.
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  void remove(std::string_view name);

  const std::vector<Field>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

bool same_header_name(std::string_view a, std::string_view b);

}  // namespace rsp::http
