using Grid.Core;
using Grid.Wire;

namespace Grid;

public sealed partial class GridClient
{
    /// <summary>Submits a task as a stream (see <see cref="RemoteFunctionStreams"/>): its result is the item count.</summary>
    internal ObjectRefStream<TItem> SubmitStream<TItem>(FunctionDescriptor function, TaskOptions options, TaskArgument[] args)
    {
        var backpressure = options.GeneratorBackpressure ?? 0;
        var task = Worker.SubmitTask<int>(JobId, function, options, args, new StreamSpec(backpressure));
        return new ObjectRefStream<TItem>(Worker, task, backpressure);
    }
}
