using Grid.Silo.Gcs;
using Grid.Wire;

namespace Grid.Silo.Actors;

/// <summary>
/// The node's one way to change an actor's GCS record (<see cref="ActorInfo"/>): each change is a function of the
/// stored record, written unfenced or fenced as its writer needs, and every death is written by
/// <see cref="RecordDeadAsync(ActorInfo, string, Func{ActorInfo, bool})"/> in one shape. A change runs wherever the GCS
/// answered, not on a grain's scheduler: it reads only the record it is given and the values it captured. A death
/// written here, by any writer, ends the actors the dead one owns (<see cref="OwnedActors"/>).
/// </summary>
internal sealed class ActorRecords(IGcs gcs, OwnedActors owned)
{
    public Task<ActorInfo?> GetAsync(ActorId id) => gcs.GetActorAsync(id);

    public Task<ActorInfo[]> GetAllAsync() => gcs.GetActorsAsync();

    /// <summary>
    /// Unfenced read-modify-write: the last writer wins. For a writer that is the record's only one at that moment
    /// (the host writing its constructor's outcome, the placing raylet writing why the actor waits).
    /// </summary>
    /// <param name="change">Given the stored record (null if there is none), the record to write, or null to write nothing.</param>
    /// <returns>The record written, or null.</returns>
    public async Task<ActorInfo?> UpdateAsync(ActorId id, Func<ActorInfo?, ActorInfo?> change)
    {
        var stored = await gcs.GetActorAsync(id).ConfigureAwait(false);
        if (change(stored) is not { } updated) return null;
        await gcs.UpdateActorAsync(updated).ConfigureAwait(false);
        Written(stored, updated);
        return updated;
    }

    /// <summary>
    /// Fenced write (<see cref="IActorTable.TryUpdateActorAsync"/>): what <paramref name="change"/> makes of a record is
    /// written only if the stored record still has that record's fence (state, incarnation, node). When another writer
    /// changed it first, the fresh record is read and given to <paramref name="change"/> again, which decides whether
    /// its change still applies. For what several nodes may decide at once about one incarnation (its death, its restart).
    /// </summary>
    /// <param name="seen">The record the caller decided on.</param>
    /// <param name="change">Given the stored record, the record to write, or null to leave it as it is.</param>
    /// <returns>The record written, or null (the change no longer applied, or the record is gone).</returns>
    public async Task<ActorInfo?> TryUpdateAsync(ActorInfo seen, Func<ActorInfo, ActorInfo?> change)
    {
        for (ActorInfo? current = seen; current is not null; current = await gcs.GetActorAsync(seen.ActorId).ConfigureAwait(false))
        {
            if (change(current) is not { } updated) return null;
            if (!await gcs.TryUpdateActorAsync(current, updated).ConfigureAwait(false)) continue;
            Written(current, updated);
            return updated;
        }
        return null;
    }

    /// <summary>After a write: a record that became Dead (the actor ended for good) takes what it owns with it.</summary>
    private void Written(ActorInfo? before, ActorInfo after)
    {
        if (after.State == ActorState.Dead && before?.State != ActorState.Dead) owned.OwnerDied(after);
    }

    /// <summary>
    /// Records the actor dead (fenced, see <see cref="TryUpdateAsync(ActorInfo, Func{ActorInfo, ActorInfo?})"/>). A record
    /// written Dead releases the actor's name, and callers waiting for its placement hear of the death (the GCS does both).
    /// </summary>
    /// <param name="dies">Whether the stored record is one this death ends: another incarnation's, or one already dead, is left alone.</param>
    /// <returns>The record written, or null.</returns>
    public Task<ActorInfo?> RecordDeadAsync(ActorInfo seen, string cause, Func<ActorInfo, bool> dies) =>
        TryUpdateAsync(seen, record => dies(record) ? Dead(record, cause) : null);

    /// <summary>As <see cref="RecordDeadAsync(ActorInfo, string, Func{ActorInfo, bool})"/>, from the record stored now.</summary>
    public async Task<ActorInfo?> RecordDeadAsync(ActorId id, string cause, Func<ActorInfo, bool> dies) =>
        await gcs.GetActorAsync(id).ConfigureAwait(false) is { } current ? await RecordDeadAsync(current, cause, dies).ConfigureAwait(false) : null;

    /// <summary>The record of a death, the one shape every death is written in: Dead, why, waiting for nothing, and when.</summary>
    public static ActorInfo Dead(ActorInfo record, string cause) =>
        record with { State = ActorState.Dead, DeathCause = cause, PendingReason = null, DiedAt = DateTimeOffset.UtcNow };
}
