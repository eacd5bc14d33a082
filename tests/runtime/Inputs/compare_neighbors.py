"""Compares the neighbours a compiled word2vec neighbors function answered (kiln-run or a
standalone executable, --json) with `kiln-word2vec neighbors --json` (an independent C++
implementation): the same words in the same order, similarities within 1e-5.

  compare_neighbors.py EXE.json EVAL.json WORD...
"""
import json
import sys


def main():
    exe = json.load(open(sys.argv[1]))["outputs"]
    reference = json.load(open(sys.argv[2]))["neighbors"]
    words = sys.argv[3:]
    k = exe["neighbors"]["shape"][1]
    assert exe["neighbors"]["shape"] == [len(words), k], exe["neighbors"]["shape"]
    for row, word in enumerate(words):
        got = exe["neighbors"]["words"][row * k:(row + 1) * k]
        sims = exe["similarity"]["values"][row * k:(row + 1) * k]
        want = [n["word"] for n in reference[word]]
        if got != want:
            sys.exit(f"{word}: compiled {got} != kiln-word2vec neighbors {want}")
        for g, n in zip(sims, reference[word]):
            if abs(g - n["similarity"]) > 1e-5:
                sys.exit(f"{word}: similarity of {n['word']}: {g} != {n['similarity']}")
    print(f"{len(words)} words x {k} neighbours match")


if __name__ == "__main__":
    main()
