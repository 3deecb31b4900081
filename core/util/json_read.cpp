// Strict JSON reading (see json_read.h): a SAX handler that builds the document itself so
// it can see every key (duplicates) and the field path where the parser stopped.
#include "core/util/json_read.h"
#include <set>
#include <vector>
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

namespace {

using nlohmann::json;

std::string position_text(std::string_view text, size_t byte) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

class StrictSax : public nlohmann::json_sax<json> {
 public:
  json root;
  std::string error_path, error_token, error_what, duplicate;
  size_t error_byte = 0;
  bool overflow = false;

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t&) override { return put(json(nullptr)); }  // not produced by the text parser
  bool start_object(size_t) override { return open(json::object(), false); }
  bool start_array(size_t) override { return open(json::array(), true); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second) {
      f.key = k;
      duplicate = path();
      return false;  // stops the parse; json_parse reports it
    }
    f.key = std::move(k);
    return true;
  }
  bool parse_error(size_t position, const std::string& last_token, const nlohmann::detail::exception& ex) override {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;  // the rejected value's slot
    error_path = path();
    error_byte = position;
    error_token = last_token;
    error_what = ex.what();
    overflow = ex.id == 406;  // out_of_range.406: number overflow
    return false;
  }

 private:
  struct Frame {
    json* node;
    bool array;
    int64_t index = -1;
    std::string key;
    std::set<std::string> keys;
  };
  std::vector<Frame> frames_;

  std::string path() const {
    std::string p;
    for (const Frame& f : frames_) {
      if (f.array) p += "[" + std::to_string(f.index) + "]";
      else p += (p.empty() ? "" : ".") + f.key;
    }
    return p;
  }
  json* place(json&& v) {
    if (frames_.empty()) {
      root = std::move(v);
      return &root;
    }
    Frame& f = frames_.back();
    if (f.array) {
      ++f.index;
      f.node->push_back(std::move(v));
      return &f.node->back();
    }
    json& slot = (*f.node)[f.key];
    slot = std::move(v);
    return &slot;
  }
  bool put(json&& v) {
    place(std::move(v));
    return true;
  }
  bool open(json&& v, bool array) {
    json* node = place(std::move(v));
    frames_.push_back(Frame{node, array, -1, "", {}});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }
};

}  // namespace

namespace {

std::string words(std::string s) {
  // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
  if (s.rfind("[json.exception.", 0) == 0) {
    const size_t close = s.find("] ");
    if (close != std::string::npos) s = s.substr(close + 2);
    const size_t col = s.find("column ");
    const size_t colon = col == std::string::npos ? std::string::npos : s.find(": ", col);
    if (s.rfind("parse error", 0) == 0 && colon != std::string::npos) s = s.substr(colon + 2);
  }
  // The lexer appends "; last read: '<raw bytes>'" (then maybe "; expected ..."): drop the bytes.
  const size_t lr = s.find("; last read: '");
  if (lr != std::string::npos) {
    const size_t exp = s.rfind("'; expected ");
    s = s.substr(0, lr) + (exp != std::string::npos && exp > lr ? s.substr(exp + 1) : "");
  }
  if (s.rfind("syntax error while parsing value - ", 0) == 0) s = s.substr(35);
  if (s.find("unexpected end of input") != std::string::npos) s += " (the file ends early: truncated?)";
  if (s.find("ill-formed UTF-8") != std::string::npos) s += " (the file holds bytes that are not UTF-8 text)";
  return s;
}

}  // namespace

std::string json_error_words(const std::exception& e) { return words(e.what()); }

json json_parse(std::string_view text, const std::string& where) {
  StrictSax sax;
  const bool ok = json::sax_parse(text.begin(), text.end(), &sax);
  const std::string at = where.empty() ? "(JSON)" : where;
  if (!sax.duplicate.empty())
    fail(at + ": " + sax.duplicate, "appears twice (duplicate key; each key may appear once)");
  if (sax.overflow)
    fail(at + ": " + (sax.error_path.empty() ? "(top level)" : sax.error_path),
         "number " + sax.error_token + " at " + position_text(text, sax.error_byte > 0 ? sax.error_byte - 1 : 0) +
             " does not fit a double (JSON has no inf or NaN)");
  if (!ok) {
    fail(at, "malformed JSON at " + position_text(text, sax.error_byte > 0 ? sax.error_byte - 1 : 0) + ": " +
                 words(sax.error_what));
  }
  return std::move(sax.root);
}

json json_load(const std::string& path) { return json_parse(read_file(path), path); }

}  // namespace zs
