using Grid.Wire;

namespace Grid.Silo.Tasks;

/// <summary>
/// Where user code ran ("task f on node n"), for the error it may raise. A struct formatted only
/// when an error is built: the string per task and per actor call was pure garbage on success.
/// </summary>
internal readonly struct FailureOrigin(string kind, string name, NodeId node)
{
    public FailureOrigin(TaskSpec spec, NodeId node) : this("task", spec.DisplayName, node) { }

    public override string ToString() => $"{kind} {name} on node {node}";
}
