"""End to end through `newsflow run`: every bad input or fault we know of."""
