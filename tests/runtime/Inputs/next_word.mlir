// A batched function over the CS20 word2vec variables (unused) whose input and first
// output hold vocabulary ids: the word after each word in the vocabulary's order.
func.func @next(%w: tensor<1xi64> {kiln.name = "word", kiln.vocabulary = "vocabulary"},
                %e: tensor<200x16xf32> {kiln.variable = "embed_matrix"},
                %n: tensor<200x16xf32> {kiln.variable = "nce_weight"},
                %b: tensor<200xf32> {kiln.variable = "nce_bias"})
    -> (tensor<1xi64> {kiln.name = "next", kiln.vocabulary = "vocabulary"}, tensor<1xi64> {kiln.name = "id"}) attributes {kiln.batched} {
  %one = kiln.constant dense<1> : tensor<1xi64>
  %x = kiln.add %w, %one : tensor<1xi64>
  return %x, %x : tensor<1xi64>, tensor<1xi64>
}
