namespace Grid.Silo.Diagnostics;

/// <summary>The runtime's System.Diagnostics.Metrics instruments (tasks, actors, scheduling, resources), one meter per node, every measurement tagged with the node.</summary>
internal sealed class GridMetrics
{
    /// <summary>The meter's name (exporters subscribe to it, and to the object store's "Grid.ObjectStore").</summary>
    public const string MeterName = "Grid.Runtime";
}
