#!/usr/bin/env python3
"""Reads a log directory's scalars with TensorBoard's own reader and prints them, one per line:
"<tag>\t<step>\t<value>". Used by kiln/viz/tensorboard_test.cpp to check that the event files
Kiln writes by hand are what TensorBoard expects. Exits 3, with an install hint, when the
tensorboard package is missing, so a test cannot pass without the real reader."""
import sys

try:
    from tensorboard.backend.event_processing import event_accumulator
except ImportError as error:
    sys.exit(f"read_tensorboard_scalars: cannot import tensorboard ({error}); install it with\n"
             f"  {sys.executable} -m pip install tensorboard")

if len(sys.argv) != 2:
    sys.exit("usage: read_tensorboard_scalars.py LOGDIR")

# size_guidance 0: keep every event; the default samples scalars down to 10,000 per tag.
accumulator = event_accumulator.EventAccumulator(
    sys.argv[1], size_guidance={event_accumulator.SCALARS: 0})
accumulator.Reload()
for tag in sorted(accumulator.Tags()["scalars"]):
    for event in accumulator.Scalars(tag):
        print(f"{tag}\t{event.step}\t{event.value!r}")
