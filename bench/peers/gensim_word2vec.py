"""gensim's Word2Vec with the sgns recipe's settings, timed, then evaluated on the analogies.

Skip-gram with negative sampling as `kiln-word2vec train --recipe sgns` (docs/word2vec.md):
sg=1, negative=5, window=5, sample=1e-4, vector_size=128, min_count=5, alpha 0.025 decaying
linearly, sentences of 1,000 words of text8 (word2vec.c's MAX_SENTENCE_LENGTH), --workers
threads. words/s counts the corpus words read (subsampled ones included, as word2vec.c and
Kiln count them): epochs x corpus tokens / training seconds; building the vocabulary is not
timed. The analogy accuracy is gensim's evaluate_word_analogies over the 30,000 most frequent
words (word2vec's compute-accuracy), of the questions seen. With --vectors FILE it evaluates
FILE (word2vec text format, e.g. fastText's .vec) instead of training. Prints one JSON object.

  python3 bench/peers/gensim_word2vec.py ../shared/data/text8-head.txt \
      --questions ../shared/data/questions-words.txt --epochs 1 --workers 2
"""
import argparse
import json
import logging
import time

import gensim
from gensim.models import KeyedVectors, Word2Vec
from gensim.models.word2vec import Text8Corpus


def analogies(wv, questions):
    """(accuracy over the questions seen, seen, total) as word2vec's compute-accuracy."""
    score, sections = wv.evaluate_word_analogies(questions, restrict_vocab=30000)
    total = next(s for s in sections if s["section"] == "Total accuracy")
    seen = len(total["correct"]) + len(total["incorrect"])
    return score, seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="path to text8-head.txt")
    parser.add_argument("--questions", required=True, help="questions-words.txt")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vectors", help="evaluate these vectors instead of training")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = {"gensim": gensim.__version__}
    if args.vectors:
        wv = KeyedVectors.load_word2vec_format(args.vectors, binary=False)
    else:
        sentences = Text8Corpus(args.corpus, max_sentence_length=1000)
        model = Word2Vec(sg=1, negative=5, hs=0, window=5, sample=1e-4, vector_size=128,
                         min_count=5, alpha=0.025, min_alpha=0.025 * 1e-4,
                         workers=args.workers, seed=args.seed)
        model.build_vocab(sentences)
        start = time.perf_counter()
        model.train(sentences, total_examples=model.corpus_count, epochs=args.epochs)
        seconds = time.perf_counter() - start
        words = model.corpus_total_words * args.epochs
        result.update(seconds=seconds, words=words, words_per_second=words / seconds,
                      epochs=args.epochs, workers=args.workers, seed=args.seed,
                      vocabulary_size=len(model.wv))
        wv = model.wv
    accuracy, seen = analogies(wv, args.questions)
    result.update(analogy_accuracy=accuracy, analogies_seen=seen)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
