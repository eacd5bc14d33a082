// Not a valid module: the returned value has the wrong type (tests/runtime/compile-run.test).
func.func @f(%x: tensor<2xf32>) -> tensor<3xf32> {
  return %x : tensor<2xf32>
}
