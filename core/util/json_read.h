// Strict JSON reading for every file a user gives us (experiment files, fine-tuning specs,
// settings, config.json, tokenizer files, safetensors headers, checkpoints): one parser
// whose errors are one line in words, "FILE: malformed JSON at line L, column C: what",
// without nlohmann's exception ids or the raw bytes it last read. Duplicate object keys
// are errors (nlohmann keeps the last one silently; our schemas are strict), and a number
// that overflows a double (1e999: JSON cannot spell inf or NaN) names its field.
#pragma once
#include <exception>
#include <string>
#include <string_view>
#include <nlohmann/json.hpp>

namespace zs {

// Parses `text`; throws zs::Error("<where>: ...") naming the line, column and, for
// duplicate keys and overflowing numbers, the field path ("runs[0].label").
nlohmann::json json_parse(std::string_view text, const std::string& where);
// read_file + json_parse.
nlohmann::json json_load(const std::string& path);

// nlohmann's message without its "[json.exception.*]" id and the raw bytes it last read:
// what a user can act on (for nlohmann exceptions caught outside json_parse).
std::string json_error_words(const std::exception& e);

}  // namespace zs
