"""pevm subcommands, one module each."""
