"""`pevm bench`: the same workloads on pevm and its peers, each engine in its own process."""
