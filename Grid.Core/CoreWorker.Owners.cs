using Grid.Wire;
using Microsoft.Extensions.Logging;

namespace Grid.Core;

/// <summary>Owners that are gone: a client whose job ended, cleanly or because it died.</summary>
internal sealed partial class CoreWorker
{
    /// <summary>
    /// The client owner <paramref name="owner"/> is gone (<paramref name="why"/>, for error messages): this process
    /// releases the borrows it held here, fails gets of its objects at once with <see cref="OwnerDiedException"/>
    /// (waiting ones too), and deletes the copies of its stored objects whose first copy is in this node's store. Each
    /// node does this for its own store when a job ends, so every object of the owner goes. Idempotent.
    /// </summary>
    public void OwnerGone(GrainId owner, string why)
    {
        var freed = _references.OwnerGone(owner, why);
        var orphans = 0;
        if (LocalStore is not null && LocalNode is { } here)
        {
            var ownerText = owner.ToString();
            foreach (var stored in LocalStore.Describe())
            {
                if (stored.Owner != ownerText) continue;
                _ = _references.FreeOrphanAsync(stored.Id, here);
                orphans++;
            }
        }
        if (freed + orphans > 0) OwnerGoneLog(_logger, owner, why, freed, orphans);
    }

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Owner {Owner} is gone ({Why}): freed {Freed} objects only it still borrowed, and {Orphans} stored objects it owned")]
    private static partial void OwnerGoneLog(ILogger logger, GrainId owner, string why, int freed, int orphans);
}
