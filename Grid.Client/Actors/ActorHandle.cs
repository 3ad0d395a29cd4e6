using System.Linq.Expressions;
using Grid.Core;

namespace Grid;

/// <summary>
/// A handle to an actor of class <typeparamref name="T"/> living on the cluster. Calls are
/// expressions over the actor, e.g. <c>counter.Call(c => c.Increment())</c>; their arguments are
/// evaluated here, and <c>someRef.AsArg()</c> passes a ref whose value the actor receives. A handle can be passed
/// to tasks and actor methods (as an argument, or inside a value); calls through it there reach the same actor, each
/// process numbering its own calls.
/// </summary>
[Serialization.GridCodec(typeof(ActorHandleCodec<>))]
public sealed class ActorHandle<T> where T : class
{
    private readonly CoreWorker _worker;

    internal ActorHandle(GridClient grid, ActorRef actor) : this(grid.Worker, grid.JobId, actor) { }

    /// <param name="worker">The core worker of the process that holds the handle (where it was made or read).</param>
    /// <param name="job">The job its calls belong to.</param>
    internal ActorHandle(CoreWorker worker, JobId job, ActorRef actor)
    {
        _worker = worker;
        Job = job;
        Actor = actor;
    }

    internal JobId Job { get; }

    internal ActorRef Actor { get; }
    public ActorId ActorId => Actor.Id;

    /// <summary>Completes when the actor has been placed and constructed (or has failed to be).</summary>
    public Task Ready => Actor.Ready;

    public ObjectRef<TResult> Call<TResult>(Expression<Func<T, TResult>> call) => Submit<TResult>(call);
    public ObjectRef<TResult> Call<TResult>(Expression<Func<T, Task<TResult>>> call) => Submit<TResult>(call);
    public ObjectRef<Unit> Call(Expression<Action<T>> call) => Submit<Unit>(call);
    public ObjectRef<Unit> Call(Expression<Func<T, Task>> call) => Submit<Unit>(call);

    /// <summary>A call with its own options (Ray's <c>actor.method.options(...)</c>): they override the method's <see cref="ActorMethodAttribute"/>.</summary>
    public ObjectRef<TResult> Call<TResult>(Expression<Func<T, TResult>> call, ActorCallOptions options) => Submit<TResult>(call, options);
    /// <inheritdoc cref="Call{TResult}(Expression{Func{T, TResult}}, ActorCallOptions)"/>
    public ObjectRef<TResult> Call<TResult>(Expression<Func<T, Task<TResult>>> call, ActorCallOptions options) => Submit<TResult>(call, options);
    /// <inheritdoc cref="Call{TResult}(Expression{Func{T, TResult}}, ActorCallOptions)"/>
    public ObjectRef<Unit> Call(Expression<Action<T>> call, ActorCallOptions options) => Submit<Unit>(call, options);
    /// <inheritdoc cref="Call{TResult}(Expression{Func{T, TResult}}, ActorCallOptions)"/>
    public ObjectRef<Unit> Call(Expression<Func<T, Task>> call, ActorCallOptions options) => Submit<Unit>(call, options);

    /// <summary>
    /// Calls a method that returns <see cref="IAsyncEnumerable{T}"/> as a stream (Ray's <c>num_returns="streaming"</c>):
    /// returns at once, and the items' refs arrive as the method yields them (see <see cref="ObjectRefStream{T}"/>). The call
    /// holds its turn in the actor (its concurrency group's slot) until the stream ends or is disposed.
    /// </summary>
    public ObjectRefStream<TItem> CallStream<TItem>(Expression<Func<T, IAsyncEnumerable<TItem>>> call, ActorCallOptions? options = null) => SubmitStream<TItem>(call, options);
    /// <inheritdoc cref="CallStream{TItem}(Expression{Func{T, IAsyncEnumerable{TItem}}}, ActorCallOptions?)"/>
    public ObjectRefStream<TItem> CallStream<TItem>(Expression<Func<T, IEnumerable<TItem>>> call, ActorCallOptions? options = null) => SubmitStream<TItem>(call, options);

    /// <summary>
    /// Kills the actor: its pending and later calls fail with <see cref="ActorDiedException"/>. With
    /// <paramref name="noRestart"/> false, an actor created with restarts left (ActorOptions.MaxRestarts) is rebuilt
    /// instead, its constructor run again, which counts as a restart; calls in flight then fail or are resent as
    /// ActorOptions.MaxTaskRetries allows.
    /// </summary>
    public Task KillAsync(bool noRestart = true, CancellationToken cancellationToken = default) =>
        _worker.KillActorAsync(Actor, noRestart, cancellationToken);

    /// <summary>The actor as the cluster records it: state (Alive, Restarting, Dead…), node, restart count and death cause.</summary>
    public Task<Wire.ActorInfo> GetInfoAsync(CancellationToken cancellationToken = default) => _worker.GetActorInfoAsync(ActorId, cancellationToken);

    private ObjectRef<TResult> Submit<TResult>(LambdaExpression call, ActorCallOptions? options = null)
    {
        var (method, args) = CallExpressions.ParseMethodCall(call);
        return _worker.CallActor<TResult>(Job, Actor, method, args, RetryPolicy.ForCall(options), options?.ConcurrencyGroup);
    }

    private ObjectRefStream<TItem> SubmitStream<TItem>(LambdaExpression call, ActorCallOptions? options)
    {
        var (method, args) = CallExpressions.ParseMethodCall(call);
        var backpressure = options?.GeneratorBackpressure ?? 0;
        var result = _worker.CallActor<int>(Job, Actor, method, args, RetryPolicy.ForCall(options), options?.ConcurrencyGroup, new Wire.StreamSpec(backpressure));
        return new ObjectRefStream<TItem>(_worker, result, backpressure);
    }

    public override string ToString() => $"ActorHandle<{typeof(T).Name}>({ActorId})";
}
