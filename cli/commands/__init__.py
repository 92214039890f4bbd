"""The command layer: options, batches and the mapping of errors to exit codes."""
