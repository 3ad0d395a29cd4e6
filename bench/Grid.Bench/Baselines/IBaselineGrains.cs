using Orleans.Concurrency;

namespace Grid.Bench.Baselines;

// Raw-Orleans counterparts of Ray's remote function, actors and object store calls. Each baseline
// is the same hop a Grid case makes, with the same payload ("ok" bytes), through the same client.

/// <summary>Ray's remote function as a [StatelessWorker] grain: the counterpart of a task.</summary>
public interface IBaselineWorker : IGrainWithIntegerKey
{
    Task<byte[]> SmallValue();
    /// <summary>Ray's small_value_batch: n calls from inside the cluster, awaited together.</summary>
    Task SmallValueBatch(int n);
    /// <summary>Ray's "work" task: n calls spread over the actors with these keys.</summary>
    Task ActorWork(long[] actors, int n);
    /// <summary>Ray's do_put_small: n small values handed to the store grain from inside the cluster.</summary>
    Task PutSmallBatch(int n);
    /// <summary>10k ids, the counterpart of an object holding 10k refs.</summary>
    Task<BaselineId[]> TenThousandIds();
}

/// <summary>Ray's actor as a plain (non-reentrant) grain: one call at a time, state-holding.</summary>
public interface IBaselineActor : IGrainWithIntegerKey
{
    Task<byte[]> SmallValue();
    Task<byte[]> SmallValueArg(int x);
    /// <summary>Ray's Actor.small_value_batch inside an actor: n tasks, awaited together.</summary>
    Task SmallValueBatch(int n);
}

/// <summary>Ray's actor with max_concurrency &gt; 1: a reentrant grain.</summary>
public interface IBaselineConcurrentActor : IGrainWithIntegerKey
{
    Task<byte[]> SmallValue();
}

/// <summary>Ray's AsyncActor: a grain whose method is asynchronous.</summary>
public interface IBaselineAsyncActor : IGrainWithIntegerKey
{
    Task<byte[]> SmallValue();
}

/// <summary>Ray's Client actor: calls n times each of its server actors.</summary>
public interface IBaselineClient : IGrainWithIntegerKey
{
    Task SmallValueBatch(long[] servers, int n);
    Task SmallValueBatchArg(long[] servers, int n);
}

/// <summary>The counterpart of the object store for puts and gets of small values.</summary>
public interface IBaselineStore : IGrainWithIntegerKey
{
    Task Put(int slot, Immutable<byte[]> value);
    Task<Immutable<byte[]>> Get(int slot);
}

/// <summary>An object id's counterpart in the 10k-refs case.</summary>
[GenerateSerializer, Immutable]
public readonly record struct BaselineId([property: Id(0)] ulong Hi, [property: Id(1)] ulong Lo);

/// <summary>
/// The counterpart of a placement group: a grain per reservation that records it on creation,
/// answers when it holds, and forgets it on removal (three calls, as Grid's create, wait and remove).
/// </summary>
public interface IBaselineReservation : IGrainWithGuidKey
{
    Task Reserve(double amount);
    Task<bool> IsReserved();
    Task Release();
}
