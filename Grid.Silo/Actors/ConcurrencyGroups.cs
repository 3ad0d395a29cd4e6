using System.Reflection;
using Grid.Wire;

namespace Grid.Silo.Actors;

/// <summary>
/// An actor's concurrency groups (Ray's <c>concurrency_groups</c>): the default group and the named ones, each with its
/// own <see cref="ActorRunner"/> and limit, so calls waiting in a full or blocked group hold up no other group. A call
/// runs in the group its call options name, else its method's (<c>[ActorMethod(ConcurrencyGroup = …)]</c>), else the
/// default. Ray's rule decides how a group runs: an async actor (a method returns Task or ValueTask) gives each group
/// an event loop of its own and defaults to 1000 calls in progress; another actor runs threads, 1 by default.
/// </summary>
internal sealed class ConcurrencyGroups
{
    /// <summary>Ray's default limit of an async actor's default group.</summary>
    public const int AsyncDefault = 1000;

    private readonly ActorRunner _default;
    private readonly Dictionary<string, ActorRunner>? _named;
    private readonly Func<ReadyCall, string, ObjectPayload> _unknown;

    /// <param name="actorClass">The actor's class: its async methods and declared groups.</param>
    /// <param name="unknown">The failure of a call naming a group the actor does not have (given the group's name).</param>
    public ConcurrencyGroups(Type actorClass, ActorCreationSpec spec, Func<ReadyCall, ValueTask<ObjectPayload>> run, Func<ReadyCall, string, ObjectPayload> unknown)
    {
        _unknown = unknown;
        _async = IsAsyncClass(actorClass);
        _default = NewRunner(spec.MaxConcurrency > 0 ? spec.MaxConcurrency : _async ? AsyncDefault : 1, run);
        var limits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var declared in actorClass.GetCustomAttributes<ConcurrencyGroupAttribute>(inherit: true))
            limits[declared.Name] = Math.Max(1, declared.MaxConcurrency);
        foreach (var (name, limit) in spec.ConcurrencyGroups ?? []) limits[name] = limit;
        if (limits.Count > 0) _named = limits.ToDictionary(g => g.Key, g => NewRunner(g.Value, run), StringComparer.Ordinal);
    }

    // Whether the actor is async (Ray's asyncio actor): its groups run on event loops.
    private readonly bool _async;

    // A group of limit 1 needs no loop: with one call in progress nothing interleaves, and the pool's workers cost less.
    private ActorRunner NewRunner(int limit, Func<ReadyCall, ValueTask<ObjectPayload>> run) =>
        new(limit, _async && limit > 1 ? ActorRunner.NewLoop() : null, run);

    /// <summary>Queues a ready call in its group; its task completes with its result (a failure for an unknown group).</summary>
    public Task<ObjectPayload> Enqueue(ReadyCall call)
    {
        var group = call.Spec.ConcurrencyGroup ?? call.Method.ActorMethod?.ConcurrencyGroup;
        if (group is null) return _default.Enqueue(call);
        if (_named is not null && _named.TryGetValue(group, out var runner)) return runner.Enqueue(call);
        call.Publish(_unknown(call, group), lone: false);
        return call.Task;
    }

    /// <summary>Answers every running and queued call of every group (see <see cref="ActorRunner.AnswerAll"/>).</summary>
    public void AnswerAll(Func<ReadyCall, bool, ObjectPayload> answer)
    {
        _default.AnswerAll(answer);
        if (_named is null) return;
        foreach (var runner in _named.Values) runner.AnswerAll(answer);
    }

    /// <summary>Cancels the call making <paramref name="resultId"/> in whichever group holds it (see <see cref="ActorRunner.TryCancel"/>).</summary>
    public bool TryCancel(ObjectId resultId, Func<ReadyCall, ObjectPayload> cancelled)
    {
        if (_default.TryCancel(resultId, cancelled)) return true;
        if (_named is null) return false;
        foreach (var runner in _named.Values)
            if (runner.TryCancel(resultId, cancelled)) return true;
        return false;
    }

    /// <summary>The group names the actor has, for errors.</summary>
    public IEnumerable<string> Names => _named?.Keys ?? Enumerable.Empty<string>();

    /// <summary>Ray's rule: an actor is async when any of its public instance methods returns Task or ValueTask.</summary>
    private static bool IsAsyncClass(Type type)
    {
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.DeclaringType == typeof(object)) continue;
            var returns = method.ReturnType;
            if (returns == typeof(Task) || returns == typeof(ValueTask)) return true;
            if (returns.IsGenericType && returns.GetGenericTypeDefinition() is var open && (open == typeof(Task<>) || open == typeof(ValueTask<>))) return true;
        }
        return false;
    }
}
