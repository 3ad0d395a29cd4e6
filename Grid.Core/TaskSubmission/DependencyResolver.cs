using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// Ray's dependency resolver: turns a call's ref arguments into what the callee needs, for every submitter of this
/// process (tasks, actor creations, actor calls) and for the node about to run a call. A ref whose value is small then
/// travels inline; a stored one carries its payload (where it lives); the first failed dependency fails the call.
/// </summary>
internal static class DependencyResolver
{
    /// <summary>Which ref arguments a resolution covers.</summary>
    public enum Scope
    {
        /// <summary>
        /// A submitter's: the refs this process owns and has not resolved yet. The node that runs the call then never
        /// asks this process back — a client is reachable only through its gateway, the costliest hop.
        /// </summary>
        Owned,
        /// <summary>The node's, before it runs a call: every ref, stored ones pulled into this node's store (rebuilt first if lost).</summary>
        All,
    }

    /// <summary>Resolves the ref arguments in <paramref name="scope"/>; the arguments themselves when none changed.</summary>
    public static async ValueTask<(TaskArg[] Args, ObjectPayload? Failure)> ResolveAsync(CoreWorker worker, TaskArg[] args, Scope scope,
        CancellationToken cancellationToken = default)
    {
        TaskArg[]? resolved = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is not { Ref: { } r } arg) continue;
            ObjectPayload payload;
            if (scope == Scope.Owned)
            {
                if (arg.Resolved is not null || r.Owner != worker.OwnerAddress) continue;
                payload = await worker.GetOwnedPayload(r.Id).ConfigureAwait(false);
            }
            else
            {
                payload = arg.Resolved ?? await worker.GetPayloadAsync(r.Id, r.Owner).ConfigureAwait(false);
                if (payload.Kind == PayloadKind.Stored)
                    payload = await worker.PrefetchStoredAsync(r.Id, r.Owner, payload, cancellationToken).ConfigureAwait(false);
            }
            if (payload.Kind == PayloadKind.Error) return (args, payload);
            (resolved ??= (TaskArg[])args.Clone())[i] = Resolved(r, payload);
        }
        return (resolved ?? args, null);
    }

    /// <summary>
    /// The submitters' fast path: when every ref argument this process owns is a small value ready now, the arguments
    /// with those values inlined (what <see cref="ResolveAsync"/> would give, with no wait, so the call can ride in a
    /// batch); otherwise the arguments as they are, to be resolved in the background.
    /// </summary>
    public static TaskArg[] InlineReadyOwned(CoreWorker worker, TaskArg[] args)
    {
        TaskArg[]? inlined = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is not { Ref: { } r, Resolved: null } || r.Owner != worker.OwnerAddress) continue;
            var payload = worker.GetOwnedPayload(r.Id);
            if (!payload.IsCompletedSuccessfully || payload.Result is not { Kind: PayloadKind.Inline } ready) return args;
            (inlined ??= (TaskArg[])args.Clone())[i] = Resolved(r, ready);
        }
        return inlined ?? args;
    }

    /// <summary>
    /// The node holding the largest of the resolved stored arguments, which scheduling prefers (the biggest transfer is
    /// the one not made); nodes <paramref name="isDead"/> knows dead are passed over.
    /// </summary>
    public static NodeId? LargestStoredArgumentNode(TaskArg[] args, Func<NodeId, bool>? isDead = null)
    {
        NodeId? node = null;
        long largest = 0;
        foreach (var a in args)
            if (a.Resolved is { Kind: PayloadKind.Stored } p && p.Size > largest && isDead?.Invoke(p.Node) != true)
            {
                largest = p.Size;
                node = p.Node;
            }
        return node;
    }

    private static TaskArg Resolved(ObjectRefData r, ObjectPayload payload) =>
        payload.Kind == PayloadKind.Inline ? TaskArg.Value(payload.Data!) : new TaskArg { Ref = r, Resolved = payload };
}
