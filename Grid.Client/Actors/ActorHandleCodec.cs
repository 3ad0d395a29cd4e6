using Grid.Core;
using Grid.Serialization;

namespace Grid;

/// <summary>
/// An <see cref="ActorHandle{T}"/> in a value (Ray passes actor handles to tasks and actors): the actor's id, the
/// incarnation the sender addressed and the job its calls belong to. Read back bound to the reading process's core
/// worker, with its readiness taken from the GCS, so a call made before the actor is placed waits for it as a named
/// actor's does. The actor's class is the handle's type argument, checked when the value is read.
/// </summary>
internal sealed class ActorHandleCodec<T> : ClassCodec<ActorHandle<T>> where T : class
{
    public override void WriteBody(ref GridWriter writer, ActorHandle<T> value)
    {
        writer.WriteString(value.ActorId.Value);
        writer.WriteVarUInt((uint)value.Actor.Incarnation);
        writer.WriteString(value.Job.Value);
    }

    public override ActorHandle<T> ReadBody(ref GridReader reader)
    {
        var id = reader.ReadString() ?? throw GridReader.Corrupt("an actor handle has no actor id");
        var incarnation = (int)reader.ReadVarUInt();
        var job = reader.ReadString() ?? throw GridReader.Corrupt("an actor handle has no job");
        if (reader.Resolver is not CoreWorker worker)
            throw new GridSerializationException(
                $"An ActorHandle<{typeof(T).Name}> can only be read inside a Grid process (a task, an actor or a GridClient's get), where calls through it can be made.");
        return new ActorHandle<T>(worker, new JobId(job), worker.ActorRefOf(new ActorId(id), typeof(T).AssemblyQualifiedName!, incarnation));
    }
}
