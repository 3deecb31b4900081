#!/usr/bin/env python3
"""Extra golden data for zoscope's tokenizers (tests/llm/test_text_tokenizers.cpp).

Provenance: every id here comes from the reference stack, never from zoscope:
HF `tokenizers` (0.23.x), `transformers` (5.17.0) and `sentencepiece` (0.2.2), applied to
the fixtures in tests/data/fixtures/tok-bpe and tok-spm (see their README) and to small
variants of them written here. Run from the repository root:

    PYTHONPATH=<dir with sentencepiece 0.2.2> .venv/bin/python tests/data/tokenizers/make_golden.py

Outputs (all under tests/data/tokenizers/):
  bpe_extra.json         tok-bpe on tricky text (Unicode classes, whitespace, specials)
  bpe_unicode_classes.json  how the GPT-2 split regex classes every code point (probes below)
  <variant>/tokenizer.json + golden.json  tokenizer.json variants (see VARIANTS)
  opt-style/             vocab.json + merges.txt + tokenizer_config.json as OPT ships them;
                         golden ids from transformers' AutoTokenizer with special tokens
  trained-2k/            a 2000-token byte-level BPE trained here on seeded synthetic English
                         (tokenizer.json and vocab.json + merges.txt) with long golden texts
  spm_extra.json         tok-spm on its fixture texts and the texts above, with its decode
"""
import copy
import json
import os
import random
import shutil

import sentencepiece
import tokenizers
import transformers
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
BPE_JSON = os.path.join(FIX, "tok-bpe", "tokenizer.json")

TEXTS = [
    "Hello world", "  two leading", "trailing  ", "\n\nnew\n\n", "a\r\nb", " \t \n x", "x   ", "   ", " ",
    "don't I'd you'RE 'S 's 'll've '' O'Neil's", "e\u0301 caf\u00e9 CAF\u00c9", "\u216b \u00bd \u00b2 \u0663\u0664 \uff14\uff12",
    "\u0939\u093f\u0928\u094d\u0926\u0940", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u0e44\u0e17\u0e22",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001f1eb\U0001f1f7 \U0001f44d\U0001f3fd",
    "</s>", "<s>hello</s>", "a<pad><pad>b", "x <unk> y", "<s", "</s >", "<<s>>",
    "a\u00a0b", "a\u0085b", "x\u2028y", "x\u3000\u3000y", "a \u00a0 b", " \u00a0", "\u200b zero width",
    "tab\tafter", "12345678901234567890", "3.14159 1,000,000 -42", "a" * 300, "supercalifragilistic" * 20,
    "\x00\x01 control\x7f", "\U0010ffff", "\ufffd", "The film was great! The film was great!",
    "I like it.\n\nIt's fine.  Really?!  ...", "\u00ff\u0100\u0120", "\u0120\u0121 ",
]
SPECIAL_TEXTS = ["<|begin_of_text|>Hi there", "x<|end_of_text|>", "<|begin_of_text|><|begin_of_text|>"]

LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def dump(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def golden(tok, texts):
    out = []
    for t in texts:
        ids = tok.encode(t, add_special_tokens=False).ids
        out.append({"text": t, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False)})
    return {"tests": out}


def write_variant(name, doc, texts):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    dump(os.path.join(d, "tokenizer.json"), doc)
    tok = Tokenizer.from_str(json.dumps(doc))
    dump(os.path.join(d, "golden.json"), golden(tok, texts))


def base_doc():
    with open(BPE_JSON, encoding="utf-8") as f:
        return json.load(f)


