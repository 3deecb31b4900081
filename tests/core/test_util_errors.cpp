// The one-line error boundary (core/util/error.h error_line) for each exception kind, and
// the strict JSON reader (core/util/json_read.h): duplicate keys, numbers beyond a double,
// truncated and non-UTF-8 text, each one line in words naming the file and field.
#include <gtest/gtest.h>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_read.h"
#include "core/util/text_list.h"

namespace zs {
namespace {

std::string parse_error(const std::string& text, const std::string& where = "f.json") {
  try {
    json_parse(text, where);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string list_error(const std::string& text) {
  try {
    text_number_list(text, "--f");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Lists typed on a command line (--lr-factors, --param NAME=v1,v2, --runs A,B): an empty
// list or item is named with the exact text, never read as 0 (CLI11 read "" as 0).
TEST(TextList, EmptyListsAndItemsAreOneLineWithTheText) {
  EXPECT_EQ(text_number_list("1, 3,10 ", "--f"), (std::vector<double>{1, 3, 10}));
  EXPECT_EQ(text_list("a,b c", "--runs"), (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(text_list("1:2:log:3", "--p", ':').size(), 4u);
  EXPECT_EQ(list_error(""), "--f: got \"\", an empty list; expected items separated by ','");
  EXPECT_EQ(list_error("  "), "--f: got \"  \", an empty list; expected items separated by ','");
  EXPECT_EQ(list_error("1,,2"), "--f: got \"1,,2\": item 2 is empty; expected items separated by ','");
  EXPECT_EQ(list_error(",1"), "--f: got \",1\": item 1 is empty; expected items separated by ','");
  EXPECT_EQ(list_error("1, "), "--f: got \"1, \": item 2 is empty; expected items separated by ','");
  EXPECT_EQ(list_error("1,2x"), "--f: got \"1,2x\": item 2, \"2x\", is not a finite number");
  EXPECT_EQ(list_error("nan"), "--f: got \"nan\": item 1, \"nan\", is not a finite number");
  EXPECT_EQ(list_error("1,-inf"), "--f: got \"1,-inf\": item 2, \"-inf\", is not a finite number");
  EXPECT_EQ(list_error("1e999"), "--f: got \"1e999\": item 1, \"1e999\", is not a finite number");
  EXPECT_THROW(text_number("", "x"), Error);
  EXPECT_DOUBLE_EQ(text_number(" -2.5e-3 ", "x"), -2.5e-3);
}

TEST(JsonRead, ParsesLikeNlohmann) {
  const std::string text = R"({"a": [1, 2.5, {"b": null, "c": [true, "x"]}], "d": {}, "e": [], "u": 18446744073709551615})";
  EXPECT_EQ(json_parse(text, "f.json"), nlohmann::json::parse(text));
  EXPECT_EQ(json_parse("3", ""), nlohmann::json(3));
}

TEST(JsonRead, DuplicateKeysAreErrorsWithTheirPath) {
  EXPECT_EQ(parse_error(R"({"a": 1, "a": 2})"), "f.json: a: appears twice (duplicate key; each key may appear once)");
  EXPECT_EQ(parse_error(R"({"runs": [{"x": 1}, {"label": "p", "label": "q"}]})"),
            "f.json: runs[1].label: appears twice (duplicate key; each key may appear once)");
  EXPECT_EQ(parse_error(R"({"a": {"k": 1}, "b": {"k": 1}})"), "") << "the same key in two objects is fine";
}

TEST(JsonRead, OverflowingNumberNamesField) {
  EXPECT_EQ(parse_error("{\"x\": [1, 1e999]}"),
            "f.json: x[1]: number 1e999 at line 1, column 15 does not fit a double (JSON has no inf or NaN)");
}

TEST(JsonRead, MalformedTextInWordsWithoutRawBytes) {
  const std::string trunc = parse_error("{\"a\": [1, 2");
  EXPECT_EQ(trunc.rfind("f.json: malformed JSON at line 1, column ", 0), 0u) << trunc;
  EXPECT_NE(trunc.find("truncated"), std::string::npos) << trunc;
  const std::string utf = parse_error("{\"a\": \"\xff\xfe\"}");
  EXPECT_NE(utf.find("not UTF-8"), std::string::npos) << utf;
  EXPECT_EQ(utf.find("last read"), std::string::npos) << utf;
  EXPECT_EQ(utf.find('\xff'), std::string::npos) << "no raw bytes: " << utf;
  EXPECT_EQ(utf.find("json.exception"), std::string::npos) << utf;
  const std::string lit = parse_error("{\"a\": tru}");
  EXPECT_EQ(lit, "f.json: malformed JSON at line 1, column 10: invalid literal") << lit;
}

TEST(ErrorLine, OneLinePerKind) {
  EXPECT_EQ(error_line(Error("x.json: seed: bad\nvalue")), "x.json: seed: bad\\nvalue");
  EXPECT_EQ(error_line(std::bad_alloc()).rfind("out of memory", 0), 0u);
  const std::filesystem::filesystem_error fe("cannot create directories", std::filesystem::path("/ro/out"),
                                             std::make_error_code(std::errc::permission_denied));
  EXPECT_EQ(error_line(fe), "/ro/out: cannot create directories: Permission denied");
  try {
    const nlohmann::json bad = nlohmann::json::parse("{\"a\": \"\xff\"}");
    EXPECT_TRUE(bad.is_null());
    FAIL() << "nlohmann accepted bad UTF-8";
  } catch (const nlohmann::json::exception& e) {
    const std::string l = error_line(e);
    EXPECT_EQ(l.rfind("JSON: ", 0), 0u) << l;
    EXPECT_EQ(l.find("last read"), std::string::npos) << l;
    EXPECT_EQ(l.find("json.exception"), std::string::npos) << l;
  }
  try {
    (void)nlohmann::json::parse("[1]").at("k");
    FAIL();
  } catch (const nlohmann::json::exception& e) {
    EXPECT_EQ(error_line(e).rfind("JSON: ", 0), 0u) << error_line(e);
  }
  EXPECT_EQ(error_line(std::runtime_error("first\nframe #0: trace")), "first");
  // A 100 KB value quoted in a message (an unknown landscape id, a model path) was echoed
  // whole: the line keeps its start and end and says how much it left out.
  const std::string big = "x.json: landscape.id: unknown landscape \"" + std::string(100000, 'q') + "\" (known: a, b)";
  const std::string l = error_line(Error(big));
  EXPECT_LT(l.size(), 2100u);
  EXPECT_EQ(l.rfind("x.json: landscape.id: unknown landscape \"qqq", 0), 0u) << l.substr(0, 80);
  EXPECT_NE(l.find(" ... (98156 bytes left out) ... "), std::string::npos) << l.substr(1400, 200);
  EXPECT_EQ(l.substr(l.size() - 13), "(known: a, b)");
  const std::string ok(1900, 'k');
  EXPECT_EQ(error_line(Error(ok)), ok) << "a long but ordinary line is kept whole";
}

// checkpoint.json's "tensors" (and any other name read from a file) stays inside its folder.
TEST(PathInside, OnlyPlainFileNames) {
  EXPECT_EQ(path_inside("/r/run", "ckpt-4.safetensors", "c.json: tensors"), "/r/run/ckpt-4.safetensors");
  for (const std::string bad : {"../../../etc/passwd", "/etc/passwd", "a/b", "..", ".", "", "a\\b"}) {
    try {
      path_inside("/r/run", bad, "c.json: tensors");
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), "c.json: tensors: \"" + bad + "\" is not a plain file name inside /r/run");
    }
  }
}

}  // namespace
}  // namespace zs
