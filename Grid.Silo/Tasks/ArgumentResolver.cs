using Grid.Core;
using Grid.Wire;

namespace Grid.Silo.Tasks;

/// <summary>
/// Turns a task's or actor call's wire arguments into values of the method's parameter types, once the
/// <see cref="DependencyResolver"/> (<see cref="DependencyResolver.Scope.All"/>) has learnt every ref's payload and
/// pulled stored ones into this node's store.
/// </summary>
internal static class ArgumentResolver
{
    /// <summary>Deserializes prepared arguments; stored ones are read in place from the local store.</summary>
    public static async ValueTask<object?[]> MaterializeAsync(CoreWorker worker, TaskArg[] args, Type[] types, CancellationToken cancellationToken)
    {
        // Submitters check the count; a message that reaches a node otherwise (another build of the caller, a hand-made
        // call) is refused in the same words instead of failing inside reflection.
        if (args.Length != types.Length)
            throw new UnknownFunctionException($"The call carries {args.Length} arguments, but the method takes {types.Length}: the caller and this node disagree on the function. Submit it again from code built against the same version.");
        var values = new object?[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (types[i] == typeof(CancellationToken)) values[i] = CancellationToken.None; // the run's own token goes in here (RemoteMethod.CancellationParameter)
            else if (a.Inline is { } bytes) values[i] = worker.Serializer.Deserialize(bytes, types[i], worker);
            else
            {
                var r = a.Ref!;
                var payload = a.Resolved ?? await worker.GetPayloadAsync(r.Id, r.Owner).ConfigureAwait(false);
                values[i] = await worker.MaterializeAsync(payload, types[i], r.Id, r.Owner, cancellationToken).ConfigureAwait(false);
            }
        }
        return values;
    }
}
