// Tokenizer files through tokenizer_load, as a user's folder would give them. The target's
// name picks the format (one binary per format, each with its own corpus):
//   ZS_FUZZ_TOK 0: tokenizer.json   1: vocab.json + merges.txt (split at "\n---\n")
//               2: SentencePiece model (tokenizer.model)
// An accepted tokenizer must encode and decode a fixed text.
#include <filesystem>
#include "core/llm/text/tokenizer.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  static const std::string dir = [] {
    const std::string d = zs::fuzz::scratch() + "/tok";
    std::filesystem::create_directories(d);
    return d;
  }();
  std::string path;
#if ZS_FUZZ_TOK == 0
  path = zs::fuzz::put("tok/tokenizer.json", in);
#elif ZS_FUZZ_TOK == 1
  const auto [vocab, merges] = zs::fuzz::split2(in);
  zs::fuzz::put("tok/vocab.json", vocab);
  zs::fuzz::put("tok/merges.txt", merges);
  path = dir + "/vocab.json";
#else
  path = zs::fuzz::put("tok/tokenizer.model", in);
#endif
  zs::fuzz::expect_ok_or_error([&] {
    const auto tok = zs::tokenizer_load(path);
    const std::vector<int32_t> ids = tok->encode("Hello world, it's a test: 123 \xc3\xa9t\xc3\xa9!");
    for (int32_t id : ids)
      if (id < 0 || id >= tok->vocab_size()) std::abort();
    (void)tok->decode(ids);
  });
  return 0;
}
