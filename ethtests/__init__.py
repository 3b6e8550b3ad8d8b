"""ethereum/tests and execution-spec-tests runners: fixture loading, running, reporting.

No EVM semantics live here: cases are translated into `interp` inputs and the results
compared with the fixtures' expectations.
"""
