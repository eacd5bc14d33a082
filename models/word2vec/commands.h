// The evaluation and export subcommands of kiln-word2vec (eval, neighbors, export), as
// functions the command line dispatches to and tests call in-process. They are implemented
// in models/word2vec_eval/ (library kiln_word2vec_eval).
//
// Each takes the subcommand's arguments with argv[0] the subcommand name ("eval",
// "neighbors", "export"), writes results to `out` and diagnostics to `err`, and returns
//   0  success
//   1  bad input, named: a missing or malformed checkpoint, run directory, analogy or
//      similarity file (file:line), words that are all unknown, an unwritable output
//   2  usage: an unknown flag or a bad flag value
// With --json, `out` receives exactly one JSON object and nothing else.
//
// A run is named by a checkpoint file (FILE.kckpt) or by a run directory DIR, whose text file
// DIR/checkpoint names its latest checkpoint (TensorFlow style). The checkpoint provides
// "embed_matrix" f32[V, D] and its metadata "vocabulary" (kiln::data::Vocabulary::serialize).
#pragma once

#include <iosfwd>

namespace word2vec {

// kiln-word2vec eval DIR|FILE.kckpt --analogies questions-words.txt
//                    [--similarity wordsim353.tsv]... [--restrict 30000] [--json]
// Analogy accuracy with word2vec compute-accuracy's semantics, per section and overall
// (semantic: the first five sections, syntactic: the rest), and the Spearman rank correlation
// of cosine similarity with human scores for each similarity file.
int word2vec_eval(int argc, char** argv, std::ostream& out, std::ostream& err);

// kiln-word2vec neighbors DIR|FILE.kckpt word... [-k 10] [--json]
// The k nearest words of each word by cosine similarity; unknown words are reported, and
// the exit code is 1 when every word is unknown.
int word2vec_neighbors(int argc, char** argv, std::ostream& out, std::ostream& err);

// kiln-word2vec export DIR|FILE.kckpt --format word2vec-bin|word2vec-text|projector
//                      --out PATH [--limit N]
// word2vec-bin / word2vec-text: the formats of the original word2vec tool (gensim's
// KeyedVectors.load_word2vec_format reads both), all words unless --limit. projector: a
// directory PATH with vectors.tsv, metadata.tsv and projector_config.pbtxt for TensorBoard's
// embedding projector, the first 3,000 words unless --limit. Every file is written atomically.
int word2vec_export(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace word2vec
