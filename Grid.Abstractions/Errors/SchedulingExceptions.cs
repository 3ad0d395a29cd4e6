namespace Grid;

/// <summary>
/// The placement group that a task or actor was scheduled into was removed (or never existed):
/// work running in it was stopped and its resources returned. Create a new group to run it again.
/// </summary>
[GenerateSerializer]
public sealed class PlacementGroupRemovedException : GridException
{
    public PlacementGroupRemovedException(string message) : base(message) { }
}
