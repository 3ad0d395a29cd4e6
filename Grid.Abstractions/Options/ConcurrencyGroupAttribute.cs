namespace Grid;

/// <summary>
/// Declares a concurrency group of an actor class (Ray's <c>concurrency_groups</c>): methods assigned to it (with
/// <c>[ActorMethod(ConcurrencyGroup = "io")]</c>, or per call with <see cref="ActorCallOptions.ConcurrencyGroup"/>) run
/// with their own limit, so a group whose methods are all busy or blocked holds up neither another group nor the
/// methods of the default group. <see cref="ActorOptions.ConcurrencyGroups"/> adds groups or changes a limit per actor.
/// </summary>
/// <example><c>[ConcurrencyGroup("io", 2)] [ConcurrencyGroup("compute", 4)] public sealed class Loader { … }</c></example>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = true)]
public sealed class ConcurrencyGroupAttribute(string name, int maxConcurrency) : Attribute
{
    /// <summary>The group's name, as methods and calls name it.</summary>
    public string Name { get; } = name;
    /// <summary>How many of the group's methods may be in progress at once (at least 1).</summary>
    public int MaxConcurrency { get; } = maxConcurrency;
}
