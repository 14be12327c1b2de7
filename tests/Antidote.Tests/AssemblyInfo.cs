// libtorch's RNG, grad mode and Console redirection are process-global: run tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
