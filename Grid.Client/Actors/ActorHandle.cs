using System.Linq.Expressions;
using Grid.Core;

namespace Grid;

/// <summary>
/// A handle to an actor of class <typeparamref name="T"/> living on the cluster. Calls are
/// expressions over the actor, e.g. <c>counter.Call(c => c.Increment())</c>; their arguments are
/// evaluated here, and <c>someRef.AsArg()</c> passes a ref whose value the actor receives.
/// </summary>
public sealed class ActorHandle<T> where T : class
{
    private readonly GridClient _grid;

    internal ActorHandle(GridClient grid, ActorRef actor)
    {
        _grid = grid;
        Actor = actor;
    }

    internal ActorRef Actor { get; }
    public ActorId ActorId => Actor.Id;

    /// <summary>Completes when the actor has been placed and constructed (or has failed to be).</summary>
    public Task Ready => Actor.Ready;

    public ObjectRef<TResult> Call<TResult>(Expression<Func<T, TResult>> call) => Submit<TResult>(call);
    public ObjectRef<TResult> Call<TResult>(Expression<Func<T, Task<TResult>>> call) => Submit<TResult>(call);
    public ObjectRef<Unit> Call(Expression<Action<T>> call) => Submit<Unit>(call);
    public ObjectRef<Unit> Call(Expression<Func<T, Task>> call) => Submit<Unit>(call);

    /// <summary>
    /// Kills the actor: its pending and later calls fail with <see cref="ActorDiedException"/>. With
    /// <paramref name="noRestart"/> false, an actor created with restarts left (ActorOptions.MaxRestarts) is rebuilt
    /// instead, its constructor run again, which counts as a restart; calls in flight then fail or are resent as
    /// ActorOptions.MaxTaskRetries allows.
    /// </summary>
    public Task KillAsync(bool noRestart = true, CancellationToken cancellationToken = default) =>
        _grid.Worker.KillActorAsync(Actor, noRestart, cancellationToken);

    /// <summary>The actor as the cluster records it: state (Alive, Restarting, Dead…), node, restart count and death cause.</summary>
    public Task<Wire.ActorInfo> GetInfoAsync(CancellationToken cancellationToken = default) => _grid.Worker.GetActorInfoAsync(ActorId, cancellationToken);

    private ObjectRef<TResult> Submit<TResult>(LambdaExpression call)
    {
        var (method, args) = CallExpressions.ParseMethodCall(call);
        return _grid.Worker.CallActor<TResult>(_grid.JobId, Actor, method, args);
    }

    public override string ToString() => $"ActorHandle<{typeof(T).Name}>({ActorId})";
}
