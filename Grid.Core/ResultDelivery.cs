using System.Runtime.CompilerServices;
using Grid.Wire;

namespace Grid.Core;

/// <summary>
/// How a result reaches the code that waits for it. An owned object's payload future completes
/// synchronously, so Grid's own continuations (a get-many's counter, an argument pin) run on the
/// completing thread instead of each queueing a thread-pool item. User code awaiting one ref is
/// different: it runs on the completing thread only when that thread is finishing a lone call's
/// response, as the continuation of a raw Orleans call does; anywhere else (a batch's stream of
/// results) it is queued, so a user continuation that blocks can never hold back the results
/// behind it in the same batch — one of which it might be waiting for.
/// </summary>
internal static class ResultDelivery
{
    [ThreadStatic] private static bool t_loneResponse;

    /// <summary>Publishes the result of a lone call from the thread that received its response.</summary>
    public static void CompleteLone(TaskCompletionSource<ObjectPayload> result, ObjectPayload payload)
    {
        t_loneResponse = true;
        try { result.TrySetResult(payload); }
        finally { t_loneResponse = false; }
    }

    /// <summary>
    /// Publishes a result that is one of several completed from one response (a task's returns): user code awaiting it
    /// is queued, even on a lone call's thread, so that one return's continuation cannot hold back the next return.
    /// </summary>
    public static void CompleteQueued(TaskCompletionSource<ObjectPayload> result, ObjectPayload payload)
    {
        var lone = t_loneResponse;
        t_loneResponse = false;
        try { result.TrySetResult(payload); }
        finally { t_loneResponse = lone; }
    }

    /// <summary>Awaits a payload on behalf of user code (see the class remarks).</summary>
    public static UserAwaitable ForUser(Task<ObjectPayload> payload) => new(payload);

    public readonly struct UserAwaitable(Task<ObjectPayload> payload) : ICriticalNotifyCompletion
    {
        public UserAwaitable GetAwaiter() => this;
        public bool IsCompleted => payload.IsCompleted;
        public ObjectPayload GetResult() => payload.GetAwaiter().GetResult();

        public void OnCompleted(Action continuation) => Register(continuation, flowContext: true);

        // The async method builder flows the execution context itself and calls this one.
        public void UnsafeOnCompleted(Action continuation) => Register(continuation, flowContext: false);

        private void Register(Action continuation, bool flowContext)
        {
            var awaiter = payload.ConfigureAwait(false).GetAwaiter();
            Action resume = () => Resume(continuation);
            if (flowContext) awaiter.OnCompleted(resume);
            else awaiter.UnsafeOnCompleted(resume);
        }

        private static void Resume(Action continuation)
        {
            if (!t_loneResponse)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: true);
                return;
            }
            // Whatever the user's code completes while it runs here is not a lone response.
            t_loneResponse = false;
            try { continuation(); }
            finally { t_loneResponse = true; }
        }
    }
}
