#!/usr/bin/env python3
"""gensim's side of eval_test.cpp's cross-check: loads the vectors kiln-word2vec exported in
the word2vec text and binary formats with KeyedVectors.load_word2vec_format, checks that both
hold the same vectors, and evaluates them with gensim's own evaluate_word_analogies and
evaluate_word_pairs. Prints one JSON object for the test to compare with kiln-word2vec eval."""
import argparse
import json
import sys

try:
    import numpy as np
    from gensim.models import KeyedVectors
except ImportError as e:
    sys.exit(f"eval_crosscheck.py needs gensim ({e}); install it: python3 -m pip install gensim")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--text", required=True)
    p.add_argument("--binary", required=True)
    p.add_argument("--analogies", required=True)
    p.add_argument("--similarity", required=True)
    p.add_argument("--restrict", type=int, required=True)
    args = p.parse_args()

    text = KeyedVectors.load_word2vec_format(args.text, binary=False)
    binary = KeyedVectors.load_word2vec_format(args.binary, binary=True)
    if text.index_to_key != binary.index_to_key:
        sys.exit("the text and binary exports hold different words")
    if not np.array_equal(text.vectors, binary.vectors):
        sys.exit("the text and binary exports hold different vectors")

    # case_insensitive=True and the restriction are compute-accuracy's rules; gensim's
    # most_similar excludes a, b and c as compute-accuracy does.
    accuracy, sections = binary.evaluate_word_analogies(
        args.analogies, restrict_vocab=args.restrict, case_insensitive=True)
    per_section = [{"section": s["section"], "correct": len(s["correct"]),
                    "seen": len(s["correct"]) + len(s["incorrect"])}
                   for s in sections if s["section"] != "Total accuracy"]
    _, spearman, oov_percent = binary.evaluate_word_pairs(
        args.similarity, restrict_vocab=len(binary.index_to_key), case_insensitive=True)
    with open(args.similarity) as f:
        total_pairs = sum(1 for line in f if line.strip() and not line.startswith("#"))
    used = total_pairs - round(oov_percent / 100 * total_pairs)
    json.dump({"words": len(binary.index_to_key), "dim": binary.vector_size,
               "last_row": [float(v) for v in binary.vectors[-1]],
               "accuracy": accuracy, "sections": per_section,
               "spearman": float(spearman[0]), "pairs_used": used}, sys.stdout)


if __name__ == "__main__":
    main()
