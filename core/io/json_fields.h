// Shared pieces of the JSON file validators (experiment files, fine-tuning specs): the
// "file: field" context of a one-line error, JSON type names, unknown-field checks.
#pragma once
#include <initializer_list>
#include <string>
#include <nlohmann/json.hpp>
#include "core/util/error.h"

namespace zs::json_fields {

// Where an error is: "file: field.path" (or the field path alone for text without a file).
struct Ctx {
  std::string file;
  std::string at(const std::string& field) const { return file.empty() ? field : file + ": " + field; }
};

inline std::string type_name(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::object: return "an object";
    default: return "a number";
  }
}

// Fails on the first key of `obj` not in `known`, naming it and the known ones.
inline void check_keys(const Ctx& c, const nlohmann::json& obj, const std::string& path,
                       std::initializer_list<const char*> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (ok) continue;
    std::string names;
    for (const char* k : known) names += (names.empty() ? "" : ", ") + std::string(k);
    fail(c.at(path + (path.empty() ? "" : ".") + it.key()), "unknown field (known: " + names + ")");
  }
}

// The member `key` of `obj`, or nullptr.
inline const nlohmann::json* get(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

}  // namespace zs::json_fields
