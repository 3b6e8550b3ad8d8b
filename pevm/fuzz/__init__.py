"""Differential fuzzing: generated programs, pre-states, transactions and conflict blocks, checked
by two oracles (parallel == sequential, pevm == the executable specification), with shrunk
divergences written as GeneralStateTests reproducers (`pevm fuzz`)."""
