using Grid.Wire;

namespace Grid.Silo.Execution;

/// <summary>
/// Where user code ran ("task f on node n"), for the error it may raise. A struct formatted only
/// when an error is built: the string per task and per actor call was pure garbage on success.
/// </summary>
internal readonly struct FailureOrigin(string kind, string name, NodeId node, ActorId? actor = null)
{
    public FailureOrigin(TaskSpec spec, NodeId node) : this("task", spec.DisplayName, node) { }

    /// <summary>"actor a method m on node n".</summary>
    public FailureOrigin(ActorId actor, string method, NodeId node) : this("actor", method, node, actor) { }

    /// <summary>The task's or method's name.</summary>
    public string Name => name;

    public override string ToString() => actor is { } a ? $"{kind} {a} method {name} on node {node}" : $"{kind} {name} on node {node}";
}
