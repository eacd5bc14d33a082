// A linear model with one variable update, for the CUDA artifact tests.
func.func @predict(%x: tensor<8xf32> {kiln.name = "x"}, %w: tensor<f32> {kiln.variable = "model/w"})
    -> (tensor<8xf32> {kiln.name = "y"}) {
  %wb = kiln.broadcast_to %w : tensor<f32> to tensor<8xf32>
  %y = kiln.mul %x, %wb : tensor<8xf32>
  return %y : tensor<8xf32>
}

func.func @step(%x: tensor<8xf32> {kiln.name = "x"}, %w: tensor<f32> {kiln.variable = "model/w"})
    -> (tensor<f32> {kiln.variable = "model/w"}) {
  %s = kiln.reduce_sum %x {axes = array<i64: 0>} : tensor<8xf32> -> tensor<f32>
  %w2 = kiln.add %w, %s : tensor<f32>
  return %w2 : tensor<f32>
}
