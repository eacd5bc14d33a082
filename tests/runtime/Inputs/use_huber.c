/* A C program using the typed API kiln-compile --emit=lib generates (tests/runtime/compile-run.test):
 * predictions for two birth rates from a checkpoint, then a failing restore. */
#include <stdio.h>

#include "huber.h"

int main(int argc, char** argv) {
  char error[512];
  huber_model* model = NULL;
  if (argc < 2) return 2;
  if (huber_create(&model, error, sizeof error) != 0) {
    printf("create: %s\n", error);
    return 1;
  }
  if (huber_restore(model, argv[1], error, sizeof error) != 0) {
    printf("restore: %s\n", error);
    return 1;
  }
  const float x[2] = {1.8f, 3.9f};
  float y[2];
  if (huber_predict(model, 2, x, y, error, sizeof error) != 0) {
    printf("predict: %s\n", error);
    return 1;
  }
  printf("%g %g\n", y[0], y[1]);
  if (huber_restore(model, "missing.kckpt", error, sizeof error) != 0) printf("restore: %s\n", error);
  huber_free(model);
  return 0;
}
