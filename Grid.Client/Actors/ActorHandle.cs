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

    /// <summary>Kills the actor: its pending and later calls fail with <see cref="ActorDiedException"/>.</summary>
    public Task KillAsync() => _grid.Worker.KillActorAsync(Actor);

    private ObjectRef<TResult> Submit<TResult>(LambdaExpression call)
    {
        var (method, args) = CallExpressions.ParseMethodCall(call);
        return _grid.Worker.CallActor<TResult>(_grid.JobId, Actor, method, args);
    }

    public override string ToString() => $"ActorHandle<{typeof(T).Name}>({ActorId})";
}
