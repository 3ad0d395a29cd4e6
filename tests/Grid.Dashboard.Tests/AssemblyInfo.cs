// Clusters of silos and browsers are heavy on 2 cores: test classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