def added(id_, content):
    return {"id": id_, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def variants():
    # LLaMA-3 style: Split with its regex, then ByteLevel without regex; ignore_merges.
    doc = base_doc()
    doc["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": LLAMA3_REGEX}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
    doc["model"]["ignore_merges"] = True
    n = len(doc["model"]["vocab"])
    doc["added_tokens"] += [added(n, "<|begin_of_text|>"), added(n + 1, "<|end_of_text|>")]
    write_variant("llama3-style", doc, TEXTS + SPECIAL_TEXTS)

    # ByteLevel with add_prefix_space (every text segment gets a leading space).
    doc = base_doc()
    doc["pre_tokenizer"]["add_prefix_space"] = True
    write_variant("prefix-space", doc, TEXTS)

    # Split "Removed" on single spaces, then ByteLevel prefixing each piece, merges as pairs.
    doc = base_doc()
    doc["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"String": " "}, "behavior": "Removed", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}]}
    doc["model"]["merges"] = [m.split(" ") if isinstance(m, str) else m for m in doc["model"]["merges"]]
    write_variant("split-removed", doc, TEXTS)

    # Added tokens with lstrip, rstrip, single_word, and a normalized (second-pass) one.
    doc = base_doc()
    n = len(doc["model"]["vocab"])
    opts = [("<mask>", dict(lstrip=True)), ("[R]", dict(rstrip=True)), ("word", dict(single_word=True)),
            ("xyz", dict(normalized=True, special=False)), ("<mask>x", dict(normalized=True, special=False))]
    for i, (content, o) in enumerate(opts):
        t = added(n + i, content)
        t.update(o)
        doc["added_tokens"].append(t)
    write_variant("added-options", doc, TEXTS + [
        "a <mask> b", "a  \t<mask>b", "<mask><mask>", " <mask>", "[R]  x", "x[R]\t\ty [R]", "word words sword word.",
        "word", "éword wordé 1word word_", "xyz xyzxyz", "<mask>xyz", "a<mask>x b", "</s>  <mask>"])

    # A merge listed twice: HF keeps the later rank.
    doc = base_doc()
    doc["model"]["merges"].append(doc["model"]["merges"][0])
    write_variant("duplicate-merge", doc, TEXTS + ["The film", "there"])

    # A tiny BPE trained without the full byte alphabet: unseen characters go to unk,
    # fused unk, dropped (no unk token) or <0xXX> byte fallback.
    tiny = Tokenizer(models.BPE(unk_token="<unk>"))
    tiny.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=80, special_tokens=["<unk>"], show_progress=False)
    corpus = ["the film was great", "the film was bad", "a great film", "it was a bad film"] * 10
    tiny.train_from_iterator(corpus, trainer)
    tdoc = json.loads(tiny.to_str())
    texts = TEXTS + ["the film was great", "zzz qqq", "great!!", "the  film"]
    write_variant("tiny-unk", tdoc, texts)
    doc = copy.deepcopy(tdoc)
    doc["model"]["fuse_unk"] = True
    write_variant("tiny-fuse-unk", doc, texts)
    doc = copy.deepcopy(tdoc)
    doc["model"]["unk_token"] = None
    write_variant("tiny-no-unk", doc, texts)
    doc = copy.deepcopy(tdoc)
    doc["model"]["byte_fallback"] = True
    n = max(doc["model"]["vocab"].values()) + 1
    for b in range(256):
        doc["model"]["vocab"]["<0x%02X>" % b] = n + b
    write_variant("tiny-byte-fallback", doc, texts)


WORDS = ("the a an of to and in is was it that for on with as at by this film movie story actor plot "
         "great good bad terrible boring brilliant not never hardly very really quite rather too so "
         "i you he she we they it's don't isn't wasn't can't won't I'm we're they've you'll he'd "
         "watch watched watching love loved hate hated enjoy enjoyed think thought feel felt seem seemed "
         "director music scene scenes ending beginning character characters dialogue performance camera "
         "minutes hours year years 1999 2024 42 3.5 100% $12 #1 e-mail well-known co-star naïve café "
         "über résumé Zürich 東京 映画 😀 🎬").split()


def synthetic_english(seed, n_chars):
    rng = random.Random(seed)
    out, n = [], 0
    while n < n_chars:
        k = rng.randint(4, 18)
        # One word in five is a pseudo-word, so the vocabulary fills with sub-word merges.
        words = [rng.choice(WORDS) if rng.random() < 0.8 else
                 "".join(rng.choice("etaoinshrdlcumwfgypbvk") for _ in range(rng.randint(3, 9)))
                 for _ in range(k)]
        words[0] = words[0].capitalize()
        s = " ".join(words) + rng.choice([".", "!", "?", "...", ",", ";", ":"])
        s += rng.choice([" ", " ", " ", "  ", "\n", "\n\n", "\t"])
        out.append(s)
        n += len(s)
    return "".join(out)[:n_chars]


def trained_2k():
    d = os.path.join(HERE, "trained-2k")
    os.makedirs(d, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=2000, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>"], show_progress=False)
    tok.train_from_iterator([synthetic_english(1, 300000)], trainer)
    tok.save(os.path.join(d, "tokenizer.json"))
    tok.model.save(d)
    texts = [synthetic_english(2, 12000), synthetic_english(3, 12000), synthetic_english(4, 200)]
    with open(os.path.join(d, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden(tok, texts), f, ensure_ascii=False)
        f.write("\n")


def opt_style():
    d = os.path.join(HERE, "opt-style")
    os.makedirs(d, exist_ok=True)
    for f in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(FIX, "tok-bpe", f), os.path.join(d, f))
    cfg = {"tokenizer_class": "GPT2Tokenizer", "add_bos_token": True, "add_prefix_space": False,
           "bos_token": "</s>",
           "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>", "model_max_length": 1000000}
    dump(os.path.join(d, "tokenizer_config.json"), cfg)
    tok = transformers.AutoTokenizer.from_pretrained(d)
    out = []
    for t in TEXTS[:20]:
        out.append({"text": t, "ids": tok(t)["input_ids"]})
    dump(os.path.join(d, "golden.json"), {"tests": out, "bos_id": tok.bos_token_id, "eos_id": tok.eos_token_id,
                                          "pad_id": tok.pad_token_id, "unk_id": tok.unk_token_id})


def unicode_classes():
    # Probes per code point c: P1 = "1" + c + "a" and P2 = c + "!". The class of c is the
    # end offsets (in characters) of the pieces of P1, then of P2: "1,3/2" is a letter
    # (pieces 1 | ca, c!), "2,3/2" a number, "1,2,3/2" other, "1,2,3/1,2" whitespace.
    # Stored as [first, last, class] ranges; surrogates are skipped.
    pre = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)

    def ends(s):
        return ",".join(str(e) for _, (_, e) in pre.pre_tokenize_str(s))

    ranges = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        k = ends("1" + c + "a") + "/" + ends(c + "!")
        if ranges and ranges[-1][2] == k and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp, k])
    with open(os.path.join(HERE, "bpe_unicode_classes.json"), "w") as f:
        f.write('{"probes": "P1 = 1 c a, P2 = c !; class = piece end offsets of P1 / of P2", "ranges": [\n')
        f.write(",\n".join(json.dumps(r) for r in ranges))
        f.write("\n]}\n")


def spm_extra():
    sp = sentencepiece.SentencePieceProcessor(model_file=os.path.join(FIX, "tok-spm", "spm.model"))
    with open(os.path.join(FIX, "tok-spm", "golden.json"), encoding="utf-8") as f:
        fixture_texts = [c["text"] for c in json.load(f)["tests"]]
    texts = fixture_texts + TEXTS + SPECIAL_TEXTS
    out = [{"text": t, "ids": sp.encode(t), "decoded": sp.decode(sp.encode(t))} for t in texts]
    dump(os.path.join(HERE, "spm_extra.json"), {"tests": out, "bos_id": sp.bos_id(), "eos_id": sp.eos_id(),
                                                "pad_id": sp.pad_id(), "unk_id": sp.unk_id()})


def main():
    dump(os.path.join(HERE, "versions.json"), {"tokenizers": tokenizers.__version__,
                                               "transformers": transformers.__version__,
                                               "sentencepiece": sentencepiece.__version__})
    dump(os.path.join(HERE, "bpe_extra.json"), golden(Tokenizer.from_file(BPE_JSON), TEXTS))
    variants()
    trained_2k()
    opt_style()
    spm_extra()
    unicode_classes()


if __name__ == "__main__":
    main()
