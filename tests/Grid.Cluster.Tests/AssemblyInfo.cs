// Each test class starts a multi-process cluster; on small machines two at once starve each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
