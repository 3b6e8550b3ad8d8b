"""`pevm analyze`: how much parallelism a block has, and what Block-STM would make of it.

`profile` runs the block sequentially, timing each transaction and keeping the read and write
sets the journal records, then replays it through multi-version memory to time what a worker
pays per execution, record and validation. `dag` turns the read/write sets into the true
dependency DAG (lazy balance deltas make no edge unless read), `simulate` runs a discrete-event
model of our scheduler (the real `Scheduler` object, driven on a simulated clock), `measure`
runs the real parallel executor, and `report` prints and writes the results.
"""
