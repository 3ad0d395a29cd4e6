using Grid.Serialization;
using Grid.Wire;

namespace Grid.Core.References;

/// <summary>The error a get meets when the process that owned the object is gone.</summary>
internal static class OwnerErrors
{
    public static OwnerDiedException Exception(ObjectId id, GrainId owner, string why) => new(
        $"Object {id} is lost: its owner {owner} is gone ({why}), and an object lives only as long as the process " +
        "that created it (the submitter of its task, or the caller of its put). Keep that process alive while others use its objects, " +
        "or re-run the work that produced it.");

    public static RemoteError Died(ObjectId id, GrainId owner, string why) =>
        GridSerializer.Instance.ToRemoteError(Exception(id, owner, why), null);
}
