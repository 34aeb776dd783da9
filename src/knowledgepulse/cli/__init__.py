"""The `kp` command-line interface."""
